//! Retries: honoured waits on 429, safe retries of creates only, GETs retried on every
//! transient failure. Timing is checked on tokio's paused clock, not by sleeping.

use std::time::Duration;

use crate::support::*;
use nanobanana_api::{config::RetryPolicy, types, Error};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn request() -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat")
}

async fn mount_create_then_ok(server: &MockServer, first: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(first)
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(created("task-unified-1", 10)))
        .mount(server)
        .await;
}

fn rate_limited(retry_after: Option<&str>, suggestion: Option<&str>) -> ResponseTemplate {
    let mut response = ResponseTemplate::new(429).set_body_json(error_body(
        429,
        "rate_limit_error",
        "Rate limit exceeded",
        suggestion,
    ));
    if let Some(seconds) = retry_after {
        response = response.insert_header("Retry-After", seconds);
    }
    response
}

async fn requests_to(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_exactly_what_retry_after_asks_then_succeeds() {
    let server = MockServer::start().await;
    mount_create_then_ok(
        &server,
        rate_limited(Some("7"), Some("retry after 60 seconds")),
    )
    .await;
    let start = Instant::now();
    let task = client(&server).create(request()).await.unwrap();
    assert_eq!(task.id, "task-unified-1");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(7),
        "the header wins over the suggestion"
    );
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn without_the_header_the_suggestion_sets_the_wait() {
    let server = MockServer::start().await;
    mount_create_then_ok(&server, rate_limited(None, Some("retry after 3 seconds"))).await;
    let start = Instant::now();
    client(&server).create(request()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn without_either_the_backoff_sets_the_wait() {
    let server = MockServer::start().await;
    mount_create_then_ok(&server, rate_limited(None, None)).await;
    let start = Instant::now();
    client(&server).create(request()).await.unwrap();
    assert_eq!(start.elapsed(), policy().initial_delay);
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_max_delay_is_returned_not_slept() {
    let server = MockServer::start().await;
    mount_create_then_ok(&server, rate_limited(Some("3600"), None)).await;
    let start = Instant::now();
    let err = client(&server).create(request()).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(requests_to(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(rate_limited(Some("1"), None))
        .mount(&server)
        .await;
    let err = client(&server).create(request()).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)));
    assert_eq!(requests_to(&server).await, policy().max_attempts);
    assert_eq!(err.status(), Some(429));
}

#[tokio::test(start_paused = true)]
async fn a_503_create_is_retried_because_it_was_refused() {
    let server = MockServer::start().await;
    mount_create_then_ok(
        &server,
        ResponseTemplate::new(503).set_body_json(error_body(
            503,
            "service_unavailable_error",
            "Service temporarily unavailable",
            Some("retry after 30 seconds"),
        )),
    )
    .await;
    let start = Instant::now();
    client(&server).create(request()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test]
async fn a_create_that_may_have_been_billed_is_never_retried() {
    let cases = [
        ResponseTemplate::new(500).set_body_json(error_body(
            500,
            "internal_server_error",
            "Internal server error",
            Some("try again later"),
        )),
        ResponseTemplate::new(502).set_body_json(error_body(
            502,
            "upstream_error",
            "Upstream AI service unavailable",
            None,
        )),
        // A gateway's HTML 502: not the documented JSON, but it did reach a server.
        ResponseTemplate::new(502).set_body_string("<html><body>Bad Gateway</body></html>"),
        ResponseTemplate::new(504).set_body_string("gateway timeout"),
    ];
    for response in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        let err = client(&server).create(request()).await.unwrap_err();
        assert_eq!(requests_to(&server).await, 1, "retried: {err:?}");
        let message = err.to_string();
        assert!(message.contains("Not retried automatically"), "{message}");
        assert_key_hidden(&err, &message);
    }
}

/// A server that takes every connection and never answers, and the count of its connections
/// (a retry needs a new one: the timed-out one is dropped).
async fn black_hole() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let hole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = hole.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&connections);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = hole.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    (address, connections)
}

#[tokio::test]
async fn a_create_timeout_after_sending_is_resent_with_its_key_only_when_resends_are_on() {
    for resend in [false, true] {
        let (address, connections) = black_hole().await;
        let mut retries = policy();
        retries.initial_delay = Duration::from_millis(10);
        retries.resend_unknown_creates = resend;
        let config = nanobanana_api::config::ClientConfig::new(KEY)
            .unwrap()
            .with_base_url(format!("http://{address}"))
            .unwrap()
            .with_retry_policy(retries)
            .with_request_timeout(Duration::from_millis(200));
        let client = nanobanana_api::NanoBanana::new(&config).unwrap();
        let err = client.create(request()).await.unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        assert!(err.outcome_unknown());
        assert!(
            err.to_string().contains("may have reached the server")
                && err.to_string().contains("same key"),
            "{err}"
        );
        let expected = if resend { policy().max_attempts } else { 1 };
        assert_eq!(
            connections.load(std::sync::atomic::Ordering::SeqCst),
            expected,
            "resend {resend}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn every_create_carries_an_idempotency_key_kept_across_its_retries() {
    let server = MockServer::start().await;
    let busy = error_body(503, "service_unavailable_error", "Service busy", None);
    mount_create_then_ok(&server, ResponseTemplate::new(503).set_body_json(busy)).await;
    let created = client(&server).create(request()).await.unwrap();
    assert!(!created.replayed);
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .expect("a key on every create")
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry keeps the key");
    assert_eq!(keys[0], created.idempotency_key);
    // A new submission of the same request is a new key; a caller's own key is sent as given.
    let again = client(&server).create(request()).await.unwrap();
    assert_ne!(again.idempotency_key, created.idempotency_key);
    let mine = client(&server)
        .create(nanobanana_api::ImageRequest::from(request()).idempotency_key("my-key-1"))
        .await
        .unwrap();
    assert_eq!(mine.idempotency_key, "my-key-1");
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers.get("idempotency-key").unwrap(), "my-key-1");
}

#[tokio::test(start_paused = true)]
async fn task_queries_are_retried_on_every_transient_failure() {
    let server = MockServer::start().await;
    for status in [503, 500, 502] {
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(error_body(
                status,
                "x",
                "transient",
                None,
            )))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(task(
            "task-unified-1",
            "processing",
            50,
            &[],
        )))
        .mount(&server)
        .await;
    let start = Instant::now();
    let task = client(&server).get_task("task-unified-1").await.unwrap();
    assert_eq!(task.progress, Some(50));
    assert_eq!(requests_to(&server).await, 4);
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1 + 2 + 4),
        "exponential backoff"
    );
}

#[tokio::test]
async fn a_refused_connection_is_classified_as_never_sent() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = nanobanana_api::config::ClientConfig::new(KEY)
        .unwrap()
        .with_base_url(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .with_retry_policy(RetryPolicy::never());
    let err = nanobanana_api::NanoBanana::new(&config)
        .unwrap()
        .create(request())
        .await
        .unwrap_err();
    match &err {
        Error::Connection {
            may_have_reached_server,
            ..
        } => assert!(!may_have_reached_server),
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable(nanobanana_api::error::Operation::CreateTask));
    assert_key_hidden(&err, &err.to_string());
}

#[tokio::test]
async fn every_api_error_type_maps_to_its_variant_with_its_fields() {
    type IsVariant = fn(&Error) -> bool;
    let cases: [(u16, &str, IsVariant); 11] = [
        (400, "invalid_request_error", |e| {
            matches!(e, Error::InvalidRequest(_))
        }),
        (401, "authentication_error", |e| {
            matches!(e, Error::Authentication(_))
        }),
        (402, "insufficient_quota_error", |e| {
            matches!(e, Error::InsufficientQuota(_))
        }),
        (403, "permission_error", |e| {
            matches!(e, Error::Permission(_))
        }),
        (404, "not_found_error", |e| matches!(e, Error::NotFound(_))),
        (413, "request_too_large_error", |e| {
            matches!(e, Error::RequestTooLarge(_))
        }),
        (429, "rate_limit_error", |e| {
            matches!(e, Error::RateLimited(_))
        }),
        (500, "internal_server_error", |e| {
            matches!(e, Error::Internal(_))
        }),
        (502, "upstream_error", |e| matches!(e, Error::Upstream(_))),
        (503, "service_unavailable_error", |e| {
            matches!(e, Error::ServiceUnavailable(_))
        }),
        (
            418,
            "teapot_error",
            |e| matches!(e, Error::Api(a) if a.error_type.as_deref() == Some("teapot_error")),
        ),
    ];
    for (status, kind, is_variant) in cases {
        let server = MockServer::start().await;
        let mut body = error_body(status, kind, "what happened", Some("what to do"));
        body["error"]["param"] = json!("model");
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let config = config(&server).with_retry_policy(RetryPolicy::never());
        let err = nanobanana_api::NanoBanana::new(&config)
            .unwrap()
            .get_task("task-unified-1")
            .await
            .unwrap_err();
        assert!(is_variant(&err), "{status} {kind}: {err:?}");
        let api = err.api_error().expect("an API error");
        assert_eq!(
            (api.status, api.param.as_deref(), api.message.as_deref()),
            (status, Some("model"), Some("what happened"))
        );
        assert_eq!(api.code, Some(types::ErrorCode::Integer(status as i64)));
        let message = err.to_string();
        assert!(
            message.contains("The API suggests: what to do"),
            "{message}"
        );
        assert_key_hidden(&err, &message);
    }
}

#[tokio::test]
async fn an_invalid_request_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let request = request().image_urls(vec!["https://e.com/a.png".to_string(); 11]);
    let err = client(&server).create(request).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "image_urls"),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    let missing = types::ImageGenerationRequest::builder().prompt("no model");
    let err = client(&server).create(missing).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "model"),
        "{err:?}"
    );
    assert_eq!(requests_to(&server).await, 0);
}

#[tokio::test]
async fn every_error_a_caller_can_hold_displays_and_is_a_std_error() {
    fn is_error<E: std::error::Error + std::fmt::Display>() {}
    is_error::<nanobanana_api::Error>();
    is_error::<nanobanana_api::error::ApiError>();
    is_error::<nanobanana_api::config::ConfigError>();
    is_error::<nanobanana_api::error::ValidationError>();
    is_error::<nanobanana_api::error::LocalImageError>();
    is_error::<nanobanana_api::types::UnknownValue>();
    // `Error::RateLimited(e) => eprintln!("{e}")` reads as the server's answer.
    let api: nanobanana_api::error::ApiError = rate_limited_error().await;
    let text = api.to_string();
    assert!(
        text.contains("HTTP 429") && text.contains("retry after 60 seconds"),
        "{text}"
    );
}

/// The `ApiError` of a real 429 answer (with a suggestion to retry after 60 seconds).
async fn rate_limited_error() -> nanobanana_api::error::ApiError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).set_body_json(serde_json::json!({
            "error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded",
                      "type": "rate_limit_error", "fallback_suggestion": "retry after 60 seconds"}
        })))
        .mount(&server)
        .await;
    let client = nanobanana_api::NanoBanana::new(
        &crate::support::config(&server)
            .with_retry_policy(nanobanana_api::config::RetryPolicy::never()),
    )
    .unwrap();
    match client.credits().await.unwrap_err() {
        Error::RateLimited(api) => *api,
        other => panic!("expected a 429, got {other:?}"),
    }
}

#[test]
fn an_error_returned_from_main_reads_as_its_message_not_as_a_struct() {
    // `fn main() -> Result<(), nanobanana_api::Error>` prints the error's Debug.
    let missing = nanobanana_api::config::ClientConfig::from_lookup(|_| None).unwrap_err();
    let error = Error::from(missing);
    let shown = format!("{error:?}");
    assert_eq!(shown, error.to_string());
    assert!(shown.contains("EVOLINK_API_KEY"), "{shown}");
    assert!(!shown.contains("MissingApiKey"), "{shown}");
    assert!(!shown.contains('{'), "{shown}");
}

#[tokio::test]
async fn a_timeout_names_the_host_it_waited_for_and_how_to_raise_it() {
    // A server that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (socket, _) = silent.accept().await.unwrap();
            open.push(socket);
        }
    });
    let config = nanobanana_api::config::ClientConfig::new("sk-timeout")
        .unwrap()
        .with_base_url(format!("http://{address}"))
        .unwrap()
        .with_retry_policy(RetryPolicy::never())
        .with_request_timeout(Duration::from_millis(200));
    let client = nanobanana_api::NanoBanana::new(&config).unwrap();
    let err = client.get_task("task-unified-1-t").await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        text.contains(&format!("waiting for {address}")) && text.contains("with_request_timeout"),
        "{text}"
    );
    held.abort();
}

#[tokio::test]
async fn the_request_id_comes_from_the_body_else_the_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-1-a"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req_from_header")
                .set_body_json(json!({"error": {"code": "task_not_found",
                    "message": "Task not found", "type": "not_found_error"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-1-b"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req_from_header")
                .set_body_json(json!({"error": {"code": "task_not_found",
                    "message": "Task not found", "type": "not_found_error",
                    "request_id": "req_from_body"}})),
        )
        .mount(&server)
        .await;
    let client =
        nanobanana_api::NanoBanana::new(&config(&server).with_retry_policy(RetryPolicy::never()))
            .unwrap();
    let from_header = client.get_task("task-unified-1-a").await.unwrap_err();
    assert_eq!(from_header.request_id(), Some("req_from_header"));
    assert!(
        from_header
            .to_string()
            .contains("Request id req_from_header: quote it to Evolink's support"),
        "{from_header}"
    );
    let from_body = client.get_task("task-unified-1-b").await.unwrap_err();
    assert_eq!(from_body.request_id(), Some("req_from_body"));
}

#[tokio::test]
async fn a_402_says_which_limit_stopped_the_request() {
    use nanobanana_api::error::QuotaLimit;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": {
            "code": "token_daily_quota_exceeded", "message": "Daily quota exceeded",
            "type": "insufficient_quota_error", "daily_limit_credits": 50.0,
            "daily_used_credits": 49.5, "reset_timezone": "UTC",
            "action_url": "https://example.com/keys"}})))
        .mount(&server)
        .await;
    let client =
        nanobanana_api::NanoBanana::new(&config(&server).with_retry_policy(RetryPolicy::never()))
            .unwrap();
    let error = client.credits().await.unwrap_err();
    assert_eq!(
        error.api_error().and_then(|e| e.quota_limit()),
        Some(QuotaLimit::KeyDailyLimit)
    );
    let text = error.to_string();
    for part in [
        "daily limit is used up (49.5 credits of 50 credits today)",
        "resets at midnight (UTC)",
        "https://example.com/keys",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // A 401 from a server that is not Evolink's names that server, not Evolink's key page.
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "message": "Invalid token", "type": "authentication_error"}})))
        .mount(&other)
        .await;
    let client =
        nanobanana_api::NanoBanana::new(&config(&other).with_retry_policy(RetryPolicy::never()))
            .unwrap();
    let text = client.credits().await.unwrap_err().to_string();
    let host = other.address().to_string();
    assert!(
        text.contains(&format!("The server at {host} refused the API key"))
            && !text.contains("evolink.ai/dashboard"),
        "{text}"
    );
}
