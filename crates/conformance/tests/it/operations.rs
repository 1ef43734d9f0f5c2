//! Every documented response of every operation, served by wiremock and received through the
//! generated client: error statuses arrive as `Error::ErrorResponse` with the typed body, success
//! bodies as the typed value, and the requests the client sends satisfy the spec.

use conformance::bindings::{call_operation, CallOutcome, OPERATIONS};
use conformance::operations::{documented_responses, example_request, expected_path, operations};
use conformance::spec::Spec;
use nanobanana_api::{config::ClientConfig, types};
use serde_json::{json, Value};
use spec_support::escape;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-conformance-key";

#[tokio::test]
async fn every_documented_response_reaches_the_caller_typed() {
    let spec = Spec::load();
    let mut error_statuses = 0;
    let mut successes = 0;
    let mut failures = Vec::new();

    for op in operations(&spec) {
        let request = example_request(&spec, &op);
        for documented in documented_responses(&spec, &op) {
            let expected = &documented.example.value;
            let label = format!(
                "{} {} -> {} ({})",
                op.method, op.path, documented.status, documented.example.name
            );
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(documented.status).set_body_json(expected))
                .mount(&server)
                .await;
            let client = ClientConfig::new(KEY)
                .unwrap()
                .with_base_url(server.uri())
                .unwrap()
                .build()
                .unwrap();

            let outcome = match call_operation(&client, &op.id, &request).await {
                Some(Ok(outcome)) => outcome,
                Some(Err(e)) => {
                    failures.push(format!("{label}: cannot build the call: {e}"));
                    continue;
                }
                None => {
                    failures.push(format!("{label}: no binding for operation {}", op.id));
                    continue;
                }
            };

            // The request the client sent: right method and path, bearer auth, a valid body.
            let sent = server.received_requests().await.unwrap();
            let Some(sent) = sent.first() else {
                failures.push(format!(
                    "{label}: nothing was sent, the call gave {outcome:?}"
                ));
                continue;
            };
            if sent.method.as_str() != op.method || sent.url.path() != expected_path(&op, &request)
            {
                failures.push(format!("{label}: sent {} {}", sent.method, sent.url.path()));
            }
            let auth = sent
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            if auth != Some(format!("Bearer {KEY}").as_str()) {
                failures.push(format!("{label}: Authorization header was {auth:?}"));
            }
            if spec.at(&op.pointer).get("requestBody").is_some() {
                let content_type = sent
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let (media, body) = sent_body(content_type, &sent.body).await;
                let body_schema = spec.resolve(&format!("{}/requestBody", op.pointer));
                let media_ptr = format!("{body_schema}/content/{}", escape(media));
                if spec.document.pointer(&media_ptr).is_none() {
                    failures.push(format!(
                        "{label}: sent a {content_type} body, which the spec does not declare"
                    ));
                    continue;
                }
                let errors = spec.schema_errors(&format!("{media_ptr}/schema"), &body);
                if !errors.is_empty() {
                    failures.push(format!(
                        "{label}: request body {body} breaks the spec: {errors:?}"
                    ));
                }
            }

            let snapshot_name = crate::snapshot_name(
                module_path!(),
                &format!(
                    "{}.{}.{}",
                    op.id,
                    documented.status,
                    documented.example.name.rsplit('.').next().unwrap()
                ),
            );
            match (documented.status, outcome) {
                (
                    200..=299,
                    CallOutcome::Success {
                        status,
                        rust_type,
                        body,
                    },
                ) => {
                    if status != documented.status || &body != expected {
                        failures.push(format!("{label}: got {status} {body}"));
                    }
                    successes += 1;
                    crate::snapshot_settings().bind(|| {
                        insta::assert_yaml_snapshot!(
                            snapshot_name,
                            json!({"status": status, "rust_type": rust_type, "body": body})
                        )
                    });
                }
                (
                    400..,
                    CallOutcome::DocumentedError {
                        status,
                        rust_type,
                        body,
                    },
                ) => {
                    if status != documented.status || &body != expected {
                        failures.push(format!("{label}: got {status} {body}"));
                    }
                    error_statuses += 1;
                    crate::snapshot_settings().bind(|| {
                        insta::assert_yaml_snapshot!(
                            snapshot_name,
                            json!({"variant": "Error::ErrorResponse", "status": status, "rust_type": rust_type, "body": body})
                        )
                    });
                }
                (_, other) => failures.push(format!("{label}: got {other:?}")),
            }
        }
    }

    println!(
        "conformance: {error_statuses} documented error statuses and {successes} success examples \
         received typed through the generated client ({} operations)",
        OPERATIONS.len()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every error status the spec documents, over all operations, was exercised. Counted
    // here straight from each operation's `responses` (following `$ref`s), not with the
    // function that found them above, so a blind spot there cannot hide here.
    let mut documented_errors = 0;
    for op in operations(&spec) {
        for (status, _) in spec.at(&op.pointer)["responses"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let holder = spec.resolve(&format!("{}/responses/{status}", op.pointer));
            let has_examples = spec.at(&holder)["content"]["application/json"]["examples"]
                .as_object()
                .map_or(0, |m| m.len());
            if status.parse::<u16>().is_ok_and(|s| s >= 400) {
                documented_errors += has_examples;
            }
        }
    }
    assert_eq!(error_statuses, documented_errors);
}

/// The media type of a sent body and the body as JSON: a JSON body parsed, a multipart form
/// read into an object of its fields (a file field's bytes as text, which is what a
/// `format: binary` string is).
async fn sent_body(content_type: &str, body: &[u8]) -> (&'static str, Value) {
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).expect("a multipart boundary");
        let chunks = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(
            bytes::Bytes::copy_from_slice(body),
        )));
        let mut form = multer::Multipart::new(chunks, boundary);
        let mut fields = serde_json::Map::new();
        while let Some(field) = form.next_field().await.expect("a well-formed form") {
            let name = field.name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.expect("a readable field");
            fields.insert(name, Value::String(String::from_utf8_lossy(&bytes).into()));
        }
        ("multipart/form-data", Value::Object(fields))
    } else {
        (
            "application/json",
            serde_json::from_slice(body).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn the_typed_error_keeps_every_documented_field() {
    // One case spelled out with the typed struct, so a reader sees what "typed" means above.
    let spec = Spec::load();
    let ptr = format!(
        "/paths/{}/post/responses/404/content/application~1json/examples/example/value",
        escape("/v1/images/generations")
    );
    let expected: types::ErrorResponse = serde_json::from_value(spec.at(&ptr).clone()).unwrap();
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404).set_body_json(spec.at(&ptr)))
        .mount(&server)
        .await;
    let client = ClientConfig::new(KEY)
        .unwrap()
        .with_base_url(server.uri())
        .unwrap()
        .build()
        .unwrap();
    let err = client
        .create_image_generation()
        .body(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt("a cat"),
        )
        .send()
        .await
        .unwrap_err();
    let nanobanana_api::raw::Error::ErrorResponse(response) = err else {
        panic!("{err:?}")
    };
    assert_eq!(response.status().as_u16(), 404);
    let detail = &response.error;
    assert_eq!(detail.code, Some(types::ErrorCode::Integer(404)));
    assert_eq!(detail.message.as_deref(), Some("Specified model not found"));
    assert_eq!(detail.type_.as_deref(), Some("not_found_error"));
    assert_eq!(detail.param.as_deref(), Some("model"));
    assert_eq!(
        detail.fallback_suggestion.as_deref(),
        Some("gemini-3-pro-image-preview")
    );
    assert_eq!(*response, expected);
}

#[test]
fn error_codes_are_accepted_as_integers_and_as_strings() {
    // The seed sends `code: 400`, the task query docs `code: "task_not_found"` (spec/SOURCES.md).
    let integer: types::ErrorResponse =
        serde_json::from_value(json!({"error": {"code": 429}})).unwrap();
    let string: types::ErrorResponse =
        serde_json::from_value(json!({"error": {"code": "rate_limit_exceeded"}})).unwrap();
    assert_eq!(integer.error.code, Some(types::ErrorCode::Integer(429)));
    assert_eq!(
        string.error.code,
        Some(types::ErrorCode::String("rate_limit_exceeded".into()))
    );
}
