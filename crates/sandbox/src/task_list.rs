//! Finding tasks again: the task list (`GET /v1/tasks`, filters and paging, newest first) and
//! the batch query (`POST /v1/tasks/batch`, at most 50 ids), both from the task store.
//!
//! The store does not record which API key created a task, so every key sees every task the
//! sandbox holds (one sandbox is usually one user).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::Json;
use nanobanana_api::types;
use tokio::time::Instant;

use crate::contract::{ApiFailure, SpecOperation};
use crate::results::result_url;
use crate::simulation::SimulatedTask;
use crate::state::{AppState, Counters};

/// The most ids one batch query takes.
pub const MAX_BATCH_IDS: usize = 50;
/// The most tasks one page of the list holds.
pub const MAX_PAGE_SIZE: u64 = 100;
const DEFAULT_PAGE_SIZE: u64 = 20;

/// `GET /v1/tasks`
pub(crate) async fn list_tasks(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<types::TaskListResponse>, ApiFailure> {
    // An int64 in the spec: a page past its range is refused like any other bad value.
    let page = number(&query, "page", 1, i64::MAX as u64)?.unwrap_or(1);
    let page_size = number(&query, "page_size", 1, MAX_PAGE_SIZE)?.unwrap_or(DEFAULT_PAGE_SIZE);
    let now = Instant::now();
    let matching: Vec<types::TaskSummary> = state
        .store
        .recent_tasks(usize::MAX)
        .iter()
        .filter(|t| t.created_at.elapsed() < state.config.task_ttl)
        .map(|t| summary(&state, t, now))
        .filter(|s| matches(s, &query))
        .collect();
    let total = matching.len() as i64;
    let skip = (page - 1).saturating_mul(page_size);
    let data = matching
        .into_iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(page_size as usize)
        .collect();
    Ok(Json(types::TaskListResponse {
        data,
        total: Some(total),
        page: std::num::NonZeroU64::new(page),
        page_size: std::num::NonZeroU64::new(page_size),
    }))
}

/// `POST /v1/tasks/batch`: the known tasks among `task_ids`; unknown ids are absent. Counts as
/// one task query.
pub(crate) async fn get_tasks_batch(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<types::TaskBatchResponse>, ApiFailure> {
    const OP: SpecOperation = SpecOperation::GetTasksBatch;
    let refused = |message: String| {
        ApiFailure::documented(OP, 400)
            .message(message)
            .param("task_ids")
    };
    let request: types::TaskBatchRequest = serde_json::from_slice(&body)
        .map_err(|e| refused(format!("The body must be {{\"task_ids\": [..]}}: {e}")))?;
    let count = request.task_ids.len();
    if count == 0 || count > MAX_BATCH_IDS {
        return Err(refused(format!(
            "task_ids must hold 1 to {MAX_BATCH_IDS} task ids (got {count}); query more in several calls"
        )));
    }
    Counters::bump(&state.counters.task_queries);
    let now = Instant::now();
    let mut seen = std::collections::HashSet::new();
    let data = request
        .task_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .filter_map(|id| state.store.task(id, state.config.task_ttl))
        .map(|t| t.detail(now, &[result_url(&state, &t.id)]))
        .collect();
    Ok(Json(types::TaskBatchResponse { data }))
}

/// The query parameter `name` as a number in `min..=max`, else a 400 naming it.
fn number(
    query: &HashMap<String, String>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, ApiFailure> {
    let Some(raw) = query.get(name) else {
        return Ok(None);
    };
    match raw.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => {
            let range = if max >= i64::MAX as u64 {
                format!("at least {min}")
            } else {
                format!("between {min} and {max}")
            };
            Err(ApiFailure::documented(SpecOperation::ListTasks, 400)
                .message(format!(
                    "{name} must be a whole number {range} (got {raw:?})"
                ))
                .param(name))
        }
    }
}

fn summary(state: &AppState, task: &SimulatedTask, now: Instant) -> types::TaskSummary {
    let detail = task.detail(now, &[result_url(state, &task.id)]);
    types::TaskSummary {
        id: detail.id,
        model: detail.model,
        type_: detail.type_,
        status: detail.status,
        progress: detail.progress,
        created_at: detail.created,
        duration: detail.duration,
        has_results: Some(!detail.results.is_empty()),
        result_count: Some(detail.results.len() as u64),
        has_error: Some(detail.error.is_some()),
        credits_used: detail.usage.and_then(|u| u.credits_used),
    }
}

/// Whether `task` passes the filters `status` (`processing` includes `pending`), `type` and
/// `model`.
fn matches(task: &types::TaskSummary, query: &HashMap<String, String>) -> bool {
    let status = task.status.to_string();
    let status_ok = query
        .get("status")
        .is_none_or(|want| *want == status || (want == "processing" && status == "pending"));
    let type_ok = query
        .get("type")
        .is_none_or(|want| task.type_.as_ref().is_some_and(|t| t.to_string() == *want));
    let model_ok = query
        .get("model")
        .is_none_or(|want| task.model.as_deref() == Some(want.as_str()));
    status_ok && type_ok && model_ok
}
