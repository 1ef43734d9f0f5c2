//! `client.files()`'s list and delete against a mock file service: what is sent (the query
//! names, the path), how answers and failures are read, and the retries each one gets.

use std::time::Duration;

use crate::support::{config, policy, KEY};
use nanobanana_api::error::Operation;
use nanobanana_api::files::ListFiles;
use nanobanana_api::{Error, NanoBanana};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A client whose file service is `files`, retrying 4 times 10 ms apart.
fn client(files: &MockServer) -> NanoBanana {
    let mut retry = policy();
    retry.initial_delay = Duration::from_millis(10);
    let config = config(files)
        .with_files_base_url(files.uri())
        .unwrap()
        .with_retry_policy(retry);
    NanoBanana::new(&config).unwrap()
}

fn listed(ids: &[&str], total: u64) -> serde_json::Value {
    let files: Vec<_> = ids
        .iter()
        .map(|id| json!({"file_id": id, "file_name": "a.png", "file_size": 10, "upload_time": "2025-10-09T00:00:00+08:00"}))
        .collect();
    json!({"success": true, "code": 200, "msg": "success", "data": {"total": total, "files": files}})
}

#[tokio::test]
async fn list_sends_page_and_page_size_and_reads_a_page_without_the_optional_fields() {
    let files = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/files/list"))
        .and(query_param("page", "2"))
        .and(query_param("pageSize", "2"))
        .and(header("authorization", format!("Bearer {KEY}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(listed(&["file_c", "file_d"], 5)))
        .expect(1)
        .mount(&files)
        .await;
    let page = client(&files)
        .files()
        .list(ListFiles::default().page(2).page_size(2))
        .await
        .unwrap();
    assert_eq!((page.page, page.page_size, page.total), (2, 2, Some(5)));
    assert_eq!(page.files[1].file_id, "file_d");
    assert_eq!(page.files[1].file_url, None, "the list need not send links");
    assert_eq!(
        page.next_page(),
        Some(ListFiles::default().page(3).page_size(2))
    );
}

#[tokio::test]
async fn list_all_reads_every_page_and_stops_at_a_page_it_has_seen() {
    let files = MockServer::start().await;
    let ids: Vec<String> = (0..150).map(|n| format!("file_{n:03}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for (page, chunk) in refs.chunks(100).enumerate() {
        Mock::given(method("GET"))
            .and(path("/api/v1/files/list"))
            .and(query_param("page", (page + 1).to_string()))
            .and(query_param("pageSize", "100"))
            .respond_with(ResponseTemplate::new(200).set_body_json(listed(chunk, 150)))
            .expect(1)
            .mount(&files)
            .await;
    }
    let all = client(&files).files().list_all().await.unwrap();
    assert_eq!(all.len(), 150);

    // A service that ignores `page` and sends no total: the second page brings nothing new.
    let stubborn = MockServer::start().await;
    let full: Vec<&str> = refs[..100].to_vec();
    let mut body = listed(&full, 0);
    body["data"].as_object_mut().unwrap().remove("total");
    Mock::given(method("GET"))
        .and(path("/api/v1/files/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(2)
        .mount(&stubborn)
        .await;
    assert_eq!(
        client(&stubborn).files().list_all().await.unwrap().len(),
        100
    );
}

#[tokio::test]
async fn list_is_retried_like_a_read() {
    let files = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/files/list"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(
                json!({"success": false, "code": 500, "msg": "Internal server error"}),
            ),
        )
        .up_to_n_times(2)
        .expect(2)
        .mount(&files)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/files/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listed(&["file_a"], 1)))
        .expect(1)
        .mount(&files)
        .await;
    let page = client(&files)
        .files()
        .list(ListFiles::default())
        .await
        .unwrap();
    assert_eq!(page.files.len(), 1);
}

#[tokio::test]
async fn an_unknown_id_is_not_found_and_not_retried() {
    let files = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/files/file_gone123"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"success": false, "code": 404, "msg": "File not found"})),
        )
        .expect(1)
        .mount(&files)
        .await;
    let err = client(&files)
        .files()
        .delete("file_gone123")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.api_error().unwrap().operation, Operation::DeleteFile);
    let message = err.to_string();
    assert!(
        message.starts_with("delete file failed: HTTP 404: File not found."),
        "{message}"
    );
    assert!(
        message.contains("expired") && message.contains("deleted already"),
        "{message}"
    );
    assert!(!message.contains(KEY));
}

#[tokio::test]
async fn a_delete_whose_first_attempt_may_have_arrived_counts_a_later_404_as_deleted() {
    let files = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/files/file_abc123456"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_json(json!({"success": false, "code": 502, "msg": "Bad gateway"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&files)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/files/file_abc123456"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"success": false, "code": 404, "msg": "File not found"})),
        )
        .expect(1)
        .mount(&files)
        .await;
    client(&files)
        .files()
        .delete("file_abc123456")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_delete_answered_200_with_success_false_is_an_error() {
    let files = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/files/file_abc123456"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": false, "code": 404, "msg": "File not found"})),
        )
        .mount(&files)
        .await;
    let err = client(&files)
        .files()
        .delete("file_abc123456")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(client(&files).files().delete("a/b").await.is_err());
    assert_eq!(
        files.received_requests().await.unwrap().len(),
        1,
        "a/b is never sent"
    );
}
