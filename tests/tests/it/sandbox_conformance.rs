//! The sandbox against the spec: the conformance suite's live check, run against a sandbox
//! started here, must find nothing to report. This is what lets the sandbox stand in for the API.

use conformance::live;
use conformance::spec::Spec;

#[tokio::test]
async fn the_sandbox_answers_every_operation_as_the_spec_documents() {
    let sandbox = nanobanana_test_kit::sandbox::start().await;
    // The file operations name Evolink's file host in their `servers`: the sandbox serves
    // them on its second address.
    let servers = [(
        nanobanana_api::config::DEFAULT_FILES_BASE_URL.to_string(),
        sandbox.files_base_url().to_string(),
    )]
    .into();
    let report =
        live::check_with_servers(&Spec::load(), sandbox.base_url(), &servers, "sk-e2e").await;
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert_eq!(
        report.checked,
        [
            "GET /api/v1/files/list -> 200",
            "GET /api/v1/files/quota -> 200",
            "POST /api/v1/files/upload/base64 -> 200",
            "POST /api/v1/files/upload/stream -> 200",
            "POST /api/v1/files/upload/url -> 200",
            // The example's id names no stored file: the documented 404.
            "DELETE /api/v1/files/{file_id} -> 404",
            "GET /v1/credits -> 200",
            "POST /v1/images/generations -> 200",
            "GET /v1/tasks -> 200",
            "POST /v1/tasks/batch -> 200",
            "GET /v1/tasks/{task_id} -> 200"
        ]
    );
}

#[tokio::test]
async fn sdk_and_sandbox_agree_end_to_end_from_create_to_png() {
    let sandbox = nanobanana_test_kit::sandbox::start().await;
    let config = sandbox.client_config("sk-e2e").unwrap();
    let client = nanobanana_api::NanoBanana::new(&config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let request = nanobanana_api::types::ImageGenerationRequest::builder()
        .model(nanobanana_api::types::ImageModel::Gemini3ProImagePreview)
        .prompt("a lighthouse")
        .quality(nanobanana_api::types::ImageQuality::Res1K);
    let generated = client.generate(request, dir.path()).await.unwrap();
    // As the real service: a JPEG at a `.jpg` address on another host than the API's.
    let result = &generated.task.results[0];
    assert!(
        result.starts_with(sandbox.files_base_url()) && result.ends_with(".jpg"),
        "{result}"
    );
    assert!(!result.starts_with(sandbox.base_url()));
    let bytes = std::fs::read(&generated.files[0]).unwrap();
    assert!(bytes.starts_with(b"\xFF\xD8\xFF"), "a JPEG");
    assert_eq!(generated.files[0].extension().unwrap(), "jpg");
    assert_eq!(sandbox.stats().creates, 1);
    assert_eq!(sandbox.stats().file_downloads, 1);
}
