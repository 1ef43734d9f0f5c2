//! Shared by the SDK tests: a client for a wiremock server, and task bodies.
#![allow(dead_code)]

use std::time::Duration;

use nanobanana_api::{config::ClientConfig, config::PollSchedule, config::RetryPolicy, NanoBanana};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The key the tests use; no output may ever contain it.
pub use nanobanana_test_kit::KEY;

/// Retries without jitter, so delays are exact.
pub fn policy() -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    policy.max_attempts = 4;
    policy.initial_delay = Duration::from_secs(1);
    policy.max_delay = Duration::from_secs(60);
    policy.jitter = false;
    policy
}

/// A config for `server` with deterministic retries and no timers (paused-clock friendly).
pub fn config(server: &MockServer) -> ClientConfig {
    ClientConfig::new(KEY)
        .unwrap()
        .with_base_url(server.uri())
        .unwrap()
        .with_retry_policy(policy())
        .with_poll_schedule(PollSchedule::default())
        .without_timeouts()
}

/// The SDK client for `server`.
pub fn client(server: &MockServer) -> NanoBanana {
    NanoBanana::new(&config(server)).unwrap()
}

/// A create response for `id` with an estimate.
pub fn created(id: &str, estimated_time: u64) -> Value {
    json!({
        "id": id, "status": "pending", "progress": 0, "object": "image.generation.task",
        "task_info": {"can_cancel": true, "estimated_time": estimated_time},
        "usage": {"billing_rule": "per_call", "credits_reserved": 1.6, "user_group": "default"},
    })
}

/// Mounts on `api` a create that answers task `id`, and a query of it that answers it
/// completed with `results`.
pub async fn mount_completed_task(api: &MockServer, id: &str, results: &[String]) {
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(created(id, 0)))
        .mount(api)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/tasks/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(task(id, "completed", 100, results)))
        .mount(api)
        .await;
}

/// A task query body.
pub fn task(id: &str, status: &str, progress: i64, results: &[String]) -> Value {
    json!({"id": id, "status": status, "progress": progress, "results": results})
}

/// An error body as the API documents it.
pub fn error_body(code: u16, kind: &str, message: &str, suggestion: Option<&str>) -> Value {
    let mut error = json!({"code": code, "message": message, "type": kind});
    if let Some(s) = suggestion {
        error["fallback_suggestion"] = json!(s);
    }
    json!({ "error": error })
}

/// A small but real PNG header followed by `len - 8` payload bytes.
pub fn png_bytes(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len.saturating_sub(8)).map(|i| (i % 251) as u8));
    bytes
}

/// Asserts that neither the Display nor the Debug of `error` shows the key.
pub fn assert_key_hidden(error: &dyn std::fmt::Debug, display: &str) {
    let debug = format!("{error:?}");
    assert!(!debug.contains(KEY), "key in Debug: {debug}");
    assert!(!display.contains(KEY), "key in Display: {display}");
}
