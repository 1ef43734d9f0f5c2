//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the regression test that
//! replays their saved inputs in CI. Each must return normally for any input: no panic.

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

use crate::files::image_format::ImageFormat;
use crate::tasks::callback;
use crate::types;
use crate::types::validate::Validate;

/// Everything that parses bytes from the network: task and callback bodies, error bodies,
/// create responses, `Retry-After` values and suggestions, image magic bytes.
pub fn parse_network_bytes(data: &[u8]) {
    let _ = callback::parse_callback(data);
    let _ = serde_json::from_slice::<types::ErrorResponse>(data);
    let _ = serde_json::from_slice::<types::ImageGenerationResponse>(data);
    if let Ok(task) = serde_json::from_slice::<types::TaskDetail>(data) {
        let _ = task.validate();
        let _ = crate::tasks::waiting::finished(task);
    }
    let text = String::from_utf8_lossy(data);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        headers.insert(RETRY_AFTER, value);
    }
    let _ = crate::transport::retry_after(&headers, Some(&text));
    let _ = ImageFormat::sniff(data);
}

/// The request checks: any JSON that deserializes into a request is validated.
pub fn validate_request_bytes(data: &[u8]) {
    if let Ok(request) = serde_json::from_slice::<types::ImageGenerationRequest>(data) {
        let _ = request.validate();
    }
}
