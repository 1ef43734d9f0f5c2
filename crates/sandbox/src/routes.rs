//! The routes of both addresses, and what runs before their handlers. Nothing else: the
//! handlers are in `api`, `file_service` and `results`, the middleware in `auth`, `faults` and
//! `state` (counting refusals).
//!
//! Layers added last run first: a documented call is counted, then authenticated, then gets its
//! fault, then reaches its handler.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post};
use axum::Router;
use nanobanana_api::files::MAX_IMAGE_BYTES;

use crate::state::AppState;
use crate::{
    api, auth, faults, file_service, host_check, journal_http, request_id, results, state,
    task_list,
};

/// The image API's address.
pub(crate) fn api_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/images/generations", post(api::create_task))
        .route("/v1/tasks", get(task_list::list_tasks))
        .route("/v1/tasks/batch", post(task_list::get_tasks_batch))
        .route("/v1/tasks/{task_id}", get(api::get_task))
        .route("/v1/credits", get(api::get_credits))
        .route_layer(from_fn_with_state(state.clone(), faults::inject))
        .route_layer(from_fn_with_state(state.clone(), auth::require_key))
        .route_layer(from_fn_with_state(state.clone(), state::count_refusals))
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
    let uploads = Router::new()
        .route(
            "/api/v1/files/upload/stream",
            post(file_service::upload_stream),
        )
        .route("/api/v1/files/upload/url", post(file_service::upload_url))
        .route(
            "/api/v1/files/upload/base64",
            post(file_service::upload_base64),
        )
        .route("/api/v1/files/quota", get(file_service::quota))
        .route("/api/v1/files/list", get(file_service::list_files))
        .route(
            "/api/v1/files/{file_id}",
            delete(file_service::delete_file).fallback(file_service::no_such_endpoint),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::require_key))
        .route_layer(from_fn_with_state(state.clone(), state::count_refusals));
    let results = Router::new()
        .route("/results/{name}", get(results::result_file))
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
