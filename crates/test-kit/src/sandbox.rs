//! A sandbox whose tasks take milliseconds, and SDK clients for it that retry and poll as fast.

use std::time::Duration;

use nanobanana_api::{
    config::ClientConfig, config::PollSchedule, config::RetryPolicy, types, NanoBanana,
};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle, FAULT_HEADER};
use serde_json::Value;

use crate::KEY;

/// The time scale of a fast sandbox: a task of 45 s takes 90 ms.
pub const FAST: f64 = 0.002;

/// The default settings on the fast time scale (any key accepted).
pub fn fast_config() -> SandboxConfig {
    SandboxConfig {
        time_scale: FAST,
        ..SandboxConfig::default()
    }
}

/// A sandbox of [`fast_config`].
pub async fn start() -> SandboxHandle {
    Sandbox::start(fast_config())
        .await
        .expect("a sandbox starts on loopback")
}

/// A fast sandbox that accepts only [`KEY`], its tasks taking 45 s × `time_scale`.
pub async fn start_keyed(time_scale: f64) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        time_scale,
        api_key: Some(KEY.into()),
        ..SandboxConfig::default()
    })
    .await
    .expect("a sandbox starts on loopback")
}

/// Retries without jitter starting at `initial_delay` (the default number of attempts).
pub fn quick_retries(initial_delay: Duration) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    policy.initial_delay = initial_delay;
    policy.jitter = false;
    policy
}

/// The settings of a client for `sandbox`: [`KEY`], `retries`, and polls every 10 ms around
/// the sandbox's (scaled) estimate.
pub fn client_config(sandbox: &SandboxHandle, retries: RetryPolicy) -> ClientConfig {
    sandbox
        .client_config(KEY)
        .expect("the sandbox's addresses make a config")
        .with_retry_policy(retries)
        .with_poll_schedule({
            let mut polls = PollSchedule::default();
            polls.min_interval = Duration::from_millis(10);
            polls
        })
}

/// A client of [`client_config`].
pub fn client(sandbox: &SandboxHandle, retries: RetryPolicy) -> NanoBanana {
    NanoBanana::new(&client_config(sandbox, retries)).expect("a client for the sandbox")
}

/// [`client`] with retries starting at 10 ms.
pub fn fast_client(sandbox: &SandboxHandle) -> NanoBanana {
    client(sandbox, quick_retries(Duration::from_millis(10)))
}

/// A request for `nano-banana-2-lite` with `prompt`.
pub fn lite_request(prompt: &str) -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt(prompt)
}

/// One HTTP call to the sandbox's API address, outside the SDK: `key` as a bearer token,
/// `fault` in the fault header, `body` as JSON. The status, the JSON body (`null` when not
/// JSON) and the headers.
pub async fn raw(
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

/// `POST /v1/images/generations` with `body` and [`KEY`], outside the SDK.
pub async fn raw_create(
    sandbox: &SandboxHandle,
    body: Value,
) -> (u16, Value, reqwest::header::HeaderMap) {
    raw(
        sandbox,
        "POST",
        "/v1/images/generations",
        Some(KEY),
        None,
        Some(body),
    )
    .await
}
