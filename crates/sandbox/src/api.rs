//! The image API's handlers: create a task, query it, read the credits. Authentication and
//! faults have run before them (middleware, see `routes`); each handler parses, calls the
//! simulation and answers the documented body or an [`ApiFailure`].

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nanobanana_api::types;
use tokio::time::Instant;

use crate::answered_error::json_error;
use crate::auth::CallerKey;
use crate::config::Fault;
use crate::contract::{ApiFailure, SpecOperation};
use crate::faults::InjectedFault;
use crate::idempotency::Claim;
use crate::journal_body::SentBody;
use crate::request_check::check_create;
use crate::results::result_url;
use crate::state::{AppState, Counters};
use crate::task_factory::{input_fingerprints, new_task};

/// `POST /v1/images/generations`
pub(crate) async fn create_task(
    State(state): State<Arc<AppState>>,
    Extension(CallerKey(key)): Extension<CallerKey>,
    Extension(InjectedFault(fault)): Extension<InjectedFault>,
    Extension(sent): Extension<SentBody>,
    request: Request,
) -> Result<Response, ApiFailure> {
    const OP: SpecOperation = SpecOperation::CreateTask;
    let idempotency_key = idempotency_key(request.headers())?;
    let limit = state.config.max_body_bytes;
    let body = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| {
            sent.note(format!("(over the {limit}-byte limit: not read)").into());
            ApiFailure::documented(OP, 413)
                .message(format!("Request body too large (limit {limit} bytes)"))
                .suggestion("send a shorter request: long inputs go in image_urls as links")
                .param("body")
        })?;
    sent.note_bytes(&body);
    if let Some(limiter) = &state.limiter {
        if let Err(wait) = limiter.take(&key) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            return Err(ApiFailure::documented(OP, 429)
                .message(format!(
                    "Rate limit exceeded: at most {} creates per second",
                    state.config.rate_limit_per_sec.unwrap_or(0)
                ))
                .retry_after(seconds)
                .suggestion(format!("retry after {seconds} seconds")));
        }
    }
    let request = check_create(&body, state.config.allow_insecure_callbacks)?;
    if let Some(url) = &request.callback_url {
        crate::callback_target::check(url, &state.config).await?;
    }
    let inputs = input_fingerprints(&state, &request)?;
    if let Some(idem) = &idempotency_key {
        // Equal bodies are equal JSON values (the key order and spacing do not matter).
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        match state
            .idempotency
            .claim(&key, idem, &json, state.config.max_tasks)
        {
            Claim::New => {}
            Claim::Replay(answer) => {
                tracing::info!(task_id = %answer.id, "create replayed for its Idempotency-Key");
                let mut response = Json(*answer).into_response();
                response.headers_mut().insert(
                    crate::idempotency::REPLAYED_HEADER,
                    axum::http::HeaderValue::from_static("true"),
                );
                return Ok(response);
            }
            Claim::Conflict => {
                return Err(ApiFailure::documented(OP, 409)
                    .message("Idempotency-Key already used for a different request")
                    .param("Idempotency-Key"))
            }
            Claim::InProgress => {
                let mut failure = ApiFailure::documented(OP, 409)
                    .message("The earlier request with this Idempotency-Key is still in progress")
                    .suggestion("retry later with the same Idempotency-Key")
                    .param("Idempotency-Key");
                failure.body["error"]["code"] = "paid_outcome_unknown".into();
                return Err(failure);
            }
        }
    }

    let task = new_task(&state, &request, inputs, fault == Some(Fault::FailTask));
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
        crate::callback_schedule::spawn(state.clone(), task.clone(), url);
    }
    tracing::info!(task_id = %task.id, model = %task.model, "task created");

    let answer = types::ImageGenerationResponse {
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
            ..Default::default()
        }),
    };
    if let Some(idem) = &idempotency_key {
        state.idempotency.finish(&key, idem, &answer);
    }
    Ok(Json(answer).into_response())
}

/// The create's `Idempotency-Key`, when it has one: 1 to 255 visible ASCII characters, else
/// a 400 naming the header.
fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiFailure> {
    let Some(value) = headers.get(crate::idempotency::KEY_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key)
            if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(key.to_string()))
        }
        _ => Err(ApiFailure::documented(SpecOperation::CreateTask, 400)
            .message("Idempotency-Key must be 1 to 255 visible ASCII characters")
            .param("Idempotency-Key")),
    }
}

/// `GET /v1/tasks/{task_id}`
pub(crate) async fn get_task(
    State(state): State<Arc<AppState>>,
    Path(task_id): Path<String>,
) -> Result<Json<types::TaskDetail>, ApiFailure> {
    const OP: SpecOperation = SpecOperation::GetTask;
    if !task_id.starts_with("task-unified-") {
        return Err(ApiFailure::documented(OP, 400));
    }
    let task = state
        .store
        .task(&task_id, state.config.task_ttl)
        .ok_or_else(|| ApiFailure::documented(OP, 404))?;
    Counters::bump(&state.counters.task_queries);
    Ok(Json(
        task.detail(Instant::now(), &[result_url(&state, &task.id)]),
    ))
}

/// `GET /v1/credits`: the initial credits less what the created tasks reserved.
pub(crate) async fn get_credits(
    State(state): State<Arc<AppState>>,
) -> Json<types::CreditsResponse> {
    let used = state
        .counters
        .credits_reserved_millis
        .load(Ordering::Relaxed) as f64
        / 1000.0;
    let remaining = (state.config.initial_credits - used).max(0.0);
    Json(types::CreditsResponse {
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
    })
}

/// Any other path of the API's address.
pub(crate) async fn no_such_endpoint() -> Response {
    let body = serde_json::json!({"error": {"code": 404, "message": "No such endpoint", "type": "not_found_error"}});
    json_error(axum::http::StatusCode::NOT_FOUND, body)
}
