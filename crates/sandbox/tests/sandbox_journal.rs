//! The request journal: what a client sent, as the sandbox saw it, for a test to assert on
//! (`SandboxHandle::requests`) and for a person (`GET /__sandbox/requests`).

use nanobanana_api::{types, Error, ImageRequest, NanoBanana};
use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig};

#[tokio::test]
async fn the_journal_lists_what_the_client_sent_accepted_and_refused() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.001,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = NanoBanana::new(&sandbox.client_config("sk-journal").unwrap()).unwrap();
    let created = client
        .create(ImageRequest::new(
            types::ImageModel::NanoBanana2Lite,
            "a cat",
        ))
        .await
        .unwrap();
    // A request the SDK lets through (an unknown model's widest limits) and the sandbox refuses.
    let refused = client
        .create(ImageRequest::new("nano-banana-from-tomorrow", "a cat"))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::NotFound(_)), "{refused:?}");

    let journal = sandbox.requests();
    assert_eq!(journal.len(), 2, "{journal:#?}");
    let (accepted, rejected) = (&journal[0], &journal[1]);
    assert_eq!(accepted.method, "POST");
    assert_eq!(accepted.path, "/v1/images/generations");
    assert_eq!(
        accepted.operation.as_deref(),
        Some("create_image_generation")
    );
    assert_eq!(accepted.status, 200);
    assert_eq!(accepted.task_id.as_deref(), Some(created.id.as_str()));
    assert_eq!(accepted.error_type, None);
    assert_eq!(rejected.status, 404);
    assert_eq!(rejected.param.as_deref(), Some("model"));
    assert!(rejected.message.is_some(), "{rejected:?}");
    // The key is never kept.
    assert!(!format!("{journal:?}").contains("sk-journal"));

    // The same, newest first, as JSON, filtered by status.
    let url = format!("{}/__sandbox/requests", sandbox.base_url());
    let all: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(all[0]["status"], 404);
    assert_eq!(all[1]["task_id"], created.id.as_str());
    let refusals: serde_json::Value = reqwest::get(format!("{url}?status=404"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refusals.as_array().unwrap().len(), 1);
    assert_eq!(refusals[0]["param"], "model");
    // Reading the journal is not itself journaled.
    assert_eq!(sandbox.requests().len(), 2);
}

#[tokio::test]
async fn an_injected_fault_and_a_task_query_are_journaled() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.001,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut live = sandbox.watch_requests();
    sandbox.inject(Fault::Status(503));
    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{}/v1/tasks/task-unified-1-x", sandbox.base_url()))
        .bearer_auth("sk-any")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    let entry = live.recv().await.unwrap();
    assert_eq!(entry.operation.as_deref(), Some("get_task_detail"));
    assert_eq!(entry.task_id.as_deref(), Some("task-unified-1-x"));
    assert_eq!(entry.status, 503);
    assert_eq!(entry.fault.as_deref(), Some("Status(503)"));
    assert_eq!(
        entry.error_type.as_deref(),
        Some("service_unavailable_error")
    );
}
