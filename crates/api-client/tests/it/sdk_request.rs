//! `ImageRequest`: a request as a person states it, checked against its model's own limits
//! before anything is sent; local files are uploaded as part of sending it.

use nanobanana_api::{types, Error, ImageInput, ImageRequest, NanoBanana};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn urls(n: usize) -> Vec<ImageInput> {
    (0..n)
        .map(|i| ImageInput::Url(format!("https://example.com/{i}.png")))
        .collect()
}

fn refused(error: Error) -> nanobanana_api::error::ValidationError {
    match error {
        Error::Validation(e) => e,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_prompt_and_an_image_count_are_held_against_the_models_own_limits() {
    // gemini-2.5-flash-image takes 1000 characters and 5 images; the request type takes the
    // widest of all models (2000, 14).
    let long = "a".repeat(1001);
    let e = refused(
        ImageRequest::new("gemini-2.5-flash-image", long.as_str())
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "prompt");
    assert!(e.limit.contains("1000"), "{e}");
    assert!(e.to_string().contains("gemini-2.5-flash-image"), "{e}");

    let e = refused(
        ImageRequest::new("gemini-2.5-flash-image", "a cat")
            .images(urls(6))
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "image_urls");
    assert!(e.to_string().contains("at most 5"), "{e}");

    ImageRequest::new("gemini-3.1-flash-image-preview", long.as_str())
        .images(urls(14))
        .check()
        .await
        .unwrap();
}

#[tokio::test]
async fn fields_are_named_in_the_apis_words_with_their_limit() {
    let e = refused(
        ImageRequest::new("nano-banana-2-lite", "a cat")
            .callback_url(format!("https://example.com/{}", "x".repeat(2100)))
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "callback_url");
    assert!(e.limit.contains("2048"), "{e}");

    let e = refused(
        ImageRequest::new("nano-banana-2-lite", "a cat")
            .callback_url("http://example.com/hook")
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "callback_url");
}

#[tokio::test]
async fn a_missing_local_file_is_refused_before_any_network() {
    let err = ImageRequest::new("nano-banana-2-lite", "make it blue")
        .images([ImageInput::File("/no/such/photo.png".into())])
        .check()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalImage(_)), "{err:?}");
    assert!(err.to_string().contains("/no/such/photo.png"), "{err}");
}

#[tokio::test]
async fn a_request_of_urls_only_uploads_nothing_and_keeps_their_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "task-unified-1-r", "status": "pending"})),
        )
        .mount(&server)
        .await;
    let client = NanoBanana::new(&crate::support::config(&server)).unwrap();
    let request = ImageRequest::new(types::ImageModel::NanoBanana2Lite, "a cat")
        .size(types::ImageSize::Ratio16x9)
        .images(urls(3));
    client.create(request).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "the create, and nothing else");
    let sent: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(sent["size"], "16:9");
    assert_eq!(
        sent["image_urls"],
        json!([
            "https://example.com/0.png",
            "https://example.com/1.png",
            "https://example.com/2.png"
        ])
    );
}

#[tokio::test]
async fn a_generated_builder_missing_its_prompt_is_refused_naming_it() {
    let server = MockServer::start().await;
    let client = NanoBanana::new(&crate::support::config(&server)).unwrap();
    let builder =
        types::ImageGenerationRequest::builder().model(types::ImageModel::NanoBanana2Lite);
    let err = client.create(builder).await.unwrap_err();
    assert!(err.to_string().contains("prompt"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}
