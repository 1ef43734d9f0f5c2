//! The API contract as the sandbox answers it: error bodies are the spec's own documented
//! examples (the spec is embedded at build time), with `message` and `param` made specific.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The spec the sandbox implements.
pub const SPEC: &str = nanobanana_api::raw::OPENAPI_YAML;

/// The operations the sandbox answers, as JSON pointers to them in the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecOperation {
    /// `POST /v1/images/generations`
    CreateTask,
    /// `GET /v1/tasks/{task_id}`
    GetTask,
    /// `GET /v1/credits`
    GetCredits,
    /// `GET /v1/tasks`
    ListTasks,
    /// `POST /v1/tasks/batch`
    GetTasksBatch,
    /// `POST /api/v1/files/upload/stream` (file service)
    UploadStream,
    /// `POST /api/v1/files/upload/url` (file service)
    UploadUrl,
    /// `POST /api/v1/files/upload/base64` (file service)
    UploadBase64,
    /// `GET /api/v1/files/quota` (file service)
    FilesQuota,
    /// `GET /api/v1/files/list` (file service)
    ListFiles,
    /// `DELETE /api/v1/files/{file_id}` (file service)
    DeleteFile,
}

impl SpecOperation {
    /// The operation a matched route serves, by its path template. A result download
    /// (`/results/{name}`) is part of following a task: it answers the task query's errors.
    pub fn from_route(route: &str) -> Option<Self> {
        Some(match route {
            "/v1/images/generations" => Self::CreateTask,
            "/v1/tasks/{task_id}" | "/results/{name}" => Self::GetTask,
            "/v1/credits" => Self::GetCredits,
            "/v1/tasks" => Self::ListTasks,
            "/v1/tasks/batch" => Self::GetTasksBatch,
            "/api/v1/files/upload/stream" => Self::UploadStream,
            "/api/v1/files/upload/url" => Self::UploadUrl,
            "/api/v1/files/upload/base64" => Self::UploadBase64,
            "/api/v1/files/quota" => Self::FilesQuota,
            "/api/v1/files/list" => Self::ListFiles,
            "/api/v1/files/{file_id}" => Self::DeleteFile,
            _ => return None,
        })
    }

    /// The operation a request path belongs to (the journal's view, before routing).
    pub fn from_path(path: &str) -> Option<Self> {
        Some(match path {
            "/v1/images/generations" => Self::CreateTask,
            "/v1/credits" => Self::GetCredits,
            "/api/v1/files/upload/stream" => Self::UploadStream,
            "/api/v1/files/upload/url" => Self::UploadUrl,
            "/api/v1/files/upload/base64" => Self::UploadBase64,
            "/api/v1/files/quota" => Self::FilesQuota,
            "/api/v1/files/list" => Self::ListFiles,
            "/v1/tasks" => Self::ListTasks,
            "/v1/tasks/batch" => Self::GetTasksBatch,
            _ if path.starts_with("/v1/tasks/") => Self::GetTask,
            // One segment under /api/v1/files/ (a download is two): a file's own path.
            _ if path
                .strip_prefix("/api/v1/files/")
                .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
            {
                Self::DeleteFile
            }
            _ => return None,
        })
    }

    /// The spec's operationId.
    pub fn operation_id(self) -> &'static str {
        match self {
            Self::CreateTask => "create_image_generation",
            Self::GetTask => "get_task_detail",
            Self::GetCredits => "get_credits",
            Self::ListTasks => "list_tasks",
            Self::GetTasksBatch => "get_tasks_batch",
            Self::UploadStream => "upload_file_stream",
            Self::UploadUrl => "upload_file_url",
            Self::UploadBase64 => "upload_file_base64",
            Self::FilesQuota => "get_files_quota",
            Self::ListFiles => "list_files",
            Self::DeleteFile => "delete_file",
        }
    }

    /// The operation `request` was routed to (set by axum once routing matched; the middleware
    /// of [`crate::auth`] and [`crate::faults`] run only on matched routes).
    pub(crate) fn of(request: &axum::extract::Request) -> Self {
        request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .and_then(|path| Self::from_route(path.as_str()))
            .unwrap_or(Self::CreateTask)
    }

    fn pointer(self) -> &'static str {
        match self {
            Self::CreateTask => "/paths/~1v1~1images~1generations/post",
            Self::GetTask => "/paths/~1v1~1tasks~1{task_id}/get",
            Self::GetCredits => "/paths/~1v1~1credits/get",
            Self::ListTasks => "/paths/~1v1~1tasks/get",
            Self::GetTasksBatch => "/paths/~1v1~1tasks~1batch/post",
            Self::UploadStream => "/paths/~1api~1v1~1files~1upload~1stream/post",
            Self::UploadUrl => "/paths/~1api~1v1~1files~1upload~1url/post",
            Self::UploadBase64 => "/paths/~1api~1v1~1files~1upload~1base64/post",
            Self::FilesQuota => "/paths/~1api~1v1~1files~1quota/get",
            Self::ListFiles => "/paths/~1api~1v1~1files~1list/get",
            Self::DeleteFile => "/paths/~1api~1v1~1files~1{file_id}/delete",
        }
    }
}

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
    let mut response = spec().pointer(&format!("{}/responses/{status}", operation.pointer()))?;
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
        let body = documented_body(operation, status)
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
        let mut response = (status, axum::Json(self.body)).into_response();
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
    fn every_path_of_the_spec_is_an_operation_the_middleware_knows() {
        let paths = spec()["paths"].as_object().expect("the spec has paths");
        for path in paths.keys() {
            assert!(
                SpecOperation::from_route(path).is_some(),
                "{path}: add it to SpecOperation::from_route (and a route in routes.rs), so \
                 the key, faults and counters apply to it"
            );
        }
    }
}
