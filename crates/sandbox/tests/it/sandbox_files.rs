//! The sandbox's file service through the SDK: uploads of each accepted type served back byte
//! for byte, the 72 h expiry (shortened here), the quota, `upload/url` without the internet, and
//! image-to-image with the sandbox's own file URLs, whose results follow the pictures sent.

use std::time::Duration;

use nanobanana_api::files::Upload;
use nanobanana_api::{config::RetryPolicy, types, Error, ImageRequest, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::sandbox::{client, FAST};
use nanobanana_test_kit::{KEY, SAMPLES};

async fn start(config: SandboxConfig) -> (SandboxHandle, NanoBanana) {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: FAST,
        ..config
    })
    .await
    .unwrap();
    let client = client(&sandbox, RetryPolicy::never());
    (sandbox, client)
}

#[tokio::test]
async fn each_type_is_stored_and_served_back_unchanged_for_72_hours() {
    let (sandbox, client) = start(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, mime) in SAMPLES {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let file = client.files().upload(Upload::file(&path)).await.unwrap();
        assert!(
            file.file_url.starts_with(sandbox.files_base_url()),
            "{}",
            file.file_url
        );
        assert!(file.file_url.ends_with(name), "{}", file.file_url);
        assert_eq!(file.mime_type.as_deref(), Some(mime));
        assert_eq!(file.file_size, Some(bytes.len() as i64));
        let uploaded = humantime::parse_rfc3339(file.upload_time.as_deref().unwrap()).unwrap();
        let expires = humantime::parse_rfc3339(file.expires_at.as_deref().unwrap()).unwrap();
        assert_eq!(
            expires.duration_since(uploaded).unwrap(),
            Duration::from_secs(72 * 3600)
        );

        let served = reqwest::get(&file.file_url).await.unwrap();
        assert_eq!(served.headers()["content-type"], mime);
        assert_eq!(served.bytes().await.unwrap().as_ref(), bytes);
        let download = reqwest::get(file.download_url.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(download.bytes().await.unwrap().as_ref(), bytes);
    }
    assert_eq!(sandbox.stats().uploads, 4);
}

#[tokio::test]
async fn image_to_image_takes_its_own_uploads_and_refuses_expired_ones() {
    let (sandbox, client) = start(SandboxConfig {
        upload_ttl: Duration::from_millis(1500),
        ..SandboxConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, SAMPLES[0].1).unwrap();
    let uploaded = client.files().upload(Upload::file(&photo)).await.unwrap();
    let with_upload = ImageRequest::new(types::ImageModel::NanoBanana2Lite, "make it a watercolor")
        .quality(types::ImageQuality::Res1K)
        .image(uploaded.file_url);
    let generated = client
        .generate(with_upload.clone(), dir.path())
        .await
        .unwrap();
    assert_eq!(generated.task.status, types::TaskStatus::Completed);

    tokio::time::sleep(Duration::from_millis(1600)).await;
    let err = client.create(with_upload).await.unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.param.as_deref(), Some("image_urls[0]"));
    assert!(api.message.as_deref().unwrap().contains("expired"), "{err}");
    assert_eq!(sandbox.stats().creates, 1);
}

#[tokio::test]
async fn image_to_image_results_follow_the_input_pictures_not_their_urls() {
    let (_sandbox, client) = start(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut other_png = SAMPLES[0].1.to_vec();
    other_png.extend_from_slice(b"another picture");
    let inputs = [
        ("photo.png", SAMPLES[0].1),
        ("copy-of-photo.png", SAMPLES[0].1),
        ("other.png", other_png.as_slice()),
    ];
    let mut results = Vec::new();
    for (name, bytes) in inputs {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let request = ImageRequest::new(types::ImageModel::NanoBanana2Lite, "make it a watercolor")
            .quality(types::ImageQuality::Res1K)
            .image(path.as_path());
        let generated = client.generate(request, dir.path()).await.unwrap();
        results.push(std::fs::read(&generated.files[0]).unwrap());
    }
    let text_only = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("make it a watercolor")
        .quality(types::ImageQuality::Res1K);
    let generated = client.generate(text_only, dir.path()).await.unwrap();
    let from_text = std::fs::read(&generated.files[0]).unwrap();

    // The same picture uploaded twice (two file URLs) gives the same result.
    assert_eq!(results[0], results[1]);
    // Another picture, or none, gives another result with the same prompt.
    assert_ne!(results[0], results[2]);
    assert_ne!(results[0], from_text);
    assert_ne!(results[2], from_text);
}

#[tokio::test]
async fn the_quota_is_spent_by_uploads_and_then_answers_its_documented_error() {
    let (sandbox, client) = start(SandboxConfig {
        upload_quota: Some(2),
        ..SandboxConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, SAMPLES[0].1).unwrap();
    let quota = client.files().quota().await.unwrap();
    assert_eq!(
        (quota.max_files, quota.used_files, quota.remain_files),
        (Some(2), Some(0), Some(2))
    );
    assert_eq!(quota.is_custom, Some(true));
    client.files().upload(Upload::file(&photo)).await.unwrap();
    let quota = client.files().quota().await.unwrap();
    assert_eq!((quota.used_files, quota.remain_files), (Some(1), Some(1)));
    client.files().upload(Upload::file(&photo)).await.unwrap();
    let err = client
        .files()
        .upload(Upload::file(&photo))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UploadQuota(_)), "{err:?}");
    let quota = client.files().quota().await.unwrap();
    assert_eq!(
        (quota.used_files, quota.remain_files),
        (Some(2), Some(0)),
        "a refused upload does not count"
    );
    assert!(err.to_string().contains("Upload quota exceeded"), "{err}");
    assert_eq!(sandbox.stats().uploads, 2);
    assert_eq!(sandbox.stats().uploads_rejected, 1);
}

#[tokio::test]
async fn without_a_quota_of_its_own_the_account_is_in_the_default_group_of_2000_files() {
    let (_sandbox, client) = start(SandboxConfig::default()).await;
    let quota = client.files().quota().await.unwrap();
    assert_eq!(quota.max_files, Some(2000));
    assert_eq!(quota.is_custom, Some(false));
    assert_eq!(quota.user_group, Some(types::UserGroup::Default));
    assert_eq!(quota.quota_reason.as_deref(), Some(""));
}

#[tokio::test]
async fn upload_url_copies_its_own_files_and_never_fetches_the_internet() {
    let (sandbox, client) = start(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, SAMPLES[0].1).unwrap();
    let first = client.files().upload(Upload::file(&photo)).await.unwrap();
    let copy = client
        .files()
        .upload(Upload::url(&first.file_url))
        .await
        .unwrap();
    assert_ne!(copy.file_id, first.file_id);
    let served = reqwest::get(&copy.file_url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.as_ref(), SAMPLES[0].1);

    let err = client
        .files()
        .upload(Upload::url("https://example.com/photo.png"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("loopback"), "{err}");

    // A non-image answered by a loopback server is refused after the download.
    let text_server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_string("<html>not an image"))
        .mount(&text_server)
        .await;
    let err = client
        .files()
        .upload(Upload::url(format!("{}/page.png", text_server.uri())))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("Unsupported file type"), "{err}");
    assert_eq!(sandbox.stats().uploads, 2);
}

#[tokio::test]
async fn the_file_service_wants_the_key_and_is_not_the_api() {
    let (sandbox, _) = start(SandboxConfig {
        api_key: Some(KEY.into()),
        ..SandboxConfig::default()
    })
    .await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/files/upload/url", sandbox.files_base_url());
    let answer = http
        .post(&url)
        .bearer_auth("sk-wrong")
        .json(&serde_json::json!({"file_url": "http://127.0.0.1:1/a.png"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["code"], 401);
    // The upload paths live on the file service's address only.
    let on_api = http
        .post(format!("{}/api/v1/files/upload/url", sandbox.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(on_api.status(), 404);
}
