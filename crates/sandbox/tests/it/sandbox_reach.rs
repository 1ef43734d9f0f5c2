//! Where the sandbox reaches on its own, and who may read it: a callback or `upload/url`
//! target is judged on the addresses its name resolves to (not only a literal address), no
//! redirect is followed, and the page and journal answer only requests addressed to the
//! sandbox itself (not a page that re-pointed its own name at 127.0.0.1). Every server here is
//! on loopback; names are resolved with the sandbox's `dns_overrides`, not DNS.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use nanobanana_api::config::RetryPolicy;
use nanobanana_api::files::Upload;
use nanobanana_sandbox::callbacks::{CallbackTransport, HttpTransport};
use nanobanana_sandbox::journal::CALLBACK_OPERATION;
use nanobanana_sandbox::{Sandbox, SandboxConfig};
use nanobanana_test_kit::sandbox::{client, fast_config, raw_create};
use nanobanana_test_kit::SAMPLES;
use serde_json::{json, Value};

/// What a local receiver saw: the path of each request and its `Referer`, if any.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A receiver on loopback whose `/hook` answers 302 to its own `/other`, which answers 204;
/// its address and what it saw.
async fn redirecting_receiver() -> (String, Seen) {
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let record = |seen: Seen, path: &'static str| {
        move |headers: HeaderMap| {
            let referer = headers
                .get(header::REFERER)
                .map(|r| r.to_str().unwrap().to_string());
            seen.lock().unwrap().push((path.to_string(), referer));
            async {}
        }
    };
    let other = format!("http://{address}/other");
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post({
                let record = record(seen.clone(), "/hook");
                move |headers: HeaderMap| {
                    let other = other.clone();
                    async move {
                        record(headers).await;
                        (StatusCode::FOUND, [(header::LOCATION, other)])
                    }
                }
            }),
        )
        .route(
            "/other",
            axum::routing::any({
                let record = record(seen.clone(), "/other");
                move |headers: HeaderMap| async move {
                    record(headers).await;
                    StatusCode::NO_CONTENT
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, seen)
}

#[tokio::test]
async fn a_callback_to_a_name_that_resolves_to_loopback_is_refused_with_400_naming_callback_url() {
    let sandbox = Sandbox::start(SandboxConfig {
        dns_overrides: vec![("vm".into(), [127, 0, 0, 1].into())],
        ..fast_config()
    })
    .await
    .unwrap();
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": "https://vm:19150/x"});
    let (status, answer, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["param"], "callback_url");
    let message = answer["error"]["message"].as_str().unwrap();
    for part in [
        "`vm`",
        "127.0.0.1 is loopback",
        "--allow-insecure-callbacks",
    ] {
        assert!(message.contains(part), "{part} missing from {message}");
    }
    // A name resolving to a shared-NAT address too; a public one is accepted.
    let sandbox = Sandbox::start(SandboxConfig {
        dns_overrides: vec![
            ("cgnat.test".into(), [100, 64, 0, 1].into()),
            ("public.test".into(), [93, 184, 215, 14].into()),
        ],
        ..fast_config()
    })
    .await
    .unwrap();
    let create =
        |url: &str| json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": url});
    let (status, answer, _) = raw_create(&sandbox, create("https://cgnat.test/x")).await;
    assert_eq!(
        (status, answer["error"]["param"].clone()),
        (400, json!("callback_url"))
    );
    let (status, _, _) = raw_create(&sandbox, create("https://public.test/x")).await;
    assert_eq!(status, 200);
    assert_eq!(sandbox.stats().creates, 1);
}

#[tokio::test]
async fn delivery_connects_only_to_addresses_the_callback_rules_allow_after_resolving() {
    let (address, seen) = redirecting_receiver().await;
    let port = address.rsplit_once(':').unwrap().1;
    let config = SandboxConfig {
        // As if the name had been re-pointed at this machine after the create was accepted.
        dns_overrides: vec![("rebound.test".into(), [127, 0, 0, 1].into())],
        ..SandboxConfig::default()
    };
    let strict = HttpTransport::new(&config).unwrap();
    let timeout = Duration::from_secs(5);
    let by_name = strict
        .post(
            format!("http://rebound.test:{port}/other"),
            b"{}".to_vec(),
            timeout,
        )
        .await
        .unwrap_err();
    assert!(
        by_name.contains("`rebound.test` resolves only to"),
        "{by_name}"
    );
    assert!(by_name.contains("127.0.0.1 is loopback"), "{by_name}");
    for literal in [
        format!("http://{address}/other"),
        format!("http://[::ffff:127.0.0.1]:{port}/other"),
    ] {
        let refused = strict.post(literal.clone(), b"{}".to_vec(), timeout).await;
        assert!(refused.unwrap_err().contains("is loopback"), "{literal}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing reached the receiver"
    );
    // Allowed for local receivers: the same name now connects.
    let local = HttpTransport::new(&SandboxConfig {
        allow_insecure_callbacks: true,
        ..config
    })
    .unwrap();
    let status = local
        .post(
            format!("http://rebound.test:{port}/other"),
            b"{}".to_vec(),
            timeout,
        )
        .await;
    assert_eq!(status, Ok(204));
}

#[tokio::test]
async fn a_callback_answered_with_a_redirect_is_not_followed_and_sends_no_referer() {
    let (address, seen) = redirecting_receiver().await;
    let sandbox = Sandbox::start(SandboxConfig {
        allow_insecure_callbacks: true,
        ..fast_config()
    })
    .await
    .unwrap();
    let mut journal = sandbox.watch_requests();
    let hook = format!("http://{address}/hook?token=s3cret");
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": hook});
    let (status, _, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 200);
    let sent = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let entry = journal.recv().await.unwrap();
            if entry.operation.as_deref() == Some(CALLBACK_OPERATION) {
                return entry;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(sent.status, 302);
    assert_eq!(
        sent.message.as_deref(),
        Some("given up after 4 attempts; the last was answered 302")
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![("/hook".to_string(), None); 4],
        "each attempt reached the hook only, without a Referer"
    );
}

#[tokio::test]
async fn upload_url_follows_no_redirect() {
    let sandbox = Sandbox::start(fast_config()).await.unwrap();
    let uploads = client(&sandbox, RetryPolicy::never());
    let target = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_bytes(SAMPLES[0].1))
        .mount(&target)
        .await;
    let redirecting = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(302)
                .insert_header("location", format!("{}/photo.png", target.uri())),
        )
        .mount(&redirecting)
        .await;
    let err = uploads
        .files()
        .upload(Upload::url(format!("{}/photo.png", redirecting.uri())))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let message = err.to_string();
    assert!(
        message.contains("302") && message.contains("does not follow redirects"),
        "{message}"
    );
    assert!(target.received_requests().await.unwrap().is_empty());
    assert_eq!(sandbox.stats().uploads, 0);
}

#[tokio::test]
async fn upload_url_refuses_internal_addresses_by_name_or_literal_even_when_fetching_remote_files()
{
    let sandbox = Sandbox::start(SandboxConfig {
        fetch_remote_files: true,
        dns_overrides: vec![("files.test".into(), [192, 0, 2, 2].into())],
        ..fast_config()
    })
    .await
    .unwrap();
    let uploads = client(&sandbox, RetryPolicy::never());
    for (url, why) in [
        (
            "http://files.test/a.png",
            "192.0.2.2 is reserved for documentation",
        ),
        (
            "http://192.0.2.2/a.png",
            "192.0.2.2 is reserved for documentation",
        ),
        ("http://[::ffff:10.0.0.1]/a.png", "is private (10/8)"),
        ("http://[64:ff9b::a9fe:a9fe]/a.png", "NAT64"),
    ] {
        let err = uploads.files().upload(Upload::url(url)).await.unwrap_err();
        assert_eq!(err.status(), Some(400), "{url}");
        assert!(err.to_string().contains(why), "{url}: {err}");
    }
}

#[tokio::test]
async fn the_page_and_journal_answer_only_requests_addressed_to_the_sandbox() {
    let sandbox = Sandbox::start(fast_config()).await.unwrap();
    let listening = sandbox.base_url().trim_start_matches("http://").to_string();
    let port = listening.rsplit_once(':').unwrap().1.to_string();
    let http = reqwest::Client::new();
    let get = |path: &str, host: &str| {
        http.get(format!("{}{path}", sandbox.base_url()))
            .header(header::HOST, host)
            .bearer_auth("sk-any")
            .send()
    };
    for path in ["/__sandbox/requests", "/__sandbox/", "/__sandbox"] {
        let refused = get(path, "evil.example").await.unwrap();
        assert_eq!(refused.status(), 403, "{path}");
        let body: Value = refused.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        for part in ["`evil.example`", "DNS rebinding", &listening] {
            assert!(message.contains(part), "{part} missing from {message}");
        }
        for host in [
            listening.clone(),
            format!("localhost:{port}"),
            "[::1]".into(),
        ] {
            assert_eq!(
                get(path, &host).await.unwrap().status(),
                200,
                "{path} {host}"
            );
        }
    }
    let rebound = get("/__sandbox/requests", &format!("evil.example:{port}"))
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    // The API's routes do not care.
    assert_eq!(
        get("/v1/credits", "evil.example").await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn the_file_service_answers_an_oversized_body_with_its_json_413() {
    let sandbox = Sandbox::start(fast_config()).await.unwrap();
    let too_big = nanobanana_api::files::MAX_IMAGE_BYTES as usize / 3 * 4 + 128 * 1024;
    let body = format!(r#"{{"base64_data": "{}"}}"#, "A".repeat(too_big));
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/files/upload/base64",
            sandbox.files_base_url()
        ))
        .bearer_auth("sk-any")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    assert_eq!(
        answer.headers()[header::CONTENT_TYPE],
        "application/json",
        "the file service's error body, not plain text"
    );
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        (body["success"].clone(), body["code"].clone()),
        (json!(false), json!(413))
    );
    assert!(body["msg"].as_str().unwrap().contains("20 MB"), "{body}");
}
