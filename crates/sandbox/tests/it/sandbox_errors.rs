//! The sandbox's errors, through raw HTTP and the SDK: every documented status with its
//! documented body, the key, task ids, body size, the rate limit and injected faults.

use nanobanana_api::Error;
use nanobanana_sandbox::contract::{documented_body, SpecOperation};
use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig};
use nanobanana_test_kit::sandbox::{
    fast_client, fast_config, lite_request, raw, raw_create, start,
};
use nanobanana_test_kit::KEY;
use serde_json::json;

/// `body` without the request id it carries, which must be the `x-request-id` answered with it.
fn without_request_id(
    mut body: serde_json::Value,
    headers: &reqwest::header::HeaderMap,
) -> serde_json::Value {
    let id = body["error"]
        .as_object_mut()
        .and_then(|e| e.remove("request_id"))
        .expect("every error body carries a request id");
    assert_eq!(
        Some(id.as_str().unwrap()),
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        "the body's request id is the header's"
    );
    body
}

#[tokio::test]
async fn every_documented_error_status_is_reachable_with_its_documented_body() {
    let sandbox = start().await;
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
        let mut documented = documented_body(SpecOperation::CreateTask, status).unwrap();
        if matches!(status, 429 | 503) {
            // The body's words agree with its Retry-After header.
            documented["error"]["fallback_suggestion"] = json!("retry after 1 seconds");
        }
        assert_eq!(without_request_id(got_body, &headers), documented);
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
        ..fast_config()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    for key in [None, Some(""), Some("sk-wrong"), Some("sk-sandbox-tes")] {
        let (status, got, headers) = raw(
            &sandbox,
            "POST",
            "/v1/images/generations",
            key,
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, without_request_id(got, &headers)),
            (
                401,
                documented_body(SpecOperation::CreateTask, 401).unwrap()
            ),
            "{key:?}"
        );
    }
    let (status, _, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn task_queries_answer_the_documented_400_and_404() {
    let sandbox = start().await;
    for (id, status) in [("not-a-task", 400), ("task-unified-0-unknown", 404)] {
        let path = format!("/v1/tasks/{id}");
        let (got, body, headers) = raw(&sandbox, "GET", &path, Some(KEY), None, None).await;
        assert_eq!(
            (got, without_request_id(body, &headers)),
            (
                status,
                documented_body(SpecOperation::GetTask, status).unwrap()
            ),
            "{id}"
        );
    }
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let config = SandboxConfig {
        max_body_bytes: 1000,
        ..fast_config()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "x".repeat(1500)});
    let (status, got, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 413);
    assert_eq!(got["error"]["type"], "request_too_large_error");
    assert_eq!(got["error"]["param"], "body");
    // The advice fits the cause, not the documented example's image-size one.
    assert!(!got["error"]["fallback_suggestion"]
        .as_str()
        .unwrap()
        .contains("4MB"));
}

#[tokio::test]
async fn too_many_images_is_a_413_whose_advice_is_the_models_count() {
    let sandbox = start().await;
    let body = json!({"model": "nano-banana-2-lite", "prompt": "x", "image_urls": vec!["https://e.com/a.png"; 11]});
    let (status, got, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 413);
    assert_eq!(got["error"]["param"], "image_urls");
    assert_eq!(
        got["error"]["fallback_suggestion"],
        "send at most 10 images"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_and_the_sdk_waits_it_out() {
    let config = SandboxConfig {
        rate_limit_per_sec: Some(2),
        ..fast_config()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _, headers) = raw_create(&sandbox, body.clone()).await;
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
    let task = fast_client(&sandbox)
        .create(lite_request("a cat"))
        .await
        .unwrap();
    assert!(task.id.starts_with("task-unified-"));
}

#[tokio::test]
async fn faults_reach_the_sdk_as_the_right_errors_without_duplicate_creates() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);

    // A dropped answer to a create: the task exists; the SDK resends the create with the same
    // Idempotency-Key and gets that task back (replayed), never a second one.
    sandbox.inject(Fault::Drop);
    let created = client.create(lite_request("a cat")).await.unwrap();
    assert!(created.replayed, "{created:?}");
    assert_eq!(sandbox.stats().creates, 1);

    // A truncated task query is retried and then succeeds.
    let created = client.create(lite_request("a dog")).await.unwrap();
    sandbox.inject(Fault::Truncate);
    client.get_task(&created.id).await.unwrap();

    // A task made to fail.
    sandbox.inject(Fault::FailTask);
    let created = client.create(lite_request("a bird")).await.unwrap();
    let err = client.wait(&created).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TaskFailed {
                documented: Some(nanobanana_api::lineup::TaskErrorCode {
                    resubmit: nanobanana_api::lineup::Resubmit::Same,
                    ..
                }),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sandbox.stats().creates, 3);
}
