//! Result images, on the file service's address as Evolink's are on another host: rendered
//! when first asked for (and shared by identical requests), served whole or from a byte offset
//! (`Range: bytes=N-`), gone once the link expires.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use crate::answered_error::json_error;
use crate::images::Caption;
use crate::simulation::SimulatedTask;
use crate::state::{AppState, Counters};

/// The address of a task's result on the file service.
pub(crate) fn result_url(state: &AppState, task_id: &str) -> String {
    format!(
        "{}/results/{task_id}-0.{}",
        state.files_base_url(),
        state.config.result_format.extension()
    )
}

/// Why a result cannot be served.
pub(crate) enum Unavailable {
    /// No such file, or its task has not finished (or failed).
    Missing,
    /// The task, or its link, expired.
    Expired(&'static str),
}

impl IntoResponse for Unavailable {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::Missing => (StatusCode::NOT_FOUND, "No such result file"),
            Self::Expired(message) => (StatusCode::GONE, message),
        };
        let body = serde_json::json!({"error": {"code": status.as_u16(), "message": message, "type": "not_found_error"}});
        json_error(status, body)
    }
}

/// `GET /results/{name}`
pub(crate) async fn result_file(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Unavailable> {
    let file = state.store.file(&name).ok_or(Unavailable::Missing)?;
    let task = state
        .store
        .task(&file.task_id, state.config.task_ttl)
        .ok_or(Unavailable::Expired("This result link has expired"))?;
    let now = Instant::now();
    if now < task.ends_at() || task.fails_with.is_some() {
        return Err(Unavailable::Missing);
    }
    if now.saturating_duration_since(task.ends_at()) >= state.config.link_ttl {
        return Err(Unavailable::Expired(
            "This result link has expired (results are kept 24 h)",
        ));
    }
    let image = rendered(&state, &task).await;
    Counters::bump(&state.counters.file_downloads);
    Ok(from_offset(
        &image,
        &headers,
        state.config.result_format.mime_type(),
    ))
}

/// The task's image, from the render cache or rendered now (off the async threads).
async fn rendered(state: &AppState, task: &SimulatedTask) -> Arc<Vec<u8>> {
    let (width, height) = crate::images::dimensions(task.size.as_ref(), task.quality.as_ref());
    let caption = caption(task);
    let format = state.config.result_format;
    // Renders are shared by identical requests: the caption and format are part of it.
    let seed = crate::images::seed(&format!(
        "{}|{:?}|{format:?}",
        task.image_seed(width, height),
        caption.lines
    ));
    if let Some(image) = state.store.rendered(seed, width, height) {
        return image;
    }
    let image = tokio::task::spawn_blocking(move || {
        crate::images::render(seed, width, height, &caption, format)
    })
    .await
    .expect("rendering does not panic");
    let image = Arc::new(image);
    state.store.keep_render(seed, width, height, image.clone());
    image
}

/// The bytes whole (200), or from the offset of a `Range: bytes=N-` header (206).
fn from_offset(image: &[u8], headers: &HeaderMap, mime_type: &str) -> Response {
    let total = image.len();
    let from = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.strip_suffix('-'))
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|from| *from < total);
    let (status, start) = match from {
        Some(from) => (StatusCode::PARTIAL_CONTENT, from),
        None => (StatusCode::OK, 0),
    };
    let body = Bytes::copy_from_slice(&image[start..]);
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, mime_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, body.len());
    if status == StatusCode::PARTIAL_CONTENT {
        response = response.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{total}", total - 1),
        );
    }
    response.body(Body::from(body)).expect("a valid response")
}

/// What a placeholder shows about the task that produced it.
fn caption(task: &SimulatedTask) -> Caption {
    let prompt = task.prompt.lines().next().unwrap_or("").to_string();
    let size = task.size.map_or("auto".to_string(), |s| s.to_string());
    let quality = task.quality.map_or("2K".to_string(), |q| q.to_string());
    Caption {
        lines: vec![
            prompt,
            task.model.clone(),
            format!("{size} x {quality}"),
            "sandbox placeholder".to_string(),
        ],
        swatches: task.swatches.clone(),
    }
}
