//! The request journal: what a client sent, as the sandbox saw it, for a test to assert on
//! (`SandboxHandle::requests`) and for a person (`GET /__sandbox/requests`).

use nanobanana_api::files::Upload;
use nanobanana_api::{types, Error, ImageRequest, NanoBanana};
use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig};
use serde_json::json;

/// A key long enough for the journal to hint at (its last four characters).
const KEY: &str = "sk-journal-test-key-9f3e";

#[tokio::test]
async fn the_journal_lists_what_the_client_sent_accepted_and_refused() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.001,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = NanoBanana::new(&sandbox.client_config(KEY).unwrap()).unwrap();
    let created = client
        .create(
            ImageRequest::new(types::ImageModel::NanoBanana2Lite, "a cat")
                .size(types::ImageSize::Ratio16x9),
        )
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
    // What the SDK sent, field by field, and which key (by its last characters only).
    assert_eq!(
        accepted.body,
        Some(json!({"model": "nano-banana-2-lite", "prompt": "a cat", "size": "16:9"}))
    );
    assert_eq!(accepted.key_hint.as_deref(), Some("…9f3e"));
    assert_eq!(rejected.status, 404);
    assert_eq!(rejected.param.as_deref(), Some("model"));
    assert!(rejected.message.is_some(), "{rejected:?}");
    assert_eq!(
        rejected.body.as_ref().unwrap()["model"],
        "nano-banana-from-tomorrow"
    );
    // The key is never kept.
    assert!(!format!("{journal:?}").contains(KEY));

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

#[tokio::test]
async fn uploads_are_journaled_with_their_image_described_not_kept() {
    let sandbox = nanobanana_test_kit::sandbox::start().await;
    let client = NanoBanana::new(&sandbox.client_config(KEY).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("cat.png");
    nanobanana_test_kit::write_png(&photo);
    let size = std::fs::metadata(&photo).unwrap().len();
    client
        .files()
        .upload(Upload::file(&photo).upload_path("pets"))
        .await
        .unwrap();
    client
        .files()
        .upload(Upload::bytes(std::fs::read(&photo).unwrap()))
        .await
        .unwrap();

    let journal = sandbox.requests();
    let bodies: Vec<_> = journal.iter().map(|e| e.body.clone().unwrap()).collect();
    assert_eq!(
        bodies[0],
        json!({"file": format!("<cat.png: image/png, {size} bytes>"), "upload_path": "pets"})
    );
    assert_eq!(
        bodies[1]["base64_data"],
        format!("<image/png, {size} bytes as base64>")
    );
    assert!(journal.iter().all(|e| e.status == 200), "{journal:#?}");
}

#[tokio::test]
async fn a_path_no_route_matches_is_journaled_as_no_operation_and_answered_the_documented_404() {
    let sandbox = nanobanana_test_kit::sandbox::start().await;
    let http = reqwest::Client::new();
    let api = sandbox.base_url().to_string();
    let files = sandbox.files_base_url().to_string();
    // Beside, below and under the API's operations: none is one of them.
    for (base, path) in [
        (&api, "/v1/nothing"),
        (&api, "/v1/tasks/task-unified-1-x/results"),
        (&api, "/v1/images/generations/extra"),
        (&files, "/api/v1/files/upload/url/extra"),
    ] {
        let answer = http
            .post(format!("{base}{path}"))
            .bearer_auth(KEY)
            .json(&json!({"model": "nano-banana-2-lite", "prompt": "a cat"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{path}");
        let body: serde_json::Value = answer.json().await.unwrap();
        // The image API's 404 on its address, the file service's on its own.
        if base == &api {
            assert_eq!(body["error"]["code"], 404, "{path}: {body}");
            assert_eq!(body["error"]["type"], "not_found_error", "{path}: {body}");
            assert_eq!(
                body["error"]["message"], "No such endpoint",
                "{path}: {body}"
            );
            assert!(body["error"]["request_id"].is_string(), "{path}: {body}");
        } else {
            assert_eq!(body["success"], false, "{path}: {body}");
            assert_eq!(body["code"], 404, "{path}: {body}");
            assert_eq!(body["msg"], "No such endpoint", "{path}: {body}");
        }
        let entry = sandbox.requests().pop().unwrap();
        assert_eq!(entry.path, path);
        assert_eq!(entry.operation, None, "{path}: no operation, not a create");
        assert_eq!(entry.status, 404);
        assert_eq!(entry.task_id, None, "{path}");
        assert_eq!(entry.message.as_deref(), Some("No such endpoint"), "{path}");
        let error_type = (base == &api).then_some("not_found_error");
        assert_eq!(entry.error_type.as_deref(), error_type, "{path}");
    }
    assert_eq!(sandbox.requests().len(), 4);
    // Not counted as refused creates or uploads either.
    assert_eq!(sandbox.stats().creates_rejected, 0);
    assert_eq!(sandbox.stats().uploads_rejected, 0);
    let unmatched: serde_json::Value = reqwest::get(format!(
        "{api}/__sandbox/requests?operation=create_image_generation"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(unmatched, json!([]));
}
