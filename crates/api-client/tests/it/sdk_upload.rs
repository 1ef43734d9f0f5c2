//! Uploading local images through the file service: each accepted type is streamed as a
//! multipart part with its real media type; bad files are refused before any request (the
//! mocks count what they received); inputs mix URLs and files, in order; quota and retries; and
//! the key reaches only the two Evolink services, never the host of a result or a redirect.

use std::path::{Path, PathBuf};

use crate::support::{config, KEY};
use nanobanana_api::error::LocalImageProblem;
use nanobanana_api::files::{Upload, MAX_IMAGE_BYTES};
use nanobanana_api::UploadEvent;
use nanobanana_api::{types, Error, Event, ImageInput, ImageRequest, NanoBanana, Observer};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const STREAM: &str = "/api/v1/files/upload/stream";

// One small file of each type the file service accepts, by magic bytes.
use nanobanana_test_kit::SAMPLES;

fn uploaded(file_id: &str, file_url: &str) -> Value {
    json!({
        "success": true, "code": 200, "msg": "success",
        "data": {"file_id": file_id, "file_url": file_url, "file_name": "photo.png"}
    })
}

/// A client whose API and file service are the two mocks.
fn client(api: &MockServer, files: &MockServer) -> NanoBanana {
    NanoBanana::new(&config(api).with_files_base_url(files.uri()).unwrap()).unwrap()
}

/// The file service answers the first upload it receives with a 500, then the next mocks.
async fn fail_the_first_upload(files: &MockServer) {
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(
                json!({"success": false, "code": 500, "msg": "Internal server error"}),
            ),
        )
        .up_to_n_times(1)
        .mount(files)
        .await;
}

/// [`client`], retrying after 1 ms.
fn fast_retry_client(api: &MockServer, files: &MockServer) -> NanoBanana {
    let cfg = config(api)
        .with_files_base_url(files.uri())
        .unwrap()
        .with_retry_policy({
            let mut policy = crate::support::policy();
            policy.initial_delay = std::time::Duration::from_millis(1);
            policy
        });
    NanoBanana::new(&cfg).unwrap()
}

/// The `image_urls` the create call sends for `images`, in a request for the model that takes
/// the most (14 images of 20 MB): `client.create` against an API mock that answers creates.
async fn image_urls<I>(
    client: &NanoBanana,
    api: &MockServer,
    images: I,
) -> Result<Vec<String>, Error>
where
    I: IntoIterator,
    I::Item: Into<ImageInput>,
{
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "task-unified-1-u", "status": "pending"})),
        )
        .mount(api)
        .await;
    let request = ImageRequest::new("gemini-3.1-flash-image-preview", "x").images(images);
    client.create(request).await?;
    let received = api.received_requests().await.unwrap();
    let create = received
        .iter()
        .rev()
        .find(|r| r.url.path() == "/v1/images/generations")
        .expect("a create was sent");
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    Ok(body["image_urls"]
        .as_array()
        .map(|urls| {
            urls.iter()
                .map(|u| u.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A file of exactly `len` bytes starting with the PNG signature (sparse, so it is cheap).
fn png_of_len(dir: &Path, name: &str, len: u64) -> PathBuf {
    let path = write(dir, name, b"\x89PNG\r\n\x1a\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len)
        .unwrap();
    path
}

/// One part of a multipart body as the server received it.
#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// The parts of a multipart request, read with multer (the parser axum uses).
async fn parts(request: &Request) -> Vec<Part> {
    let content_type = request.headers["content-type"].to_str().unwrap();
    let boundary = multer::parse_boundary(content_type).unwrap();
    let body = bytes::Bytes::copy_from_slice(&request.body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut found = Vec::new();
    while let Some(field) = form.next_field().await.unwrap() {
        found.push(Part {
            name: field.name().unwrap_or_default().to_string(),
            file_name: field.file_name().map(str::to_string),
            content_type: field.content_type().map(|m| m.to_string()),
            bytes: field.bytes().await.unwrap().to_vec(),
        });
    }
    found
}

/// The `filename` a multipart body names (for a mock's synchronous responder).
fn sent_file_name(request: &Request) -> String {
    let body = String::from_utf8_lossy(&request.body);
    let rest = body.split("filename=\"").nth(1).expect("a file part");
    rest.split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn each_accepted_type_is_streamed_with_its_media_type() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(uploaded("file_1", "https://files.evolink.ai/p/photo.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();

    for (name, bytes, mime) in SAMPLES {
        let file = client
            .files()
            .upload(Upload::file(write(dir.path(), name, bytes)))
            .await
            .unwrap();
        assert_eq!(file.file_url, "https://files.evolink.ai/p/photo.png");
        let received = files.received_requests().await.unwrap();
        let request = received.last().unwrap();
        // A known length: the part is streamed from the file with a Content-Length, not chunked.
        let length: usize = request.headers["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, request.body.len());
        let parts = parts(request).await;
        assert_eq!(parts.len(), 1, "{name}");
        let part = &parts[0];
        assert_eq!(part.name, "file");
        assert_eq!(part.file_name.as_deref(), Some(name));
        assert_eq!(part.content_type.as_deref(), Some(mime), "{name}");
        assert_eq!(part.bytes, bytes, "{name}");
    }
    assert_eq!(files.received_requests().await.unwrap().len(), 4);
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_files_are_refused_before_any_request() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(uploaded("f", "https://e.com/a.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();

    // A text file named .png: judged by its bytes, not its name.
    let text = write(dir.path(), "notes.png", b"hello, this is text");
    let err = client
        .files()
        .upload(Upload::file(&text))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::LocalImage(e) if matches!(e.problem, LocalImageProblem::NotAnImage { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("notes.png"), "{err}");
    assert!(err.to_string().contains("68 65 6c 6c 6f"), "{err}");

    // One byte over the file service's 20 MB, with a valid PNG signature.
    let big = png_of_len(dir.path(), "big.png", MAX_IMAGE_BYTES + 1);
    let err = client.files().upload(Upload::file(&big)).await.unwrap_err();
    match &err {
        Error::LocalImage(e) => assert!(matches!(
            e.problem,
            LocalImageProblem::TooLarge { size, limit, .. } if size == MAX_IMAGE_BYTES + 1 && limit == MAX_IMAGE_BYTES
        )),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("20971520 bytes (20 MB)"), "{err}");

    // Exactly 20 MB is allowed (the boundary), a missing file and a directory are not.
    let at_limit = png_of_len(dir.path(), "limit.png", MAX_IMAGE_BYTES);
    let missing = client
        .files()
        .upload(Upload::file(dir.path().join("missing.png")))
        .await
        .unwrap_err();
    assert!(
        matches!(&missing, Error::LocalImage(e) if matches!(e.problem, LocalImageProblem::NotFound))
    );
    let directory = client
        .files()
        .upload(Upload::file(dir.path()))
        .await
        .unwrap_err();
    assert!(
        matches!(&directory, Error::LocalImage(e) if matches!(e.problem, LocalImageProblem::NotAFile))
    );
    let empty = write(dir.path(), "empty.png", b"");
    assert!(client.files().upload(Upload::file(&empty)).await.is_err());

    // Nothing reached either server so far; the 20 MB file then does.
    assert!(files.received_requests().await.unwrap().is_empty());
    assert!(api.received_requests().await.unwrap().is_empty());
    client
        .files()
        .upload(Upload::file(&at_limit))
        .await
        .unwrap();
    let received = files.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].body.len() as u64 > MAX_IMAGE_BYTES);
}

#[tokio::test]
async fn mixed_inputs_keep_their_order_and_one_bad_file_stops_every_upload() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(|request: &Request| {
            // Answer with a URL naming the uploaded file, so the order can be checked.
            let name = sent_file_name(request);
            ResponseTemplate::new(200)
                .set_body_json(uploaded("f", &format!("https://files.evolink.ai/u/{name}")))
        })
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.png", SAMPLES[0].1);
    let b = write(dir.path(), "b.jpg", SAMPLES[1].1);

    let urls = image_urls(
        &client,
        &api,
        [
            ImageInput::File(a.clone()),
            ImageInput::Url("https://e.com/remote.webp".into()),
            ImageInput::parse(b.to_str().unwrap()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        urls,
        [
            "https://files.evolink.ai/u/a.png",
            "https://e.com/remote.webp",
            "https://files.evolink.ai/u/b.jpg"
        ]
    );
    assert_eq!(files.received_requests().await.unwrap().len(), 2);

    // A bad input anywhere: nothing is uploaded, even the good files before it.
    let bad = write(dir.path(), "bad.png", b"<html>");
    let err = image_urls(&client, &api, [a.clone(), bad])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalImage(_)), "{err:?}");
    // A GIF is stored by the file service but the generation call does not take it.
    let gif = write(dir.path(), "anim.gif", SAMPLES[2].1);
    let err = image_urls(&client, &api, [gif]).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("generation call takes only JPEG, PNG or WebP"),
        "{err}"
    );
    // Fifteen inputs: over the most any model takes (14), named as the API names it.
    let err = image_urls(&client, &api, vec![a.clone(); 15])
        .await
        .unwrap_err();
    match err {
        Error::Validation(e) => {
            assert_eq!(e.field, "image_urls");
            assert!(e.limit.contains("at most 14"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(files.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_failed_upload_is_retried_by_opening_the_file_again_and_the_quota_is_typed() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    fail_the_first_upload(&files).await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(uploaded("f", "https://e.com/a.png")),
        )
        .up_to_n_times(1)
        .mount(&files)
        .await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({"success": false, "code": 403, "msg": "Upload quota exceeded"}),
            ),
        )
        .mount(&files)
        .await;
    let client = fast_retry_client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "a.png", SAMPLES[0].1);

    client.files().upload(Upload::file(&png)).await.unwrap();
    let received = files.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    for attempt in &received {
        // Each attempt streamed the whole file (the retry opened it again).
        assert_eq!(parts(attempt).await[0].bytes, SAMPLES[0].1);
    }

    let err = client.files().upload(Upload::file(&png)).await.unwrap_err();
    assert!(matches!(err, Error::UploadQuota(_)), "{err:?}");
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("Upload quota exceeded"), "{err}");
    crate::support::assert_key_hidden(&err, &err.to_string());
}

/// What the observer heard, as `(index, sent, total)` or `(index, "stored")`.
#[derive(Debug, PartialEq)]
enum Seen {
    Sending(usize, u64, u64),
    Stored(usize, String),
    /// A retry: the failed attempt, of how many, and where it was sent.
    Retry(usize, usize, String),
}

#[tokio::test]
async fn upload_progress_counts_every_byte_and_starts_again_on_a_retry() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    // The first upload to arrive fails; the retry and the other file are stored.
    fail_the_first_upload(&files).await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(|request: &Request| {
            let name = sent_file_name(request);
            ResponseTemplate::new(200)
                .set_body_json(uploaded("f", &format!("https://files.evolink.ai/{name}")))
        })
        .mount(&files)
        .await;
    let client = fast_retry_client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let sizes = [1_000_000u64, 300_000];
    let big = png_of_len(dir.path(), "big.png", sizes[0]);
    let small = png_of_len(dir.path(), "small.png", sizes[1]);

    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = std::sync::Arc::clone(&seen);
    let observed = client.observe(Observer::new(move |event| {
        let seen = match event {
            Event::Upload(UploadEvent::Sending {
                index, sent, total, ..
            }) => Seen::Sending(*index, *sent, *total),
            Event::Upload(UploadEvent::Stored { index, file, .. }) => {
                Seen::Stored(*index, file.file_url.clone())
            }
            Event::Retry(retry) => {
                assert_eq!(retry.operation, nanobanana_api::error::Operation::Upload);
                Seen::Retry(
                    retry.attempt,
                    retry.max_attempts,
                    retry.base_url.to_string(),
                )
            }
            other => panic!("an event this test does not know: {other:?}"),
        };
        record.lock().unwrap().push(seen);
    }));
    let urls = image_urls(
        &observed,
        &api,
        [
            ImageInput::from(big.as_path()),
            "https://example.com/x.png".into(),
            ImageInput::from(small.as_path()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        urls,
        [
            "https://files.evolink.ai/big.png",
            "https://example.com/x.png",
            "https://files.evolink.ai/small.png"
        ]
    );

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    // The failed attempt was reported, with the file service's address, before the retry.
    let retries: Vec<&Seen> = seen
        .iter()
        .filter(|s| matches!(s, Seen::Retry(..)))
        .collect();
    assert_eq!(retries, [&Seen::Retry(1, 4, files.uri())]);
    let mut attempts = 0;
    for (index, size) in [(0usize, sizes[0]), (2, sizes[1])] {
        let own: Vec<&Seen> = seen
            .iter()
            .filter(|s| matches!(s, Seen::Sending(i, ..) | Seen::Stored(i, _) if *i == index))
            .collect();
        // Stored once, last, after the whole file was counted.
        assert!(matches!(own.last(), Some(Seen::Stored(..))), "{own:?}");
        assert_eq!(
            own.iter().filter(|s| matches!(s, Seen::Stored(..))).count(),
            1
        );
        assert_eq!(own[own.len() - 2], &Seen::Sending(index, size, size));
        // Each attempt counts up from 0 in steps of at most one 256 KiB chunk.
        let mut previous = None;
        for s in &own[..own.len() - 1] {
            let Seen::Sending(_, sent, total) = s else {
                unreachable!()
            };
            assert_eq!(*total, size);
            match previous {
                _ if *sent == 0 => attempts += 1,
                Some(before) => assert!(*sent > before && *sent - before <= 256 * 1024, "{own:?}"),
                None => panic!("an attempt did not start at 0: {own:?}"),
            }
            previous = Some(*sent);
        }
    }
    // Two files, one of them sent twice.
    assert_eq!(attempts, 3);
    assert_eq!(files.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn upload_options_name_the_folder_and_the_file() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(uploaded("f", "https://e.com/cat.png")),
        )
        .mount(&files)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/url"))
        .and(wiremock::matchers::body_json(json!({
            "file_url": "https://e.com/a.png", "upload_path": "photos", "file_name": "cat.png"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(uploaded("g", "https://e.com/cat.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "IMG_0001.png", SAMPLES[0].1);
    client
        .files()
        .upload(
            Upload::file(&png)
                .upload_path("photos")
                .file_name("cat.png"),
        )
        .await
        .unwrap();
    client
        .files()
        .upload(
            Upload::url("https://e.com/a.png")
                .upload_path("photos")
                .file_name("cat.png"),
        )
        .await
        .unwrap();

    let received = files.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let form: Vec<(String, Option<String>, Vec<u8>)> = parts(&received[0])
        .await
        .into_iter()
        .map(|p| (p.name, p.file_name, p.bytes))
        .collect();
    assert_eq!(
        form,
        [
            (
                "file".into(),
                Some("IMG_0001.png".into()),
                SAMPLES[0].1.to_vec()
            ),
            ("upload_path".into(), None, b"photos".to_vec()),
            ("file_name".into(), None, b"cat.png".to_vec()),
        ]
    );
}

#[tokio::test]
async fn upload_url_sends_the_url_and_checks_it_first() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/url"))
        .and(wiremock::matchers::body_json(
            json!({"file_url": "https://e.com/a.png"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(uploaded("f", "https://files.evolink.ai/a.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let file = client
        .files()
        .upload(Upload::url("https://e.com/a.png"))
        .await
        .unwrap();
    assert_eq!(file.file_url, "https://files.evolink.ai/a.png");
    let err = client
        .files()
        .upload(Upload::url("not a url"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(e) if e.field == "file_url"),
        "{err:?}"
    );
    assert_eq!(files.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_key_goes_to_the_two_evolink_services_and_nowhere_else() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    let elsewhere = MockServer::start().await; // result images, and a redirect target
    let result_url = format!("{}/results/out.png", elsewhere.uri());
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(uploaded("f", "https://files.evolink.ai/u/a.png")),
        )
        .mount(&files)
        .await;
    // upload/url answers with a redirect to another host: reqwest must drop the key there.
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/url"))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/api/v1/files/upload/url", elsewhere.uri()),
        ))
        .mount(&files)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/url"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(uploaded("g", "https://e.com/b.png")),
        )
        .mount(&elsewhere)
        .await;
    crate::support::mount_completed_task(&api, "task-unified-1-k", &[result_url]).await;
    Mock::given(method("GET"))
        .and(path("/results/out.png"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(crate::support::png_bytes(64)))
        .mount(&elsewhere)
        .await;

    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "a.png", SAMPLES[0].1);
    let request = ImageRequest::new(types::ImageModel::NanoBanana2Lite, "make it a watercolor")
        .image(png.as_path());
    let generated = client
        .generate(request, dir.path().join("out"))
        .await
        .unwrap();
    assert_eq!(generated.files.len(), 1);
    client
        .files()
        .upload(Upload::url("https://e.com/b.png"))
        .await
        .unwrap();

    let bearer = format!("Bearer {KEY}");
    let sent_key = |r: &Request| {
        r.headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
    };
    for (server, name) in [(&api, "API"), (&files, "file service")] {
        let received = server.received_requests().await.unwrap();
        assert!(!received.is_empty());
        for r in &received {
            assert_eq!(
                sent_key(r).as_deref(),
                Some(bearer.as_str()),
                "{name} {}",
                r.url
            );
        }
    }
    let received = elsewhere.received_requests().await.unwrap();
    assert_eq!(
        received.len(),
        2,
        "the result download and the redirected upload"
    );
    for r in &received {
        assert_eq!(sent_key(r), None, "the key reached {}", r.url);
        assert!(!format!("{:?}", r.headers).contains(KEY));
    }
    // The create call carried the uploaded file's URL.
    let create: Value =
        serde_json::from_slice(&api.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        create["image_urls"],
        json!(["https://files.evolink.ai/u/a.png"])
    );
}

#[tokio::test]
async fn a_local_image_is_checked_against_the_chosen_models_size_limit() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(STREAM))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(uploaded("file_1", "https://files.evolink.ai/u/big.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let dir = tempfile::tempdir().unwrap();
    let fifteen_mb = png_of_len(dir.path(), "big.png", 15 * 1024 * 1024);
    let request =
        |model: &str| ImageRequest::new(model, "put this on a poster").image(fifteen_mb.as_path());

    // nano-banana-pro-beta takes 10 MB per image: refused before anything is sent.
    let err = client
        .create(request("nano-banana-pro-beta"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("big.png")
            && text.contains("(10 MB)")
            && text.contains("nano-banana-pro-beta"),
        "{text}"
    );
    assert!(files.received_requests().await.unwrap().is_empty());

    assert!(api.received_requests().await.unwrap().is_empty());

    // gemini-3.1-flash-image-preview takes 20 MB: uploaded, its URL sent in the request.
    let urls = image_urls(&client, &api, [fifteen_mb.as_path()])
        .await
        .unwrap();
    assert_eq!(urls, ["https://files.evolink.ai/u/big.png"]);
    assert_eq!(files.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn images_in_memory_are_uploaded_as_a_base64_data_url() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files/upload/base64"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(uploaded("file_2", "https://files.evolink.ai/u/mem.png")),
        )
        .mount(&files)
        .await;
    let client = client(&api, &files);
    let png = SAMPLES[0].1;
    let file = client
        .files()
        .upload(Upload::bytes(png).file_name("mem.png"))
        .await
        .unwrap();
    assert_eq!(file.file_url, "https://files.evolink.ai/u/mem.png");
    let received = files.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    use base64::Engine as _;
    let expected = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    assert_eq!(body["base64_data"], json!(expected));
    assert_eq!(body["file_name"], json!("mem.png"));

    // Bytes that are not an image never leave the process.
    let err = client
        .files()
        .upload(Upload::bytes(&b"plain text"[..]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::LocalImage(e) if matches!(e.problem, LocalImageProblem::NotAnImage { .. })),
        "{err:?}"
    );
    assert_eq!(files.received_requests().await.unwrap().len(), 1);
}
