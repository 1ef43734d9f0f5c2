//! What an error answer said, handed to the journal beside it: every error body the sandbox
//! builds is answered with [`json_error`], which puts the error's `type`, `param` and message
//! in the response's extensions as an [`AnsweredError`]. The journal reads that, not the body
//! (axum's "error handling" pattern: a typed error leaves a typed trace on its response).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// An error answer's `type`, `param` and message, as the journal shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AnsweredError {
    /// `error.type` (the image API's errors; the file service's have none).
    pub error_type: Option<String>,
    /// `error.param`: the request field the error names.
    pub param: Option<String>,
    /// `error.message`, or the file service's `msg`.
    pub message: Option<String>,
}

impl AnsweredError {
    /// What the error body `body` says: `{"error": {"type", "param", "message"}}` (the image
    /// API's shape) or `{"msg"}` (the file service's).
    pub(crate) fn of(body: &Value) -> Self {
        let text = |value: &Value| value.as_str().map(str::to_string);
        Self {
            error_type: text(&body["error"]["type"]),
            param: text(&body["error"]["param"]),
            message: text(&body["error"]["message"]).or_else(|| text(&body["msg"])),
        }
    }
}

/// An error answer: `status` with the JSON `body`, and what it says in its extensions.
pub(crate) fn json_error(status: StatusCode, body: Value) -> Response {
    let said = AnsweredError::of(&body);
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(said);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_answer_carries_what_it_says() {
        let response = json_error(
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": 400, "type": "invalid_request_error", "param": "prompt",
                             "message": "prompt is empty"}}),
        );
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.extensions().get::<AnsweredError>(),
            Some(&AnsweredError {
                error_type: Some("invalid_request_error".into()),
                param: Some("prompt".into()),
                message: Some("prompt is empty".into()),
            })
        );
        let file_service = json_error(
            StatusCode::NOT_FOUND,
            json!({"success": false, "code": 404, "msg": "No such endpoint"}),
        );
        assert_eq!(
            file_service.extensions().get::<AnsweredError>(),
            Some(&AnsweredError {
                message: Some("No such endpoint".into()),
                ..AnsweredError::default()
            })
        );
    }
}
