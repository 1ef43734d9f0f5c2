//! `Draft`: a request as a person states it, checked against its model's own limits before
//! anything is sent, then completed (local files uploaded) by the client.

mod support;

use nanobanana_api::draft::Draft;
use nanobanana_api::{types, Error, ImageInput, NanoBanana};
use wiremock::MockServer;

fn urls(n: usize) -> Vec<ImageInput> {
    (0..n)
        .map(|i| ImageInput::Url(format!("https://example.com/{i}.png")))
        .collect()
}

fn refused(error: Error) -> nanobanana_api::validation::ValidationError {
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
        Draft::new("gemini-2.5-flash-image", long.as_str())
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "prompt");
    assert!(e.limit.contains("1000"), "{e}");
    assert!(e.to_string().contains("gemini-2.5-flash-image"), "{e}");

    let e = refused(
        Draft::new("gemini-2.5-flash-image", "a cat")
            .with_images(urls(6))
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "image_urls");
    assert!(e.to_string().contains("at most 5"), "{e}");

    let checked = Draft::new("gemini-3.1-flash-image-preview", long.as_str())
        .with_images(urls(14))
        .check()
        .await
        .unwrap();
    assert_eq!(checked.request().image_urls.len(), 14);
    assert_eq!(checked.local_files(), 0);
}

#[tokio::test]
async fn fields_are_named_in_the_apis_words_with_their_limit() {
    let e = refused(
        Draft::new("nano-banana-2-lite", "a cat")
            .with_callback_url(Some(format!("https://example.com/{}", "x".repeat(2100))))
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "callback_url");
    assert!(e.limit.contains("2048"), "{e}");

    let e = refused(
        Draft::new("nano-banana-2-lite", "a cat")
            .with_callback_url(Some("http://example.com/hook".into()))
            .check()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.field, "callback_url");
}

#[tokio::test]
async fn a_missing_local_file_is_refused_before_any_network() {
    let err = Draft::new("nano-banana-2-lite", "make it blue")
        .with_images([ImageInput::File("/no/such/photo.png".into())])
        .check()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalImage(_)), "{err:?}");
    assert!(err.to_string().contains("/no/such/photo.png"), "{err}");
}

#[tokio::test]
async fn completing_a_draft_of_urls_only_sends_nothing_and_keeps_their_order() {
    let server = MockServer::start().await;
    let client = NanoBanana::new(&support::config(&server)).unwrap();
    let checked = Draft::new(types::ImageModel::NanoBanana2Lite, "a cat")
        .with_size(Some(types::ImageSize::Ratio16x9))
        .with_images(urls(3))
        .check()
        .await
        .unwrap();
    let request = client.complete(checked, |_| {}).await.unwrap();
    assert_eq!(request.size, Some(types::ImageSize::Ratio16x9));
    assert_eq!(
        request.image_urls,
        vec![
            "https://example.com/0.png",
            "https://example.com/1.png",
            "https://example.com/2.png"
        ]
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
