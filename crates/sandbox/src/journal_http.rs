//! The journal's HTTP side: the middleware that records each request with its answer, and
//! `GET /__sandbox/requests`. The journal itself (what is kept, how) is `journal`.
//!
//! What an entry says of its answer comes with the answer, as extensions: the operation routing
//! matched ([`Routed`], none for a request no route matched), the fault injected
//! ([`InjectedFault`]), what an error said ([`AnsweredError`]). Only a successful create's body
//! is read, for the id of the task it made.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use crate::answered_error::AnsweredError;
use crate::faults::InjectedFault;
use crate::journal::{now_unix_ms, JournalEntry, SANDBOX_PREFIX};
use crate::journal_body::SentBody;
use crate::operation_layer::Routed;
use crate::operations::SpecOperation;
use crate::state::AppState;

/// The longest create answer read for the id of its task.
const CREATED_BODY_LIMIT: usize = 16 * 1024;

/// Middleware: records the request and its answer.
pub(crate) async fn record(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let at_unix_ms = now_unix_ms();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    if path.starts_with(SANDBOX_PREFIX) || path == "/favicon.ico" {
        return next.run(request).await;
    }
    let key_hint = key_hint(request.headers());
    let idempotency_key = request
        .headers()
        .get(crate::idempotency::KEY_HEADER)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(300)
                .collect()
        });
    let body = SentBody::default();
    request.extensions_mut().insert(body.clone());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get(crate::request_id::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let replayed = response
        .headers()
        .get(crate::idempotency::REPLAYED_HEADER)
        .is_some_and(|v| v == "true");
    let operation = response.extensions().get::<Routed>().map(|routed| routed.0);
    let fault = response
        .extensions()
        .get::<InjectedFault>()
        .and_then(|f| f.0.as_ref())
        .map(|f| format!("{f:?}"));
    let said = response
        .extensions()
        .get::<AnsweredError>()
        .cloned()
        .unwrap_or_default();
    let queried_task = match operation {
        Some(SpecOperation::GetTask) => path.strip_prefix("/v1/tasks/").map(str::to_string),
        _ => None,
    };
    let (response, created_task) =
        if response.status().is_success() && operation == Some(SpecOperation::CreateTask) {
            let (response, answer) = read_small_body(response).await;
            (response, answer["id"].as_str().map(str::to_string))
        } else {
            (response, None)
        };
    state.journal.record(JournalEntry {
        at_unix_ms,
        method,
        path,
        operation: operation.map(|op| op.operation_id().to_string()),
        status,
        duration_ms: started.elapsed().as_millis() as u64,
        task_id: created_task.or(queried_task),
        error_type: said.error_type,
        param: said.param,
        message: said.message,
        fault,
        body: body.take(),
        key_hint,
        request_id,
        idempotency_key,
        replayed,
    });
    response
}

/// The last four characters of the request's key (`…a1b2`); a key of 12 characters or fewer
/// is only said to be there, so that no short key is half shown.
fn key_hint(headers: &axum::http::HeaderMap) -> Option<String> {
    let key = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    let chars: Vec<char> = key.chars().collect();
    Some(match chars.len() {
        0 => return None,
        1..=12 => format!("(a key of {} characters)", chars.len()),
        n => format!("…{}", chars[n - 4..].iter().collect::<String>()),
    })
}

/// A small answer's JSON (a create's); the body is passed on unchanged.
async fn read_small_body(response: Response) -> (Response, serde_json::Value) {
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, CREATED_BODY_LIMIT).await {
        Ok(bytes) => {
            let json = serde_json::from_slice(&bytes).unwrap_or_default();
            (Response::from_parts(parts, Body::from(bytes)), json)
        }
        // Too long, or cut by an injected fault: the client sees a broken body, as it would.
        Err(_) => (
            Response::from_parts(parts, Body::from_stream(broken())),
            serde_json::Value::Null,
        ),
    }
}

/// A body stream that fails at once (what a cut connection looks like to the client).
fn broken() -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> {
    futures_util::stream::once(async {
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection cut",
        ))
    })
}

/// Filters of `GET /__sandbox/requests`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    operation: Option<String>,
    status: Option<u16>,
    task: Option<String>,
}

/// `GET /__sandbox/requests`: the journal, newest first, filtered.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Query(filter): Query<Filter>,
) -> Json<Vec<JournalEntry>> {
    let mut entries: Vec<JournalEntry> = state
        .journal
        .entries()
        .into_iter()
        .filter(|e| {
            filter
                .operation
                .as_ref()
                .is_none_or(|op| e.operation.as_ref() == Some(op))
        })
        .filter(|e| filter.status.is_none_or(|status| e.status == status))
        .filter(|e| {
            filter
                .task
                .as_ref()
                .is_none_or(|task| e.task_id.as_ref() == Some(task))
        })
        .collect();
    entries.reverse();
    Json(entries)
}
