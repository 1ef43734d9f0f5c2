//! The routes of both addresses, and what runs before their handlers. Nothing else: the
//! operations are the rows of [`OPERATIONS`], each routed to its handler (in `api`,
//! `file_service`, `task_list`) by [`handler`]; the middleware is in `auth`, `faults` and
//! `operation_layer` (marking the operation, counting refusals).
//!
//! Layers added last run first: a documented call is marked and counted, then authenticated,
//! then gets its fault, then reaches its handler.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, on, MethodFilter, MethodRouter};
use axum::Router;
use nanobanana_api::files::MAX_IMAGE_BYTES;

use crate::operations::{Operation, Service, SpecOperation, OPERATIONS, RESULTS_ROUTE};
use crate::state::AppState;
use crate::{
    api, auth, faults, file_service, host_check, journal_http, operation_layer, request_id,
    results, task_list,
};

/// The routes of `service`'s operations: one per row of [`OPERATIONS`].
fn operation_routes(service: Service) -> Router<Arc<AppState>> {
    OPERATIONS
        .iter()
        .filter(|row| row.service == service)
        .fold(Router::new(), |router, row| {
            router.route(row.route, handler(row))
        })
}

/// The handler of `row`'s operation, on its method.
fn handler(row: &Operation) -> MethodRouter<Arc<AppState>> {
    let method = MethodFilter::try_from(row.method.clone())
        .expect("the table's methods are ones axum routes (checked by every test's sandbox)");
    match row.op {
        SpecOperation::CreateTask => on(method, api::create_task),
        SpecOperation::GetTask => on(method, api::get_task),
        SpecOperation::GetCredits => on(method, api::get_credits),
        SpecOperation::ListTasks => on(method, task_list::list_tasks),
        SpecOperation::GetTasksBatch => on(method, task_list::get_tasks_batch),
        SpecOperation::UploadStream => on(method, file_service::upload_stream),
        SpecOperation::UploadUrl => on(method, file_service::upload_url),
        SpecOperation::UploadBase64 => on(method, file_service::upload_base64),
        SpecOperation::FilesQuota => on(method, file_service::quota),
        SpecOperation::ListFiles => on(method, file_service::list_files),
        // Another method on a file's own path: no such endpoint (not a 405).
        SpecOperation::DeleteFile => {
            on(method, file_service::delete_file).fallback(file_service::no_such_endpoint)
        }
    }
}

/// The image API's address.
pub(crate) fn api_router(state: Arc<AppState>) -> Router {
    operation_routes(Service::Api)
        .route_layer(from_fn_with_state(state.clone(), faults::inject))
        .route_layer(from_fn_with_state(state.clone(), auth::require_key))
        .route_layer(from_fn_with_state(
            state.clone(),
            operation_layer::mark_and_count,
        ))
        // The sandbox's own endpoints, apart from the API's paths (no key needed).
        .merge(host_check::sandbox_routes(state.clone()))
        // What a browser asks for beside the page: nothing, and not journaled.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .fallback(api::no_such_endpoint)
        // Bodies are read and limited by the handler, which answers the documented 413.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(request_id::tag))
        .layer(from_fn_with_state(state.clone(), journal_http::record))
        .with_state(state)
}

/// The file service's address: the upload operations, the quota, the list and delete (with the key), stored files and result
/// images (links that work without it).
pub(crate) fn files_router(state: Arc<AppState>) -> Router {
    let uploads = operation_routes(Service::Files)
        .route_layer(from_fn_with_state(state.clone(), auth::require_key))
        .route_layer(from_fn_with_state(
            state.clone(),
            operation_layer::mark_and_count,
        ));
    let results = Router::new()
        .route(RESULTS_ROUTE, get(results::result_file))
        .route_layer(from_fn_with_state(state.clone(), faults::inject));
    let files = Router::new()
        .route(
            "/api/v1/files/download/{file_id}",
            get(file_service::download),
        )
        .route(file_service::SERVED_FILES_ROUTE, get(file_service::serve));
    uploads
        .merge(results)
        .merge(files)
        .fallback(file_service::no_such_endpoint)
        .layer(axum::middleware::from_fn(request_id::tag))
        .layer(from_fn_with_state(state.clone(), journal_http::record))
        // The image limit as base64 (4/3 of the bytes) plus room for the other fields.
        .layer(DefaultBodyLimit::max(
            MAX_IMAGE_BYTES as usize / 3 * 4 + 64 * 1024,
        ))
        .with_state(state)
}
