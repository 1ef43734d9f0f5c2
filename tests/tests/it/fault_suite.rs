//! The fault suite: every fault the sandbox can inject, through the SDK, one test each. For
//! each, the outcome (success after a retry, or a clear typed error), and the sandbox's counters
//! prove no create was sent twice and no completed image was lost. All logs, at every level, are
//! captured and must never contain the API key; nor may any error's Display or Debug.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
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

/// Every log line of this test binary, at every level (one subscriber for all the tests).
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish(),
        )
        .expect("the only subscriber of this binary");
        logs
    })
}

/// The key is in no error's Display or Debug, and in no log line so far.
fn assert_key_hidden(err: &Error) {
    let (display, debug) = (err.to_string(), format!("{err:?}"));
    assert!(
        !display.contains(KEY) && !debug.contains(KEY),
        "key in an error: {debug}"
    );
    assert_logs_hide_the_key();
}

fn assert_logs_hide_the_key() {
    let logs = String::from_utf8(logs().0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains(KEY), "the key appears in the logs");
}

/// Waits (at most 10 s) until `done` holds, checking every 10 ms: an observable state, not a
/// guess at how long something takes.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const FAST_TIMEOUT: Duration = Duration::from_secs(5);

/// A create refused with `status` (429 with Retry-After, 503) is retried: one task, an image.
async fn refused_create_is_retried(status: u16) {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Status(status));
    let generated = client(&sandbox, FAST_TIMEOUT)
        .generate(request("refused"), dir.path())
        .await
        .unwrap();
    assert_eq!(sandbox.stats().creates, 1, "{status}: exactly one task");
    assert!(generated.files[0].exists());
    assert_logs_hide_the_key();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_429_with_retry_after_succeeds_after_one_retry() {
    refused_create_is_retried(429).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_503_succeeds_after_one_retry() {
    refused_create_is_retried(503).await;
}

/// A create answered `status` (500, 502) is never retried: it may have been billed.
async fn failed_create_is_not_retried(status: u16, variant_name: &str) {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Status(status));
    let err = client(&sandbox, FAST_TIMEOUT)
        .generate(request("failed"), dir.path())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Not retried automatically"),
        "{err}"
    );
    assert_eq!(variant(&err), variant_name, "{err:?}");
    assert_eq!(
        sandbox.stats().creates + sandbox.stats().creates_rejected,
        1,
        "{status}: one create call"
    );
    assert_key_hidden(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_500_is_an_internal_error_not_retried() {
    failed_create_is_not_retried(500, "Internal").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_502_is_an_upstream_error_not_retried() {
    failed_create_is_not_retried(502, "Upstream").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answer_dropped_after_the_task_was_made_is_resent_with_its_key_and_paid_once() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Drop);
    let saved = client(&sandbox, FAST_TIMEOUT)
        .generate(request("drop"), dir.path())
        .await
        .unwrap();
    assert!(saved.files[0].exists());
    assert_eq!(
        sandbox.stats().creates,
        1,
        "created once: the resend was a replay"
    );
    let keys: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("create_image_generation"))
        .map(|e| (e.idempotency_key, e.replayed))
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].0.is_some() && keys[0].0 == keys[1].0, "{keys:?}");
    assert_logs_hide_the_key();
}

/// A task query whose answer suffers `fault` is retried and the image saved.
async fn faulty_query_is_retried(fault: Fault) {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    let client = client(&sandbox, Duration::from_millis(500));
    let created = client.create(request("query")).await.unwrap();
    sandbox.inject(fault);
    let task = client.wait(&created).await.unwrap();
    let files = client.download(&task, dir.path()).await.unwrap();
    assert!(files[0].exists());
    assert_eq!(sandbox.stats().creates, 1);
    assert_logs_hide_the_key();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_task_query_is_retried_and_the_image_saved() {
    faulty_query_is_retried(Fault::Drop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_query_slower_than_the_timeout_is_retried_and_the_image_saved() {
    faulty_query_is_retried(Fault::Slow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_slower_than_the_timeout_is_resent_with_its_key_and_never_a_second_task() {
    logs();
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::Slow);
    let created = client(&sandbox, Duration::from_millis(500))
        .create(request("slow"))
        .await
        .unwrap();
    // The resend (same key) made the task; the abandoned slow call, handled later with the
    // same key and body, is answered with that task: never a second.
    // (Its 2 s delay is over by then, if the server still handles it.)
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(sandbox.stats().creates, 1, "never two tasks: {created:?}");
    let err = {
        let mut off = quick_retries(Duration::from_millis(20));
        off.resend_unknown_creates = false;
        sandbox.inject(Fault::Slow);
        NanoBanana::new(
            &client_config(&sandbox, off).with_request_timeout(Duration::from_millis(500)),
        )
        .unwrap()
        .create(request("slow, not resent"))
        .await
        .unwrap_err()
    };
    // With resends off, the create was not sent again: a timeout, whose outcome is unknown.
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.outcome_unknown() && !err.is_retryable(Operation::CreateTask));
    assert_key_hidden(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_image_body_is_resumed_with_range_and_completes() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    let client = client(&sandbox, FAST_TIMEOUT);
    let created = client.create(request("truncate")).await.unwrap();
    let task = client.wait(&created).await.unwrap();
    sandbox.inject(Fault::Truncate);
    let files = client.download(&task, dir.path()).await.unwrap();
    let bytes = std::fs::read(&files[0]).unwrap();
    assert!(
        bytes.starts_with(b"\xFF\xD8\xFF") && bytes.len() > 1000,
        "a whole JPEG"
    );
    assert_logs_hide_the_key();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_result_url_is_a_download_error_naming_the_task() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig {
        link_ttl: Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .await;
    let client = client(&sandbox, FAST_TIMEOUT);
    let created = client.create(request("expire")).await.unwrap();
    let task = client.wait(&created).await.unwrap();
    // Until the result link answers as expired (its 50 ms lifetime passed).
    let url = task.results[0].clone();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while reqwest::get(&url).await.unwrap().status().is_success() {
        assert!(
            std::time::Instant::now() < deadline,
            "the link never expired"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let err = client.download(&task, dir.path()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Download { expired: true, task_id, .. } if *task_id == task.id),
        "{err:?}"
    );
    assert_key_hidden(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_ends_failed_is_task_failed_naming_the_task() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    sandbox.inject(Fault::FailTask);
    let err = client(&sandbox, FAST_TIMEOUT)
        .generate(request("fail"), dir.path())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::TaskFailed { .. }), "{err:?}");
    assert_eq!(sandbox.stats().creates, 1);
    assert_key_hidden(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_receiver_that_is_down_is_given_up_and_polling_still_saves_the_image() {
    logs();
    let dir = tempfile::tempdir().unwrap();
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
    let client = client(&sandbox, FAST_TIMEOUT);
    let task = client.wait(&created).await.unwrap();
    assert!(client.download(&task, dir.path()).await.unwrap()[0].exists());
    until("the callback to be given up", || {
        sandbox.stats().callbacks_failed == 1
    })
    .await;
    assert_eq!(sandbox.stats().callbacks_failed, 1);
    assert_logs_hide_the_key();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_of_the_suite_are_captured_at_every_level() {
    // One generation through the SDK writes TRACE lines; they are captured, and hide the key.
    logs();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(SandboxConfig::default()).await;
    client(&sandbox, FAST_TIMEOUT)
        .generate(request("logs"), dir.path())
        .await
        .unwrap();
    let captured = String::from_utf8(logs().0.lock().unwrap().clone()).unwrap();
    assert!(captured.lines().count() > 5, "TRACE logs were captured");
    assert_logs_hide_the_key();
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
