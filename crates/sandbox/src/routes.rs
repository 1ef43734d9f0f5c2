//! The router and one handler per operation. Simulation lives in `simulation`, the contract
//! (error bodies) in `contract`; handlers only glue them to HTTP.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use nanobanana_api::types;
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use crate::config::Fault;
use crate::contract::{ApiFailure, SpecOperation};
use crate::request_check::check_create;
use crate::simulation::SimulatedTask;
use crate::state::{AppState, Counters};

/// The header that injects a fault into one call.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// All routes of the sandbox.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/images/generations", post(create_task))
        .route("/v1/tasks/{task_id}", get(get_task))
        .route("/v1/credits", get(get_credits))
        .fallback(not_found)
        // Bodies are read and limited by the handler, which answers the documented 413.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

type Answer = Result<Response, Response>;

async fn create_task(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let outcome = create_task_inner(&state, request).await;
    if outcome.is_err() {
        Counters::bump(&state.counters.creates_rejected);
    }
    outcome.unwrap_or_else(|failure| failure)
}

async fn create_task_inner(state: &Arc<AppState>, request: Request) -> Answer {
    const OP: SpecOperation = SpecOperation::CreateTask;
    let key = authenticate(state, request.headers(), OP)?;
    let fault = fault(state, request.headers(), OP).await?;
    if let Some(Fault::Status(status)) = fault {
        return Err(injected(OP, status));
    }
    let limit = state.config.max_body_bytes;
    let body = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| {
            ApiFailure::documented(OP, 413)
                .message(format!("Request body too large (limit {limit} bytes)"))
                .param("body")
                .into_response()
        })?;
    if let Some(limiter) = &state.limiter {
        if let Err(wait) = limiter.take(&key) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            return Err(ApiFailure::documented(OP, 429)
                .message(format!(
                    "Rate limit exceeded: at most {} creates per second",
                    state.config.rate_limit_per_sec.unwrap_or(0)
                ))
                .retry_after(seconds)
                .into_response());
        }
    }
    let request = check_create(&body, state.config.allow_insecure_callbacks)
        .map_err(IntoResponse::into_response)?;
    let inputs = input_fingerprints(state, &request).map_err(IntoResponse::into_response)?;

    let task = new_task(state, &request, inputs, fault == Some(Fault::FailTask));
    let name = format!("{}-0.{}", task.id, state.config.result_format.extension());
    state.store.insert_file(&name, &task.id);
    let evicted = state
        .store
        .insert_task(task.clone(), state.config.max_tasks);
    Counters::add(&state.counters.tasks_evicted, evicted as u64);
    Counters::bump(&state.counters.creates);
    state
        .counters
        .credits_reserved_millis
        .fetch_add((task.credits * 1000.0) as u64, Ordering::Relaxed);
    if let Some(url) = task.callback_url.clone() {
        spawn_callback(state.clone(), task.clone(), url);
    }
    tracing::info!(task_id = %task.id, model = %task.model, "task created");

    let created = types::ImageGenerationResponse {
        created: Some(task.created_unix),
        id: task.id.clone(),
        model: Some(task.model.clone()),
        object: Some(types::TaskObject::ImageGenerationTask),
        progress: Some(0),
        status: types::TaskStatus::Pending,
        task_info: Some(types::TaskInfo {
            can_cancel: Some(true),
            estimated_time: Some(state.config.reported_estimate_secs()),
        }),
        type_: Some(types::TaskType::Image),
        usage: Some(types::Usage {
            billing_rule: Some(types::BillingRule::PerCall),
            credits_reserved: Some(task.credits),
            user_group: Some(types::UserGroup::Default),
        }),
    };
    Ok(respond(fault, Json(created).into_response()).await)
}

/// The fingerprints of the input images ([`SimulatedTask::inputs`]). The sandbox's own uploads
/// must still be stored (uploads expire after 72 h); images on other hosts are taken as they
/// are (the sandbox does not fetch them).
fn input_fingerprints(
    state: &AppState,
    request: &types::ImageGenerationRequest,
) -> Result<Vec<u64>, ApiFailure> {
    let fingerprint = |(i, url): (usize, &String)| {
        match crate::file_service::own_file(state, url) {
        crate::file_service::OwnFile::Kept(upload) => Ok(upload.fingerprint),
        crate::file_service::OwnFile::Gone => Err(ApiFailure::documented(SpecOperation::CreateTask, 400)
            .message(format!(
                "image_urls[{i}] is not a stored upload of this file service, or it expired (uploads are kept 72 h)"
            ))
            .param(format!("image_urls[{i}]"))),
        crate::file_service::OwnFile::Elsewhere => Ok(crate::images::seed(url)),
    }
    };
    request
        .image_urls
        .iter()
        .enumerate()
        .map(fingerprint)
        .collect()
}

fn new_task(
    state: &AppState,
    request: &types::ImageGenerationRequest,
    inputs: Vec<u64>,
    fails: bool,
) -> SimulatedTask {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let n = Counters::bump(&state.counters.next_id);
    let suffix: String = format!("{:08x}", crate::images::seed(&format!("{unix}-{n}")))
        .chars()
        .take(8)
        .collect();
    let fails_with = if fails {
        Some("service_error".to_string())
    } else if request.prompt.contains("[sandbox:fail]") {
        Some("content_policy_violation".to_string())
    } else {
        None
    };
    SimulatedTask {
        id: format!("task-unified-{unix}-{n}{suffix}"),
        model: request.model.to_string(),
        prompt: request.prompt.to_string(),
        inputs,
        size: request.size,
        quality: request.quality,
        callback_url: request.callback_url.as_ref().map(|u| u.to_string()),
        created_at: Instant::now(),
        created_unix: unix as i64,
        duration: state.config.task_duration(),
        fails_with,
        // The sandbox's price list: each quality its own price, 4K extra, as documented.
        credits: match request.quality {
            Some(types::ImageQuality::Res4K) => 3.2,
            Some(types::ImageQuality::Res0_5K) => 0.8,
            _ => 1.6,
        },
    }
}

async fn get_task(
    State(state): State<Arc<AppState>>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    const OP: SpecOperation = SpecOperation::GetTask;
    let answer = async {
        authenticate(&state, &headers, OP)?;
        let fault = fault(&state, &headers, OP).await?;
        if let Some(Fault::Status(status)) = fault {
            return Err(injected(OP, status));
        }
        if !task_id.starts_with("task-unified-") {
            return Err(ApiFailure::documented(OP, 400).into_response());
        }
        let task = state
            .store
            .task(&task_id, state.config.task_ttl)
            .ok_or_else(|| ApiFailure::documented(OP, 404).into_response())?;
        Counters::bump(&state.counters.task_queries);
        let detail = task.detail(Instant::now(), &[result_url(&state, &task.id)]);
        Ok(respond(fault, Json(detail).into_response()).await)
    };
    answer.await.unwrap_or_else(|failure| failure)
}

async fn get_credits(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    const OP: SpecOperation = SpecOperation::GetCredits;
    let answer = async {
        authenticate(&state, &headers, OP)?;
        let fault = fault(&state, &headers, OP).await?;
        if let Some(Fault::Status(status)) = fault {
            return Err(injected(OP, status));
        }
        let used = state
            .counters
            .credits_reserved_millis
            .load(Ordering::Relaxed) as f64
            / 1000.0;
        let remaining = (state.config.initial_credits - used).max(0.0);
        let credits = types::CreditsResponse {
            success: Some(true),
            message: Some("success".to_string()),
            data: types::CreditsData {
                token: Some(types::TokenCredits {
                    remaining_credits: Some(remaining),
                    unlimited_credits: Some(false),
                    used_credits: Some(used),
                }),
                user: Some(types::UserCredits {
                    remaining_credits: Some(remaining),
                    used_credits: Some(used),
                }),
            },
        };
        Ok(respond(fault, Json(credits).into_response()).await)
    };
    answer.await.unwrap_or_else(|failure: Response| failure)
}

/// `GET /results/{name}` on the file service's address: a result image.
pub(crate) async fn result_file(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let gone = |status: StatusCode, message: &str| {
        let body = serde_json::json!({"error": {"code": status.as_u16(), "message": message, "type": "not_found_error"}});
        (status, Json(body)).into_response()
    };
    let fault = match fault(&state, &headers, SpecOperation::GetTask).await {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    if let Some(Fault::Status(status)) = fault {
        return injected(SpecOperation::GetTask, status);
    }
    let Some(file) = state.store.file(&name) else {
        return gone(StatusCode::NOT_FOUND, "No such result file");
    };
    let Some(task) = state.store.task(&file.task_id, state.config.task_ttl) else {
        return gone(StatusCode::GONE, "This result link has expired");
    };
    let now = Instant::now();
    if now < task.ends_at() || task.fails_with.is_some() {
        return gone(StatusCode::NOT_FOUND, "No such result file");
    }
    if now.saturating_duration_since(task.ends_at()) >= state.config.link_ttl {
        return gone(
            StatusCode::GONE,
            "This result link has expired (results are kept 24 h)",
        );
    }
    let png = {
        {
            let (width, height) =
                crate::images::dimensions(task.size.as_ref(), task.quality.as_ref());
            let caption = caption(&task);
            let format = state.config.result_format;
            // Renders are shared by identical requests: the caption and format are part of it.
            let seed = crate::images::seed(&format!(
                "{}|{:?}|{format:?}",
                task.image_seed(width, height),
                caption.lines
            ));
            let png = match state.store.rendered(seed, width, height) {
                Some(png) => png,
                None => {
                    let png = tokio::task::spawn_blocking(move || {
                        crate::images::render(seed, width, height, &caption, format)
                    })
                    .await
                    .expect("rendering does not panic");
                    let png = Arc::new(png);
                    state.store.keep_render(seed, width, height, png.clone());
                    png
                }
            };
            png
        }
    };
    Counters::bump(&state.counters.file_downloads);
    let total = png.len();
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
    let body = Bytes::copy_from_slice(&png[start..]);
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, state.config.result_format.mime_type())
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, body.len());
    if status == StatusCode::PARTIAL_CONTENT {
        response = response.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{total}", total - 1),
        );
    }
    let response = response
        .body(Body::from(body.clone()))
        .expect("a valid response");
    respond(fault, response).await
}

/// What a placeholder shows about the task that produced it.
fn caption(task: &crate::simulation::SimulatedTask) -> crate::images::Caption {
    let prompt = task.prompt.lines().next().unwrap_or("").to_string();
    let size = task.size.map_or("auto".to_string(), |s| s.to_string());
    let quality = task.quality.map_or("2K".to_string(), |q| q.to_string());
    crate::images::Caption {
        lines: vec![
            prompt,
            task.model.clone(),
            format!("{size} x {quality}"),
            "sandbox placeholder".to_string(),
        ],
        inputs: task.inputs.clone(),
    }
}

async fn not_found() -> Response {
    let body = serde_json::json!({"error": {"code": 404, "message": "No such endpoint", "type": "not_found_error"}});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Results live on another host than the API, as the real ones do: the file service's address.
fn result_url(state: &AppState, task_id: &str) -> String {
    format!(
        "{}/results/{task_id}-0.{}",
        state.files_base_url(),
        state.config.result_format.extension()
    )
}

/// Checks `Authorization: Bearer <key>` (constant-time against the configured key) and returns
/// the key, for the rate limiter.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    op: SpecOperation,
) -> Result<String, ApiFailure> {
    check_key(state, headers).ok_or_else(|| ApiFailure::documented(op, 401))
}

/// The request's key, when it is accepted (both services take the same key).
pub(crate) fn check_key(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let accepted = match (key, &state.config.api_key) {
        (Some(key), Some(expected)) => bool::from(key.as_bytes().ct_eq(expected.as_bytes())),
        (Some(_), None) => true,
        (None, _) => false,
    };
    key.filter(|_| accepted).map(str::to_string)
}

/// The fault for this call: the request's header, else the next queued one.
async fn fault(
    state: &AppState,
    headers: &HeaderMap,
    op: SpecOperation,
) -> Result<Option<Fault>, Response> {
    let fault = match headers.get(FAULT_HEADER).map(|v| v.to_str().unwrap_or("")) {
        Some(text) => Some(text.parse::<Fault>().map_err(|e| {
            ApiFailure::documented(op, 400)
                .message(e)
                .param(FAULT_HEADER)
                .into_response()
        })?),
        None => state.next_fault(),
    };
    if fault == Some(Fault::Slow) {
        tokio::time::sleep(state.config.slow_delay).await;
    }
    Ok(fault)
}

fn injected(op: SpecOperation, status: u16) -> Response {
    let failure = ApiFailure::documented(op, status);
    let failure = if matches!(status, 429 | 503) {
        failure.retry_after(1)
    } else {
        failure
    };
    failure.into_response()
}

/// Applies the `drop` and `truncate` faults to a finished response.
async fn respond(fault: Option<Fault>, response: Response) -> Response {
    match fault {
        Some(Fault::Drop) => broken_body(response, 0).await,
        Some(Fault::Truncate) => broken_body(response, 2).await,
        _ => response,
    }
}

/// Keeps the status and headers (including the full `Content-Length`), sends `1/divisor` of
/// the body (none for 0), then fails the stream so the connection is cut.
async fn broken_body(response: Response, divisor: usize) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = bytes.len().checked_div(divisor).unwrap_or(0);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let head = bytes.slice(..keep);
    let stream = futures_util::stream::iter([
        Ok::<Bytes, std::io::Error>(head),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection cut",
        )),
    ]);
    Response::from_parts(parts, Body::from_stream(stream))
}

fn spawn_callback(state: Arc<AppState>, task: SimulatedTask, url: String) {
    Counters::bump(&state.counters.callbacks_pending);
    tokio::spawn(async move {
        let mut stopping = state.stopping.subscribe();
        let ended = tokio::select! {
            _ = tokio::time::sleep_until(task.ends_at()) => true,
            _ = stopping.wait_for(|stop| *stop) => false,
        };
        if ended {
            let detail = task.detail(Instant::now(), &[result_url(&state, &task.id)]);
            let body = serde_json::to_vec(&detail).expect("a task serializes");
            let delivery = crate::callbacks::deliver(
                state.callbacks.as_ref(),
                &url,
                body,
                state.config.callback_timeout,
                state.config.time_scale,
                stopping,
            )
            .await;
            let counter = if delivery.delivered {
                &state.counters.callbacks_delivered
            } else {
                &state.counters.callbacks_failed
            };
            Counters::bump(counter);
        } else {
            // The sandbox stopped before the task ended: there is nothing true to send.
            Counters::bump(&state.counters.callbacks_dropped);
        }
        state
            .counters
            .callbacks_pending
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    });
}

/// How often expired tasks and files are swept.
pub(crate) fn sweep_interval(state: &AppState) -> Duration {
    state
        .config
        .link_ttl
        .min(state.config.task_ttl)
        .min(Duration::from_secs(60))
        .max(Duration::from_millis(10))
}
