//! A caller's own `reqwest::Client` (`ClientConfig::with_http_client`): every call goes through
//! it, the key is added per request to the API and the file service only, and settings the SDK
//! can no longer apply are refused rather than dropped.

use crate::support::*;
use nanobanana_api::config::{ApiKey, ConfigError};
use nanobanana_api::files::Upload;
use nanobanana_api::{config::ClientConfig, raw::Client, types, NanoBanana};
use reqwest::header::{HeaderMap, HeaderValue};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALLER_HEADER: &str = "x-caller-client";

/// A client as a caller builds it: their own default header (to see it is the one used), and
/// an `Authorization` of their own that the configured key must replace.
fn callers_client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(CALLER_HEADER, HeaderValue::from_static("yes"));
    headers.insert(
        reqwest::header::AUTHORIZATION,
        HeaderValue::from_static("Bearer not-the-configured-key"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn generate_goes_through_the_callers_client_with_the_key_only_to_the_api() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    let image_url = format!("{}/files/cat.png", host.uri());
    mount_completed_task(&api, "task-unified-81", &[image_url]).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(500)))
        .mount(&host)
        .await;

    let sdk = NanoBanana::new(&config(&api).with_http_client(callers_client())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let saved = sdk.generate(request, dir.path()).await.unwrap();
    assert_eq!(std::fs::read(&saved.files[0]).unwrap(), png_bytes(500));

    let calls = api.received_requests().await.unwrap();
    assert!(calls.len() >= 2, "create and at least one query");
    for call in &calls {
        assert_eq!(call.headers.get(CALLER_HEADER).unwrap(), "yes");
        assert_eq!(
            call.headers.get("authorization").unwrap(),
            &format!("Bearer {KEY}"),
            "the configured key, not the client's own header"
        );
    }
    let downloads = host.received_requests().await.unwrap();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].headers.get(CALLER_HEADER).unwrap(), "yes");
    assert_ne!(
        downloads[0].headers.get("authorization").unwrap(),
        &format!("Bearer {KEY}"),
        "the configured key reached the result host"
    );
}

#[tokio::test]
async fn uploads_go_through_the_callers_client_with_the_key() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/base64"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header(CALLER_HEADER, "yes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "success": true, "code": 200, "msg": "ok",
            "data": {
                "file_id": "file_1", "file_name": "a.png", "original_name": "a.png",
                "file_size": 100, "mime_type": "image/png", "upload_path": "",
                "file_url": format!("{}/files/a.png", files.uri()),
                "download_url": format!("{}/files/a.png", files.uri()),
                "upload_time": "2026-12-01T10:00:00+08:00",
                "expires_at": "2026-12-04T10:00:00+08:00"
            }
        })))
        .expect(1)
        .mount(&files)
        .await;
    let config = config(&api)
        .with_files_base_url(files.uri())
        .unwrap()
        .with_http_client(callers_client());
    let sdk = NanoBanana::new(&config).unwrap();
    let uploaded = sdk
        .files()
        .upload(Upload::bytes(png_bytes(100)))
        .await
        .unwrap();
    assert!(uploaded.file_url.ends_with("/files/a.png"), "{uploaded:?}");
}

#[tokio::test]
async fn the_generated_client_adds_its_key_to_a_plain_reqwest_client() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-82"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(task(
            "task-unified-82",
            "processing",
            40,
            &[],
        )))
        .expect(1)
        .mount(&api)
        .await;
    let client = Client::new_with_client(
        &api.uri(),
        reqwest::Client::new(),
        ApiKey::new(KEY).unwrap(),
    );
    let detail = client
        .get_task_detail()
        .task_id("task-unified-82")
        .send()
        .await
        .unwrap();
    assert_eq!(detail.progress, Some(40));
    assert!(!format!("{client:?}").contains(KEY), "{client:?}");
}

#[test]
fn settings_the_sdk_cannot_apply_to_the_callers_client_are_refused_with_the_way_out() {
    // A throwaway self-signed CA whose private key was not kept.
    let pem = include_bytes!("fixtures/test-ca.pem");
    let with_ca = ClientConfig::new(KEY)
        .unwrap()
        .with_root_certificate(pem)
        .unwrap()
        .with_http_client(reqwest::Client::new());
    let err = with_ca.build().unwrap_err();
    assert!(
        matches!(err, ConfigError::HttpClientConflict { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    for part in [
        "EVOLINK_CA_CERT",
        "your own reqwest::Client",
        "add_root_certificate",
    ] {
        assert!(message.contains(part), "missing {part:?} in: {message}");
    }

    let with_settings = ClientConfig::new(KEY)
        .unwrap()
        .with_http_settings(|builder| builder.tcp_nodelay(true))
        .with_http_client(reqwest::Client::new());
    let message = NanoBanana::new(&with_settings).unwrap_err().to_string();
    assert!(message.contains("with_http_settings"), "{message}");
    assert!(!message.contains(KEY));
}

#[test]
fn plain_http_to_another_host_is_refused_with_the_callers_client_too() {
    let config = ClientConfig::new(KEY)
        .unwrap()
        .with_base_url("http://api.example.test")
        .unwrap()
        .with_http_client(reqwest::Client::new());
    assert!(matches!(
        config.build().unwrap_err(),
        ConfigError::InsecureHttp { .. }
    ));
}
