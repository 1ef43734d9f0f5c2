//! The generated client against a wiremock server answering with the spec's documented examples.

use nanobanana_api::{config::ClientConfig, raw::Client, types};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "sk-test-9f8e7d6c5b4a";

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/openapi.yaml"
    ))
    .expect("spec/openapi.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("spec/openapi.yaml parses")
}

/// The documented example at `pointer` in the spec.
fn example(pointer: &str) -> Value {
    spec()
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}

/// A JSON Schema validator for `components/schemas/<name>`, resolving `$ref`s in the spec.
fn component_validator(name: &str) -> jsonschema::Validator {
    let spec = spec();
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": spec["components"],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the spec's schema compiles as JSON Schema")
}

async fn client_for(server: &MockServer) -> Client {
    ClientConfig::new(SECRET)
        .unwrap()
        .with_base_url(server.uri())
        .unwrap()
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_returns_the_documented_example_and_sends_a_valid_authenticated_request() {
    let server = MockServer::start().await;
    let documented = example(
        "/paths/~1v1~1images~1generations/post/responses/200/content/application~1json/examples/example/value",
    );
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&documented))
        .expect(1)
        .mount(&server)
        .await;

    let client = client_for(&server).await;
    let task = client
        .create_image_generation()
        .body(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt("A cat playing on the grass")
                .size(types::ImageSize::Ratio16x9)
                .quality(types::ImageQuality::Res4K)
                .image_urls(vec!["https://example.com/cat.png".to_string()]),
        )
        .send()
        .await
        .expect("the documented 200 parses")
        .into_inner();

    // Nothing lost, renamed or defaulted in: the typed value serializes back to the example.
    assert_eq!(serde_json::to_value(&task).unwrap(), documented);
    assert_eq!(task.id, "task-unified-1757165031-uyujaw3d");
    assert_eq!(task.status, types::TaskStatus::Pending);
    assert_eq!(task.created, Some(1757165031));
    assert_eq!(task.progress, Some(0));
    assert_eq!(task.object, Some(types::TaskObject::ImageGenerationTask));
    assert_eq!(task.type_, Some(types::TaskType::Image));
    let info = task.task_info.expect("task_info");
    assert_eq!(info.estimated_time, Some(45));
    assert_eq!(info.can_cancel, Some(true));
    let usage = task.usage.expect("usage");
    assert_eq!(usage.credits_reserved, Some(1.6));
    assert_eq!(usage.billing_rule, Some(types::BillingRule::PerCall));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(
        sent.headers.get("authorization").unwrap().to_str().unwrap(),
        format!("Bearer {SECRET}")
    );
    assert!(sent
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("nanobanana/"));
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "nano-banana-2-lite",
            "prompt": "A cat playing on the grass",
            "size": "16:9",
            "quality": "4K",
            "image_urls": ["https://example.com/cat.png"],
        })
    );
    let validator = component_validator("ImageGenerationRequest");
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "request body breaks the spec: {errors:?}"
    );
}

#[test]
fn the_request_validator_rejects_what_the_spec_forbids() {
    // Guards the test above: a validator that accepted anything would prove nothing.
    let validator = component_validator("ImageGenerationRequest");
    for bad in [
        json!({"prompt": "no model"}),
        // Any model name is valid (the enum is open); a non-string is not.
        json!({"model": 42, "prompt": "x"}),
        json!({"model": "nano-banana-2-lite", "prompt": "x", "size": "7:5"}),
        json!({"model": "nano-banana-2-lite", "prompt": "x".repeat(2001)}),
        json!({"model": "nano-banana-2-lite", "prompt": "x", "image_urls": vec!["https://e.com/a.png"; 15]}),
    ] {
        assert!(!validator.is_valid(&bad), "accepted {bad}");
    }
    assert!(validator.is_valid(&json!({"model": "nano-banana-2-lite", "prompt": "x"})));
    assert!(validator.is_valid(&json!({"model": "a-model-from-tomorrow", "prompt": "x"})));
}

#[tokio::test]
async fn get_task_returns_the_completed_example_with_its_results() {
    let server = MockServer::start().await;
    let documented = example(
        "/paths/~1v1~1tasks~1{task_id}/get/responses/200/content/application~1json/examples/completed/value",
    );
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-1756817821-4x3rx6ny"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&documented))
        .expect(1)
        .mount(&server)
        .await;

    let client = client_for(&server).await;
    let detail = client
        .get_task_detail()
        .task_id("task-unified-1756817821-4x3rx6ny")
        .send()
        .await
        .expect("the completed example parses")
        .into_inner();

    assert_eq!(detail.status, types::TaskStatus::Completed);
    assert_eq!(detail.progress, Some(100));
    assert_eq!(
        detail.results,
        vec!["http://example.com/image.jpg".to_string()]
    );
    assert_eq!(detail.model.as_deref(), Some("gpt-4o-image"));
    assert_eq!(detail.task_info.and_then(|i| i.can_cancel), Some(false));
    assert_eq!(detail.error, None);
}

#[tokio::test]
async fn errors_carry_the_typed_body_and_never_the_key() {
    let server = MockServer::start().await;
    let documented = example(
        "/paths/~1v1~1tasks~1{task_id}/get/responses/401/content/application~1json/examples/example/value",
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(&documented))
        .mount(&server)
        .await;

    let client = client_for(&server).await;
    let err = client
        .get_task_detail()
        .task_id("task-unified-1")
        .send()
        .await
        .expect_err("401 is an error");
    match &err {
        nanobanana_api::raw::Error::ErrorResponse(body) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(
                body.error.code,
                Some(types::ErrorCode::String("unauthorized".into()))
            );
            assert_eq!(body.error.type_.as_deref(), Some("authentication_error"));
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(SECRET), "key leaked: {text}");
    }
}

#[tokio::test]
async fn transport_errors_never_show_the_key() {
    // A port that was just free: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ClientConfig::new(SECRET)
        .unwrap()
        .with_base_url(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .build()
        .unwrap();
    let err = client
        .get_task_detail()
        .task_id("task-unified-1")
        .send()
        .await
        .expect_err("nothing listens there");
    assert!(
        matches!(err, nanobanana_api::raw::Error::CommunicationError(_)),
        "{err:?}"
    );
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(SECRET), "key leaked: {text}");
    }
}

#[tokio::test]
async fn an_over_long_prompt_is_rejected_before_any_request() {
    let server = MockServer::start().await;
    let client = client_for(&server).await;
    let err = client
        .create_image_generation()
        .body(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt("x".repeat(2001)),
        )
        .send()
        .await
        .expect_err("2001 characters is over the limit");
    assert!(
        matches!(err, nanobanana_api::raw::Error::InvalidRequest(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("2000"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}
