//! The fault suite: every fault the sandbox can inject, through the SDK. For each, the outcome
//! (success after a retry, or a clear typed error), and the sandbox's counters prove no create
//! was sent twice and no completed image was lost. All logs, at every level, are captured and
//! must never contain the API key; nor may any error's Display or Debug.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nanobanana_api::{error::Operation, types, Error, NanoBanana};
use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::sandbox::{client_config, lite_request, quick_retries, FAST};
use nanobanana_test_kit::KEY;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(sandbox: &SandboxHandle, timeout: Duration) -> NanoBanana {
    let config = client_config(sandbox, quick_retries(Duration::from_millis(20)))
        .with_request_timeout(timeout);
    NanoBanana::new(&config).unwrap()
}

fn request(prompt: &str) -> types::builder::ImageGenerationRequest {
    lite_request(prompt).quality(types::ImageQuality::Res1K)
}

async fn start(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        time_scale: FAST,
        api_key: Some(KEY.into()),
        slow_delay: Duration::from_secs(2),
        ..config
    })
    .await
    .unwrap()
}

/// One row of the suite's report.
struct Row {
    fault: &'static str,
    outcome: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_ends_in_success_or_a_clear_error_with_no_duplicate_or_lost_work() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let mut rows = Vec::new();
    let mut errors: Vec<Error> = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let fast = Duration::from_secs(5);

    // Create refused with 429 (Retry-After: 1) and 503: retried, one task.
    for (name, status) in [("429 Retry-After", 429), ("503", 503)] {
        let sandbox = start(SandboxConfig::default()).await;
        sandbox.inject(Fault::Status(status));
        let generated = client(&sandbox, fast)
            .generate(request(name), dir.path().join(name))
            .await
            .unwrap();
        assert_eq!(sandbox.stats().creates, 1, "{name}: exactly one task");
        assert!(generated.files[0].exists());
        rows.push(Row {
            fault: if status == 429 {
                "429 Retry-After"
            } else {
                "503"
            },
            outcome: "succeeded after one retry".into(),
        });
    }

    // Create answered 500 / 502: never retried (it may have been billed).
    for (name, status) in [("500", 500), ("502", 502)] {
        let sandbox = start(SandboxConfig::default()).await;
        sandbox.inject(Fault::Status(status));
        let err = client(&sandbox, fast)
            .generate(request(name), dir.path())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("Not retried automatically"),
            "{err}"
        );
        assert_eq!(
            sandbox.stats().creates + sandbox.stats().creates_rejected,
            1,
            "{name}: one create call"
        );
        rows.push(Row {
            fault: if status == 500 { "500" } else { "502" },
            outcome: format!("{}, not retried", variant(&err)),
        });
        errors.push(err);
    }

    // The answer to a create is dropped after the task was created: no second create.
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Drop);
    let err = client(&sandbox, fast)
        .generate(request("drop"), dir.path())
        .await
        .unwrap_err();
    assert!(!err.is_retryable(Operation::CreateTask));
    assert_eq!(sandbox.stats().creates, 1, "created once, never again");
    rows.push(Row {
        fault: "dropped connection (create)",
        outcome: format!("{}, not retried, 1 task", variant(&err)),
    });
    errors.push(err);

    // A task query whose answer is dropped, or slower than the timeout: retried, image saved.
    for (name, fault) in [
        ("dropped connection (query)", Fault::Drop),
        ("slow body past the timeout (query)", Fault::Slow),
    ] {
        let sandbox = start(SandboxConfig::default()).await;
        let client = client(&sandbox, Duration::from_millis(500));
        let created = client.create(request(name)).await.unwrap();
        sandbox.inject(fault);
        let task = client.wait(&created).await.unwrap();
        let files = client
            .download(&task, dir.path().join(name.replace(' ', "_")))
            .await
            .unwrap();
        assert!(files[0].exists());
        assert_eq!(sandbox.stats().creates, 1);
        rows.push(Row {
            fault: name,
            outcome: "succeeded after a retry".into(),
        });
    }

    // A slow create past the timeout: a timeout error, not retried.
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Slow);
    let err = client(&sandbox, Duration::from_millis(500))
        .create(request("slow"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sandbox.stats().creates <= 1, "never two tasks");
    rows.push(Row {
        fault: "slow body past the timeout (create)",
        outcome: "Timeout, not retried".into(),
    });
    errors.push(err);

    // A truncated image body: the download resumes with Range and completes.
    let sandbox = start(SandboxConfig::default()).await;
    let client_ = client(&sandbox, fast);
    let created = client_.create(request("truncate")).await.unwrap();
    let task = client_.wait(&created).await.unwrap();
    sandbox.inject(Fault::Truncate);
    let files = client_
        .download(&task, dir.path().join("truncate"))
        .await
        .unwrap();
    let bytes = std::fs::read(&files[0]).unwrap();
    assert!(
        bytes.starts_with(b"\xFF\xD8\xFF") && bytes.len() > 1000,
        "a whole JPEG"
    );
    rows.push(Row {
        fault: "truncated image body",
        outcome: "resumed with Range, image complete".into(),
    });

    // An expired result URL: a Download error that names the task.
    let sandbox = start(SandboxConfig {
        link_ttl: Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .await;
    let client_ = client(&sandbox, fast);
    let created = client_.create(request("expire")).await.unwrap();
    let task = client_.wait(&created).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = client_
        .download(&task, dir.path().join("expired"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Download { expired: true, task_id, .. } if *task_id == task.id),
        "{err:?}"
    );
    rows.push(Row {
        fault: "expired result URL",
        outcome: "Download { expired: true } naming the task".into(),
    });
    errors.push(err);

    // A task that ends failed.
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::FailTask);
    let err = client(&sandbox, fast)
        .generate(request("fail"), dir.path())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::TaskFailed { .. }), "{err:?}");
    assert_eq!(sandbox.stats().creates, 1);
    rows.push(Row {
        fault: "task ends failed",
        outcome: "TaskFailed naming the task and code".into(),
    });
    errors.push(err);

    // The callback receiver is down: the sandbox retries 3 times and gives up; the caller, which
    // polls, still gets its image.
    let sandbox = start(SandboxConfig {
        allow_insecure_callbacks: true,
        ..SandboxConfig::default()
    })
    .await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let body = serde_json::json!({"model": "nano-banana-2-lite", "prompt": "callback", "quality": "1K", "callback_url": format!("http://{dead}/hook")});
    let created: types::ImageGenerationResponse = reqwest::Client::new()
        .post(format!("{}/v1/images/generations", sandbox.base_url()))
        .bearer_auth(KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_ = client(&sandbox, fast);
    let task = client_.wait(&created).await.unwrap();
    assert!(client_
        .download(&task, dir.path().join("callback"))
        .await
        .unwrap()[0]
        .exists());
    for _ in 0..200 {
        if sandbox.stats().callbacks_failed == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sandbox.stats().callbacks_failed, 1);
    rows.push(Row {
        fault: "callback receiver down",
        outcome: "callback given up after 3 retries; image still saved by polling".into(),
    });

    println!("fault suite:");
    for row in &rows {
        println!("  {:40} {}", row.fault, row.outcome);
    }
    assert_eq!(rows.len(), 12, "every fault of the suite ran");

    for err in &errors {
        let (display, debug) = (err.to_string(), format!("{err:?}"));
        assert!(
            !display.contains(KEY) && !debug.contains(KEY),
            "key in an error: {debug}"
        );
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 50, "TRACE logs were captured");
    assert!(!logs.contains(KEY), "the key appears in the logs");
}

fn variant(err: &Error) -> &'static str {
    match err {
        Error::Internal(_) => "Internal",
        Error::Upstream(_) => "Upstream",
        Error::Connection { .. } => "Connection",
        Error::InvalidResponse { .. } => "InvalidResponse",
        Error::Timeout { .. } => "Timeout",
        _ => "other",
    }
}
