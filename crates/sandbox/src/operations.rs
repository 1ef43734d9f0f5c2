//! The operations the sandbox answers, in one table: [`OPERATIONS`]. Routing builds each
//! address's routes from it (`routes`), the route middleware reads which counter a refusal
//! bumps (`operation_layer`), the journal names an entry by its row's operationId, and the
//! documented error bodies are found at its row's place in the spec (`contract`).
//!
//! Adding an operation is one row here and its handler (an arm of `routes::handler`).

use axum::extract::MatchedPath;
use axum::http::Method;

/// The operations the sandbox answers, one per row of [`OPERATIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// The address an operation is served on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    /// The image API's address: the key, then the call's fault, then the handler.
    Api,
    /// The file service's address: the key, then the handler.
    Files,
}

/// The counter a refused call of an operation bumps (any answer but 2xx).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusals {
    /// `SandboxStats::creates_rejected`
    Creates,
    /// `SandboxStats::uploads_rejected`
    Uploads,
}

/// One row of [`OPERATIONS`].
#[derive(Debug)]
pub(crate) struct Operation {
    /// Which operation.
    pub op: SpecOperation,
    /// The address that serves it.
    pub service: Service,
    /// Its HTTP method.
    pub method: Method,
    /// Its path template, the same in the spec and in axum's routes (`/v1/tasks/{task_id}`).
    pub route: &'static str,
    /// The spec's operationId, as the journal names the operation.
    pub operation_id: &'static str,
    /// The counter its refusals bump, if any.
    pub refusals: Option<Refusals>,
}

impl Operation {
    /// Where the operation is in the spec: `/paths/<route, escaped>/<method>`.
    pub(crate) fn pointer(&self) -> String {
        let path = self.route.replace('~', "~0").replace('/', "~1");
        format!(
            "/paths/{path}/{}",
            self.method.as_str().to_ascii_lowercase()
        )
    }
}

/// Every operation the sandbox answers.
#[rustfmt::skip]
pub(crate) static OPERATIONS: [Operation; 11] = {
    use Refusals::{Creates, Uploads};
    use Service::{Api, Files};
    use SpecOperation as Op;
    const fn row(
        op: SpecOperation,
        service: Service,
        method: Method,
        route: &'static str,
        operation_id: &'static str,
        refusals: Option<Refusals>,
    ) -> Operation {
        Operation {
            op,
            service,
            method,
            route,
            operation_id,
            refusals,
        }
    }
    [
        row(Op::CreateTask, Api, Method::POST, "/v1/images/generations", "create_image_generation", Some(Creates)),
        row(Op::ListTasks, Api, Method::GET, "/v1/tasks", "list_tasks", None),
        row(Op::GetTasksBatch, Api, Method::POST, "/v1/tasks/batch", "get_tasks_batch", None),
        row(Op::GetTask, Api, Method::GET, "/v1/tasks/{task_id}", "get_task_detail", None),
        row(Op::GetCredits, Api, Method::GET, "/v1/credits", "get_credits", None),
        row(Op::UploadStream, Files, Method::POST, "/api/v1/files/upload/stream", "upload_file_stream", Some(Uploads)),
        row(Op::UploadUrl, Files, Method::POST, "/api/v1/files/upload/url", "upload_file_url", Some(Uploads)),
        row(Op::UploadBase64, Files, Method::POST, "/api/v1/files/upload/base64", "upload_file_base64", Some(Uploads)),
        row(Op::FilesQuota, Files, Method::GET, "/api/v1/files/quota", "get_files_quota", None),
        row(Op::ListFiles, Files, Method::GET, "/api/v1/files/list", "list_files", None),
        row(Op::DeleteFile, Files, Method::DELETE, "/api/v1/files/{file_id}", "delete_file", None),
    ]
};

/// The route of a result download, on the file service's address. It is no operation of the
/// spec, but part of following a task: its faults answer the task query's errors.
pub(crate) const RESULTS_ROUTE: &str = "/results/{name}";

impl SpecOperation {
    /// This operation's row of [`OPERATIONS`].
    pub(crate) fn row(self) -> &'static Operation {
        OPERATIONS
            .iter()
            .find(|row| row.op == self)
            .expect("every operation has its row in OPERATIONS (checked by a test)")
    }

    /// The operation a matched route serves, by its path template. A result download
    /// ([`RESULTS_ROUTE`]) answers the task query's errors.
    pub fn from_route(route: &str) -> Option<Self> {
        if route == RESULTS_ROUTE {
            return Some(Self::GetTask);
        }
        OPERATIONS
            .iter()
            .find(|row| row.route == route)
            .map(|row| row.op)
    }

    /// The operation a request path belongs to, whatever its method: the row whose route it
    /// matches, a literal route before one with a `{parameter}` (one non-empty segment), as
    /// routing chooses. `None` for a path no operation's route matches.
    pub fn from_path(path: &str) -> Option<Self> {
        let literal = |row: &&Operation| !row.route.contains('{');
        let (literals, templates): (Vec<&Operation>, Vec<&Operation>) =
            OPERATIONS.iter().partition(literal);
        literals
            .into_iter()
            .chain(templates)
            .find(|row| route_matches(row.route, path))
            .map(|row| row.op)
    }

    /// The spec's operationId.
    pub fn operation_id(self) -> &'static str {
        self.row().operation_id
    }

    /// The operation routing matched for `request` (axum's [`MatchedPath`]); `None` before
    /// routing, or for a route that is no operation. The route middleware of [`crate::auth`],
    /// [`crate::faults`] and `operation_layer` run only on matched routes.
    pub(crate) fn of(request: &axum::extract::Request) -> Option<Self> {
        request
            .extensions()
            .get::<MatchedPath>()
            .and_then(|path| Self::from_route(path.as_str()))
    }
}

/// Whether `path` matches the path template `route`, segment by segment (a `{parameter}`
/// matches one non-empty segment).
fn route_matches(route: &str, path: &str) -> bool {
    let (mut route, mut path) = (route.split('/'), path.split('/'));
    loop {
        match (route.next(), path.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') => {
                if got.is_empty() {
                    return false;
                }
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_row_and_every_route_one_operation() {
        for row in &OPERATIONS {
            assert_eq!(row.op.row().route, row.route);
            assert_eq!(
                OPERATIONS.iter().filter(|r| r.route == row.route).count(),
                1,
                "{}: one row per route",
                row.route
            );
            assert_eq!(SpecOperation::from_route(row.route), Some(row.op));
            let concrete = row
                .route
                .replace("{task_id}", "task-unified-1-x")
                .replace("{file_id}", "file_abc123");
            assert_eq!(
                SpecOperation::from_path(&concrete),
                Some(row.op),
                "{concrete}"
            );
        }
    }

    #[test]
    fn a_path_no_route_matches_is_no_operation() {
        for path in [
            "/",
            "/v1",
            "/v1/tasks/",
            "/v1/tasks/a/b",
            "/v1/images/generations/x",
            "/api/v1/files/",
            "/api/v1/files/download/file_abc123",
            "/results/task-unified-1-x-0.png",
        ] {
            assert_eq!(SpecOperation::from_path(path), None, "{path}");
        }
        assert_eq!(
            SpecOperation::from_path("/v1/tasks/batch"),
            Some(SpecOperation::GetTasksBatch),
            "a literal route before a template"
        );
        assert_eq!(SpecOperation::from_route("/v1/nothing"), None);
        assert_eq!(
            SpecOperation::from_route(RESULTS_ROUTE),
            Some(SpecOperation::GetTask)
        );
    }

    #[test]
    fn a_pointer_escapes_the_route() {
        assert_eq!(
            SpecOperation::GetTask.row().pointer(),
            "/paths/~1v1~1tasks~1{task_id}/get"
        );
        assert_eq!(
            SpecOperation::DeleteFile.row().pointer(),
            "/paths/~1api~1v1~1files~1{file_id}/delete"
        );
    }
}
