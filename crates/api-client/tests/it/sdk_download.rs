//! Downloads: atomic (no partial file under the final name), resumed with `Range`, checked by
//! magic bytes and length, never sent the API key.

use std::sync::{Arc, Mutex};

use crate::support::*;
use nanobanana_api::config::RetryPolicy;
use nanobanana_api::tasks::SaveTo;
use nanobanana_api::{types, Error, NanoBanana};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A result host serving one image, whose first `cut` responses stop halfway through the body
/// and close the connection. Returns the image URL and the request heads it saw.
async fn flaky_result_host(body: Vec<u8>, cut: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/results/a.png", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut served = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let from: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("range: bytes="))
                .and_then(|r| r.trim_end_matches('-').parse().ok())
                .unwrap_or(0);
            seen.lock().unwrap().push(head);
            let rest = &body[from..];
            let status = if from > 0 {
                format!(
                    "206 Partial Content\r\ncontent-range: bytes {from}-{}/{}",
                    body.len() - 1,
                    body.len()
                )
            } else {
                "200 OK".to_string()
            };
            let header = format!("HTTP/1.1 {status}\r\ncontent-type: image/png\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", rest.len());
            let _ = socket.write_all(header.as_bytes()).await;
            let send = if served < cut {
                &rest[..rest.len() / 2]
            } else {
                rest
            };
            let _ = socket.write_all(send).await;
            let _ = socket.shutdown().await;
            served += 1;
        }
    });
    (url, heads)
}

/// Removes what a download left in `dir`, for the next case of a loop.
/// A client for `api` that requests each result once (no retry).
fn client_once(api: &MockServer) -> NanoBanana {
    NanoBanana::new(&config(api).with_retry_policy(RetryPolicy::never())).unwrap()
}

fn empty(dir: &std::path::Path) {
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::create_dir(dir).unwrap();
}

fn completed(url: &str) -> types::TaskDetail {
    serde_json::from_value(task("task-unified-7", "completed", 100, &[url.to_string()])).unwrap()
}

#[tokio::test]
async fn a_cut_transfer_leaves_no_final_file_and_the_next_attempt_resumes() {
    let api = MockServer::start().await;
    let image = png_bytes(200_000);
    let (url, heads) = flaky_result_host(image.clone(), 1).await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(&api);

    let err = client_once(&api)
        .download(&completed(&url), dir.path())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Download {
                index: 0,
                expired: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !dir.path().join("task-unified-7-0.png").exists(),
        "no half image under the final name"
    );
    let partial = dir.path().join(".task-unified-7-0.part");
    assert_eq!(
        std::fs::metadata(&partial).unwrap().len(),
        100_000,
        "the first half is kept"
    );

    let files = client.download(&completed(&url), dir.path()).await.unwrap();
    assert_eq!(files, [dir.path().join("task-unified-7-0.png")]);
    assert_eq!(std::fs::read(&files[0]).unwrap(), image);
    assert!(!partial.exists());
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 2);
    assert!(
        !heads[0].contains("range:"),
        "a fresh download asks for the whole image: {}",
        heads[0]
    );
    assert!(heads[1].contains("range: bytes=100000-"), "{}", heads[1]);
}

#[tokio::test]
async fn one_download_call_resumes_by_itself() {
    let api = MockServer::start().await;
    let image = png_bytes(64_000);
    let (url, heads) = flaky_result_host(image.clone(), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let files = client(&api)
        .download(&completed(&url), dir.path())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&files[0]).unwrap(), image);
    assert_eq!(heads.lock().unwrap().len(), 3, "cut, cut, then the rest");
}

#[tokio::test]
async fn a_body_that_is_not_an_image_is_rejected_and_removed() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login required</html>"))
        .mount(&host)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = client(&api)
        .download(&completed(&format!("{}/a.png", host.uri())), dir.path())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not a PNG, JPEG, GIF or WebP"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[tokio::test]
async fn the_extension_follows_the_bytes_not_the_url() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[7u8; 500]].concat();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(jpeg.clone()))
        .mount(&host)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let files = client(&api)
        .download(&completed(&format!("{}/image.png", host.uri())), dir.path())
        .await
        .unwrap();
    assert_eq!(files, [dir.path().join("task-unified-7-0.jpg")]);
}

#[tokio::test]
async fn a_busy_result_host_is_retried_and_a_refusing_one_is_not() {
    let api = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    for (status, succeeds) in [(503, true), (429, true), (500, true), (403, false)] {
        let host = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .mount(&host)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(1_000)))
            .mount(&host)
            .await;
        let url = format!("{}/r{status}.png", host.uri());
        let outcome = client(&api).download(&completed(&url), dir.path()).await;
        let requests = host.received_requests().await.unwrap().len();
        if succeeds {
            assert!(outcome.is_ok(), "{status}: {outcome:?}");
            assert_eq!(requests, 2, "{status}: retried once");
        } else {
            let err = outcome.unwrap_err();
            assert!(
                matches!(err, Error::Download { expired: false, .. }),
                "{err:?}"
            );
            assert_eq!(requests, 1, "{status}: not retried");
        }
        empty(dir.path());
    }
}

#[tokio::test]
async fn a_body_shorter_or_longer_than_announced_is_not_taken_for_the_image() {
    let api = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let image = png_bytes(100);
    for (announced, problem) in [
        (200, "got 100 of 200 bytes"),
        (50, "got 100 bytes, more than the 50 announced"),
    ] {
        let host = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(206)
                    .insert_header("content-range", format!("bytes 0-99/{announced}"))
                    .set_body_bytes(image.clone()),
            )
            .mount(&host)
            .await;
        let url = format!("{}/short.png", host.uri());
        let err = client_once(&api)
            .download(&completed(&url), dir.path())
            .await
            .unwrap_err();
        assert!(err.to_string().contains(problem), "{err}");
        assert!(
            matches!(err, Error::Download { expired: false, .. }),
            "{err:?}"
        );
        empty(dir.path());
    }
}

#[tokio::test]
async fn an_expired_link_says_the_image_is_gone() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(410))
        .expect(1)
        .mount(&host)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = client(&api)
        .download(&completed(&format!("{}/a.png", host.uri())), dir.path())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Download { expired: true, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("expire 24 h"), "{err}");
}

#[tokio::test]
async fn existing_files_are_kept_unless_overwrite_is_asked() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(100)))
        .mount(&host)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("task-unified-7-0.png");
    std::fs::write(&existing, b"mine").unwrap();
    let task = completed(&format!("{}/a.png", host.uri()));
    let client = client(&api);
    let err = client.download(&task, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("overwrite(true)"), "{err}");
    assert_eq!(
        err.hints(),
        [
            nanobanana_api::error::Hint::Overwrite,
            nanobanana_api::error::Hint::ResumeDownload {
                task_id: "task-unified-7".into()
            }
        ]
    );
    assert_eq!(std::fs::read(&existing).unwrap(), b"mine");
    client
        .download(&task, SaveTo::from(dir.path()).overwrite(true))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&existing).unwrap(), png_bytes(100));
}

#[tokio::test]
async fn generate_sends_the_key_to_the_api_and_never_to_the_result_host() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    let image_url = format!("{}/files/cat.png", host.uri());
    mount_completed_task(&api, "task-unified-7", &[image_url]).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(1000)))
        .mount(&host)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let generated = client(&api)
        .generate(request, dir.path().join("out"))
        .await
        .unwrap();
    assert_eq!(
        generated.files,
        [dir.path().join("out/task-unified-7-0.png")]
    );
    assert_eq!(generated.task.status, types::TaskStatus::Completed);

    for request in api.received_requests().await.unwrap() {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            &format!("Bearer {KEY}")
        );
    }
    let downloads = host.received_requests().await.unwrap();
    assert_eq!(downloads.len(), 1);
    assert!(
        downloads[0].headers.get("authorization").is_none(),
        "the key reached the result host"
    );
    assert!(downloads[0]
        .headers
        .values()
        .all(|v| !v.to_str().unwrap_or("").contains(KEY)));
}
