//! Listing and deleting stored files through the SDK against the sandbox: the list shows each
//! upload (newest first, a page at a time), a delete removes it and its link and frees its
//! quota slot, and an unknown id is a typed not-found error with advice.

use nanobanana_api::files::{ListFiles, Upload};
use nanobanana_api::{config::RetryPolicy, Error, NanoBanana};
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

/// Uploads `n` copies of a PNG named `photo-<i>.png`; their ids, oldest first.
async fn upload(client: &NanoBanana, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let file = client
            .files()
            .upload(Upload::bytes(SAMPLES[0].1).file_name(format!("photo-{i}.png")))
            .await
            .unwrap();
        ids.push(file.file_id);
    }
    ids
}

#[tokio::test]
async fn the_list_shows_every_upload_newest_first_a_page_at_a_time() {
    let (_sandbox, client) = start(SandboxConfig::default()).await;
    let empty = client.files().list(ListFiles::default()).await.unwrap();
    assert_eq!((empty.files.len(), empty.total), (0, Some(0)));
    assert_eq!((empty.page, empty.page_size), (1, 20));

    let ids = upload(&client, 5).await;
    let first = client
        .files()
        .list(ListFiles::default().page_size(2))
        .await
        .unwrap();
    assert_eq!(first.total, Some(5));
    let listed: Vec<&str> = first.files.iter().map(|f| f.file_id.as_str()).collect();
    assert_eq!(listed, [ids[4].as_str(), ids[3].as_str()], "newest first");
    let newest = &first.files[0];
    assert_eq!(newest.file_name.as_deref(), Some("photo-4.png"));
    assert_eq!(newest.file_size, Some(SAMPLES[0].1.len() as i64));
    assert!(newest.upload_time.is_some() && newest.expires_at.is_some());
    let served = reqwest::get(newest.file_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(served.bytes().await.unwrap().as_ref(), SAMPLES[0].1);

    let third = client
        .files()
        .list(first.next_page().unwrap().page(3))
        .await
        .unwrap();
    assert_eq!(third.files.len(), 1);
    assert_eq!(third.files[0].file_id, ids[0]);
    assert_eq!(third.next_page(), None, "the last page");

    let all = client.files().list_all().await.unwrap();
    let mut all: Vec<String> = all.into_iter().map(|f| f.file_id).collect();
    all.reverse();
    assert_eq!(all, ids);
}

#[tokio::test]
async fn a_delete_removes_the_file_and_frees_its_quota_slot() {
    let (sandbox, client) = start(SandboxConfig {
        upload_quota: Some(2),
        ..SandboxConfig::default()
    })
    .await;
    let ids = upload(&client, 2).await;
    let quota = client.files().quota().await.unwrap();
    assert_eq!((quota.used_files, quota.remain_files), (Some(2), Some(0)));
    let url = client
        .files()
        .list(ListFiles::default())
        .await
        .unwrap()
        .files[1]
        .file_url
        .clone()
        .unwrap();

    client.files().delete(&ids[0]).await.unwrap();
    let left = client.files().list(ListFiles::default()).await.unwrap();
    assert_eq!(left.total, Some(1));
    assert_eq!(left.files[0].file_id, ids[1]);
    let quota = client.files().quota().await.unwrap();
    assert_eq!((quota.used_files, quota.remain_files), (Some(1), Some(1)));
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        404,
        "its link is gone"
    );
    // The freed slot takes another upload.
    upload(&client, 1).await;
    assert_eq!(sandbox.stats().uploads, 3);
}

#[tokio::test]
async fn an_unknown_id_is_a_typed_not_found_error_with_advice() {
    let (_sandbox, client) = start(SandboxConfig::default()).await;
    let ids = upload(&client, 1).await;
    client.files().delete(&ids[0]).await.unwrap();
    for id in [ids[0].as_str(), "file_nosuchfile123"] {
        let err = client.files().delete(id).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
        assert_eq!(err.status(), Some(404));
        let message = err.to_string();
        assert!(
            message.contains("delete file failed: HTTP 404"),
            "{message}"
        );
        assert!(message.contains(id), "the sandbox names the id: {message}");
        assert!(
            message.contains("expired") && message.contains("List the stored files"),
            "{message}"
        );
    }
    let refused = client.files().delete("").await.unwrap_err();
    assert!(matches!(refused, Error::Validation(_)), "{refused:?}");
    assert!(refused.to_string().contains("file_id"), "{refused}");
}

#[tokio::test]
async fn a_page_size_over_100_is_refused_by_the_sdk_and_by_the_sandbox() {
    let (sandbox, client) = start(SandboxConfig::default()).await;
    let err = client
        .files()
        .list(ListFiles::default().page_size(101))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("1 to 100"), "{err}");

    let http = reqwest::Client::new();
    let list = |query: &'static str| {
        http.get(format!(
            "{}/api/v1/files/list?{query}",
            sandbox.files_base_url()
        ))
        .bearer_auth(KEY)
        .send()
    };
    for query in ["pageSize=101", "pageSize=0", "page=0", "page=two"] {
        let answer = list(query).await.unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(
            (body["success"].as_bool(), body["code"].as_i64()),
            (Some(false), Some(400))
        );
        assert!(body["msg"].as_str().unwrap().contains("must be"), "{body}");
    }
    assert_eq!(list("pageSize=100&page=9").await.unwrap().status(), 200);
    let unauthorized = http
        .delete(format!(
            "{}/api/v1/files/file_x123456",
            sandbox.files_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401, "delete needs the key");
}
