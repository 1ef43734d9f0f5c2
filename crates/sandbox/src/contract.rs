//! The API contract as the sandbox answers it: error bodies are the spec's own documented
//! examples (the spec is embedded at build time), with `message` and `param` made specific.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::answered_error::json_error;

/// The spec the sandbox implements.
pub const SPEC: &str = nanobanana_api::raw::OPENAPI_YAML;

pub use crate::operations::SpecOperation;

fn spec() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_yaml_ng::from_str(SPEC).expect("the embedded spec parses"))
}

/// Whether the create call documents `status` (the statuses faults may inject).
pub fn is_documented_status(status: u16) -> bool {
    documented_body(SpecOperation::CreateTask, status).is_some()
}

/// The documented example body of `operation` for `status`, if the spec has one.
pub fn documented_body(operation: SpecOperation, status: u16) -> Option<Value> {
    // Shared responses are `$ref`s to `#/components/responses/…`.
    let place = format!("{}/responses/{status}", operation.row().pointer());
    let mut response = spec().pointer(&place)?;
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        response = spec().pointer(target.strip_prefix('#')?)?;
    }
    response
        .pointer("/content/application~1json/examples/example/value")
        .cloned()
}

/// An error answer: a documented status and body.
#[derive(Clone, Debug)]
pub struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// The `ErrorResponse` body.
    pub body: Value,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    /// The documented error of `operation` for `status` (the create call's when the operation
    /// documents none for that status).
    pub fn documented(operation: SpecOperation, status: u16) -> Self {
        Self::documented_for(Some(operation), status)
    }

    /// The documented error of `operation` for `status`, as [`ApiFailure::documented`]; for a
    /// request routed to no operation, the create call's (it documents every shared error).
    pub(crate) fn documented_for(operation: Option<SpecOperation>, status: u16) -> Self {
        let body = operation
            .and_then(|operation| documented_body(operation, status))
            .or_else(|| documented_body(SpecOperation::CreateTask, status))
            .unwrap_or_else(|| {
                serde_json::json!({"error": {"code": status, "message": "Error", "type": "api_error"}})
            });
        Self {
            status,
            body,
            retry_after: None,
        }
    }

    /// Replaces `error.message`.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.body["error"]["message"] = Value::String(message.into());
        self
    }

    /// Sets `error.param`, the request field the error is about.
    pub fn param(mut self, param: impl Into<String>) -> Self {
        self.body["error"]["param"] = Value::String(param.into());
        self
    }

    /// Replaces `error.fallback_suggestion`, so that the advice fits what was refused (the
    /// documented example's is for one cause only).
    pub fn suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.body["error"]["fallback_suggestion"] = Value::String(suggestion.into());
        self
    }

    /// Adds a `Retry-After` header.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json_error(status, self.body);
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ApiFailure> for Response {
    fn from(failure: ApiFailure) -> Self {
        failure.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_create_status_has_its_body() {
        for status in [400, 401, 402, 403, 404, 413, 429, 500, 502, 503] {
            let body = documented_body(SpecOperation::CreateTask, status).unwrap();
            assert_eq!(body["error"]["code"], status);
        }
        assert_eq!(
            documented_body(SpecOperation::GetTask, 404).unwrap()["error"]["code"],
            "task_not_found"
        );
        assert!(!is_documented_status(418));
    }

    #[test]
    fn a_files_own_path_is_the_delete_and_a_download_is_no_operation() {
        let op = |path| SpecOperation::from_path(path).map(SpecOperation::operation_id);
        assert_eq!(op("/api/v1/files/file_abc123"), Some("delete_file"));
        assert_eq!(op("/api/v1/files/list"), Some("list_files"));
        assert_eq!(op("/api/v1/files/quota"), Some("get_files_quota"));
        assert_eq!(op("/api/v1/files/download/file_abc123"), None);
        assert_eq!(op("/api/v1/files/"), None);
        assert!(documented_body(SpecOperation::DeleteFile, 404).is_some());
        assert!(documented_body(SpecOperation::ListFiles, 400).is_some());
    }

    #[test]
    fn every_operation_of_the_spec_is_a_row_of_the_table_and_every_row_is_in_the_spec() {
        let paths = spec()["paths"].as_object().expect("the spec has paths");
        let mut in_spec = 0;
        for (path, item) in paths {
            let methods = item.as_object().expect("a path item is an object");
            for method in ["get", "put", "post", "delete", "patch"] {
                if !methods.contains_key(method) {
                    continue;
                }
                in_spec += 1;
                let row = crate::operations::OPERATIONS.iter().find(|row| {
                    row.route == path && row.method.as_str().eq_ignore_ascii_case(method)
                });
                assert!(
                    row.is_some(),
                    "{method} {path}: add its row to operations::OPERATIONS (and its handler), so \
                     that it is routed, and the key, faults, counters and journal apply to it"
                );
                assert!(
                    SpecOperation::from_route(path).is_some(),
                    "{path}: an operation the middleware knows"
                );
            }
        }
        assert_eq!(
            in_spec,
            crate::operations::OPERATIONS.len(),
            "no row the spec lacks"
        );
        for row in &crate::operations::OPERATIONS {
            let operation = spec().pointer(&row.pointer());
            assert_eq!(
                operation.and_then(|op| op["operationId"].as_str()),
                Some(row.operation_id),
                "{} {}: its pointer names its operation in the spec",
                row.method,
                row.route
            );
        }
    }
}
