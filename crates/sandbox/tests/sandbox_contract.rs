//! The sandbox through the SDK and through raw HTTP: real PNGs, the documented errors, faults,
//! rate limits, expiry, callbacks and eviction.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nanobanana_api::{retry::RetryPolicy, types, waiting::PollSchedule, Error, NanoBanana};
use nanobanana_sandbox::callbacks::{BoxFuture, CallbackTransport};
use nanobanana_sandbox::contract::{documented_body, SpecOperation};
use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig, SandboxHandle, FAULT_HEADER};
use serde_json::{json, Value};

const KEY: &str = "sk-sandbox-test";

fn fast() -> SandboxConfig {
    SandboxConfig {
        time_scale: 0.002,
        ..SandboxConfig::default()
    }
}

fn sdk(sandbox: &SandboxHandle) -> NanoBanana {
    let config = sandbox
        .client_config(KEY)
        .unwrap()
        .with_retry_policy(RetryPolicy {
            initial_delay: Duration::from_millis(10),
            jitter: false,
            ..RetryPolicy::default()
        })
        // The sandbox reports its real (scaled) estimate; poll fast around it.
        .with_poll_schedule(PollSchedule {
            min_interval: Duration::from_millis(10),
            ..PollSchedule::default()
        });
    NanoBanana::new(&config).unwrap()
}

fn request(prompt: &str) -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt(prompt)
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let info = decoder.read_info().unwrap();
    (info.info().width, info.info().height)
}

#[tokio::test]
async fn generate_leaves_real_pngs_sized_by_size_and_quality() {
    let sandbox = Sandbox::start(SandboxConfig {
        result_format: nanobanana_sandbox::ResultFormat::Png,
        ..fast()
    })
    .await
    .unwrap();
    let client = sdk(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (None, None, (2048, 2048)),
        (
            Some(types::ImageSize::Auto),
            Some(types::ImageQuality::Res1K),
            (1024, 1024),
        ),
        (
            Some(types::ImageSize::Ratio16x9),
            Some(types::ImageQuality::Res1K),
            (1024, 576),
        ),
        (
            Some(types::ImageSize::Ratio3x4),
            Some(types::ImageQuality::Res2K),
            (1536, 2048),
        ),
        (
            Some(types::ImageSize::Ratio21x9),
            Some(types::ImageQuality::Res4K),
            (4096, 1755),
        ),
    ];
    for (i, (size, quality, expected)) in cases.into_iter().enumerate() {
        let mut req = request(&format!("a cat number {i}"));
        if let Some(size) = size {
            req = req.size(size);
        }
        if let Some(quality) = quality {
            req = req.quality(quality);
        }
        let generated = client.generate(req, dir.path()).await.unwrap();
        assert_eq!(generated.files.len(), 1);
        assert_eq!(png_size(&generated.files[0]), expected, "case {i}");
    }
    assert_eq!(sandbox.stats().creates, 5);
}

#[tokio::test]
async fn the_same_prompt_gives_the_same_bytes() {
    let sandbox = Sandbox::start(fast()).await.unwrap();
    let client = sdk(&sandbox);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = client
        .generate(
            request("a red fox").quality(types::ImageQuality::Res1K),
            a.path(),
        )
        .await
        .unwrap();
    let second = client
        .generate(
            request("a red fox").quality(types::ImageQuality::Res1K),
            b.path(),
        )
        .await
        .unwrap();
    let third = client
        .generate(
            request("a blue fox").quality(types::ImageQuality::Res1K),
            b.path(),
        )
        .await
        .unwrap();
    let read = |p: &std::path::PathBuf| std::fs::read(p).unwrap();
    assert_ne!(first.task.id, second.task.id);
    assert_eq!(read(&first.files[0]), read(&second.files[0]));
    assert_ne!(read(&first.files[0]), read(&third.files[0]));
}

#[tokio::test]
async fn tasks_move_from_pending_through_processing_to_completed() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.02,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = sdk(&sandbox);
    let created = client.create(request("a cat")).await.unwrap();
    assert_eq!(created.status, types::TaskStatus::Pending);
    // 45 simulated seconds at a 0.02 time scale: the estimate is reported in real seconds.
    assert_eq!(created.task_info.as_ref().unwrap().estimated_time, Some(1));
    assert_eq!(created.usage.as_ref().unwrap().credits_reserved, Some(1.6));
    let config = sandbox
        .client_config(KEY)
        .unwrap()
        .with_poll_schedule(PollSchedule::fixed(Duration::from_millis(60)));
    let polling = NanoBanana::new(&config).unwrap();
    let mut seen = Vec::new();
    polling
        .wait_with_progress(created.id.as_str(), |e| {
            seen.push((e.status.clone(), e.progress.unwrap_or(-1)))
        })
        .await
        .unwrap();
    assert!(
        seen.iter()
            .any(|(s, _)| *s == types::TaskStatus::Processing),
        "{seen:?}"
    );
    let progress: Vec<i64> = seen.iter().map(|(_, p)| *p).collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "rising: {progress:?}"
    );
    assert_eq!(seen.last().unwrap(), &(types::TaskStatus::Completed, 100));
}

async fn raw(
    sandbox: &SandboxHandle,
    method: &str,
    path: &str,
    key: Option<&str>,
    fault: Option<&str>,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let client = reqwest::Client::new();
    let mut request = client.request(
        method.parse().unwrap(),
        format!("{}{path}", sandbox.base_url()),
    );
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(fault) = fault {
        request = request.header(FAULT_HEADER, fault);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

#[tokio::test]
async fn every_documented_error_status_is_reachable_with_its_documented_body() {
    let sandbox = Sandbox::start(fast()).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    for status in [400, 401, 402, 403, 404, 413, 429, 500, 502, 503] {
        let (got, got_body, headers) = raw(
            &sandbox,
            "POST",
            "/v1/images/generations",
            Some(KEY),
            Some(&status.to_string()),
            Some(body.clone()),
        )
        .await;
        assert_eq!(got, status);
        assert_eq!(
            got_body,
            documented_body(SpecOperation::CreateTask, status).unwrap()
        );
        assert_eq!(
            headers.contains_key("retry-after"),
            matches!(status, 429 | 503),
            "{status}"
        );
    }
    assert_eq!(
        sandbox.stats().creates,
        0,
        "no task is created by an injected error"
    );
}

#[tokio::test]
async fn requests_without_the_right_key_get_the_documented_401() {
    let config = SandboxConfig {
        api_key: Some(KEY.into()),
        ..fast()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    for key in [None, Some(""), Some("sk-wrong"), Some("sk-sandbox-tes")] {
        let (status, got, _) = raw(
            &sandbox,
            "POST",
            "/v1/images/generations",
            key,
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, got),
            (
                401,
                documented_body(SpecOperation::CreateTask, 401).unwrap()
            ),
            "{key:?}"
        );
    }
    let (status, _, _) = raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn task_queries_answer_the_documented_400_and_404() {
    let sandbox = Sandbox::start(fast()).await.unwrap();
    let (status, body, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks/not-a-task",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (400, documented_body(SpecOperation::GetTask, 400).unwrap())
    );
    let (status, body, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks/task-unified-0-unknown",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (404, documented_body(SpecOperation::GetTask, 404).unwrap())
    );
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let config = SandboxConfig {
        max_body_bytes: 1000,
        ..fast()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "x".repeat(1500)});
    let (status, got, _) = raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(got["error"]["type"], "request_too_large_error");
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_and_the_sdk_waits_it_out() {
    let config = SandboxConfig {
        rate_limit_per_sec: Some(2),
        ..fast()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _, headers) = raw(
            &sandbox,
            "POST",
            "/v1/images/generations",
            Some(KEY),
            None,
            Some(body.clone()),
        )
        .await;
        statuses.push((
            status,
            headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
        ));
    }
    assert_eq!(
        statuses,
        [(200, None), (200, None), (429, Some("1".to_string()))]
    );
    // The SDK honours Retry-After: its create succeeds after waiting.
    let task = sdk(&sandbox).create(request("a cat")).await.unwrap();
    assert!(task.id.starts_with("task-unified-"));
}

#[tokio::test]
async fn faults_reach_the_sdk_as_the_right_errors_without_duplicate_creates() {
    let sandbox = Sandbox::start(fast()).await.unwrap();
    let client = sdk(&sandbox);

    // A dropped answer to a create: the task exists, the SDK must not create it again.
    sandbox.inject(Fault::Drop);
    let err = client.create(request("a cat")).await.unwrap_err();
    assert!(
        !err.is_retryable(nanobanana_api::errors::Operation::CreateTask),
        "{err:?}"
    );
    assert_eq!(sandbox.stats().creates, 1);

    // A truncated task query is retried and then succeeds.
    let created = client.create(request("a dog")).await.unwrap();
    sandbox.inject(Fault::Truncate);
    client.get_task(&created.id).await.unwrap();

    // A task made to fail.
    sandbox.inject(Fault::FailTask);
    let created = client.create(request("a bird")).await.unwrap();
    let err = client.wait(&created).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TaskFailed {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sandbox.stats().creates, 3);
}

#[tokio::test]
async fn result_links_expire_after_their_ttl() {
    let config = SandboxConfig {
        link_ttl: Duration::from_millis(100),
        ..fast()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = sdk(&sandbox);
    let created = client
        .create(request("a cat").quality(types::ImageQuality::Res1K))
        .await
        .unwrap();
    let task = client.wait(&created).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let dir = tempfile::tempdir().unwrap();
    let err = client.download(&task, dir.path()).await.unwrap_err();
    assert!(
        matches!(err, Error::Download { expired: true, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn old_tasks_and_files_are_evicted() {
    let config = SandboxConfig {
        task_ttl: Duration::from_millis(50),
        link_ttl: Duration::from_millis(50),
        ..fast()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let created = sdk(&sandbox).create(request("a cat")).await.unwrap();
    assert_eq!(sandbox.tasks_held(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sandbox.tasks_held(), 0, "evicted after the TTL");
    let (status, _, _) = raw(
        &sandbox,
        "GET",
        &format!("/v1/tasks/{}", created.id),
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// Records callback attempts and answers each from a script.
/// The callbacks a receiver got: when, and the body.
type Attempts = Arc<Mutex<Vec<(tokio::time::Instant, Value)>>>;

struct ScriptedReceiver {
    answers: Mutex<Vec<u16>>,
    attempts: Attempts,
}

impl CallbackTransport for ScriptedReceiver {
    fn post(
        &self,
        _url: String,
        body: Vec<u8>,
        _timeout: Duration,
    ) -> BoxFuture<Result<u16, String>> {
        let answer = self.answers.lock().unwrap().remove(0);
        self.attempts.lock().unwrap().push((
            tokio::time::Instant::now(),
            serde_json::from_slice(&body).unwrap(),
        ));
        Box::pin(async move {
            if answer == 0 {
                Err("connection refused".into())
            } else {
                Ok(answer)
            }
        })
    }
}

#[tokio::test(start_paused = true)]
async fn callbacks_follow_the_documented_retry_schedule() {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let receiver = ScriptedReceiver {
        answers: Mutex::new(vec![500, 0, 204]),
        attempts: attempts.clone(),
    };
    let config = SandboxConfig {
        time_scale: 1.0,
        estimated_time_secs: 3,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start_with_transport(config, Arc::new(receiver))
        .await
        .unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": "https://hooks.example.com/nb"});
    let (status, created, _) = raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 3, "500, refused, then 204");
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert_eq!(gaps, [Duration::from_secs(1), Duration::from_secs(2)]);
    let delivered = &attempts[2].1;
    assert_eq!(
        (delivered["id"].clone(), delivered["status"].clone()),
        (created["id"].clone(), json!("completed"))
    );
    assert_eq!(sandbox.stats().callbacks_delivered, 1);
}

/// A sandbox of 1 s tasks whose callbacks go to a receiver answering 500 `answers` times, and
/// the times of the attempts it received.
async fn refusing_receiver_sandbox(answers: usize) -> (SandboxHandle, Attempts) {
    let attempts = Attempts::default();
    let receiver = ScriptedReceiver {
        answers: Mutex::new(vec![500; answers]),
        attempts: attempts.clone(),
    };
    let config = SandboxConfig {
        time_scale: 1.0,
        estimated_time_secs: 1,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start_with_transport(config, Arc::new(receiver))
        .await
        .unwrap();
    (sandbox, attempts)
}

#[tokio::test(start_paused = true)]
async fn a_callback_is_given_up_after_three_retries() {
    let (sandbox, attempts) = refusing_receiver_sandbox(4).await;
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": "https://hooks.example.com/nb"});
    raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let gaps: Vec<u64> = attempts
        .lock()
        .unwrap()
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).as_secs())
        .collect();
    assert_eq!(gaps, [1, 2, 4]);
    assert_eq!(sandbox.stats().callbacks_failed, 1);
}

#[tokio::test]
async fn a_local_receiver_gets_the_task_when_insecure_callbacks_are_allowed() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Value>(1);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                tx.send(body).await.unwrap();
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sandbox = Sandbox::start(SandboxConfig {
        allow_insecure_callbacks: true,
        ..fast()
    })
    .await
    .unwrap();
    // The SDK itself refuses http callbacks (the API does); a local test sends the request raw.
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": hook});
    let (status, created, _) = raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "allowed by the flag");
    let delivered = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivered["id"], created["id"]);
    assert_eq!(delivered["status"], "completed");
    assert!(delivered["results"][0]
        .as_str()
        .unwrap()
        .starts_with(sandbox.files_base_url()));
    // The receiver has the body before the sandbox has read its 204.
    for _ in 0..100 {
        if sandbox.stats().callbacks_delivered == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sandbox.stats().callbacks_delivered, 1);
}

#[tokio::test]
async fn credits_count_what_the_tasks_reserved() {
    let sandbox = Sandbox::start(SandboxConfig {
        initial_credits: 100.0,
        ..fast()
    })
    .await
    .unwrap();
    let client = sdk(&sandbox);
    client.create(request("a cat")).await.unwrap();
    client
        .create(request("a cat").quality(types::ImageQuality::Res4K))
        .await
        .unwrap();
    let credits = client.credits().await.unwrap();
    let user = credits.data.user.unwrap();
    assert_eq!(user.used_credits, Some(4.8), "1.6 for 2K plus 3.2 for 4K");
    assert_eq!(user.remaining_credits, Some(95.2));
    assert_eq!(credits.data.token.unwrap().unlimited_credits, Some(false));
}

#[tokio::test(start_paused = true)]
async fn a_graceful_shutdown_gives_pending_callbacks_one_last_attempt_and_says_what_it_dropped() {
    let (sandbox, attempts) = refusing_receiver_sandbox(8).await;
    let create = |prompt: &str| json!({"model": "nano-banana-2-lite", "prompt": prompt, "callback_url": "https://hooks.example.com/nb"});
    raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(create("ended")),
    )
    .await;
    // The first task ends at 1 s; its callback fails and waits 1 s before its first retry.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    raw(
        &sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(create("running")),
    )
    .await;
    assert_eq!(attempts.lock().unwrap().len(), 1);
    let started = tokio::time::Instant::now();
    let stats = sandbox.shutdown_within(Duration::from_secs(10)).await;
    // The ended task's callback made its next attempt at once, and no more; the running
    // task's callback was dropped; nothing is left pending; no need to wait out the grace.
    assert_eq!(attempts.lock().unwrap().len(), 2);
    assert_eq!(
        (
            stats.callbacks_failed,
            stats.callbacks_dropped,
            stats.callbacks_pending
        ),
        (1, 1, 0)
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
