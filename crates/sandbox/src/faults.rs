//! Faults injected on demand: the `X-Sandbox-Fault` header of one call, else the next fault
//! queued with `SandboxHandle::inject`. A middleware applies them around the handler: a delay
//! before it, a documented error status instead of it, a cut or truncated body after it; the
//! handler itself sees only [`InjectedFault`] (a create fails its task on `fail-task`).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::IntoResponse as _;
use axum::response::Response;

use crate::config::Fault;
use crate::contract::{ApiFailure, SpecOperation};
use crate::state::AppState;

/// The header that injects a fault into one call.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// The fault applied to this call, for the handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InjectedFault(pub Option<Fault>);

/// Middleware: applies this call's fault around the handler.
pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiFailure> {
    let op = SpecOperation::of(&request);
    let fault = requested(&state, request.headers(), op)?;
    if fault == Some(Fault::Slow) {
        tokio::time::sleep(state.config.slow_delay).await;
    }
    if let Some(Fault::Status(_) | Fault::Quota(_)) = &fault {
        let failure = match &fault {
            Some(Fault::Quota(code)) => quota_refusal(op, code),
            Some(Fault::Status(status)) => injected_status(op, *status),
            _ => unreachable!("matched above"),
        };
        let mut response = failure.into_response();
        response.extensions_mut().insert(InjectedFault(fault));
        return Ok(response);
    }
    request
        .extensions_mut()
        .insert(InjectedFault(fault.clone()));
    let mut response = next.run(request).await;
    // For the journal, which sees the answer.
    response
        .extensions_mut()
        .insert(InjectedFault(fault.clone()));
    // Only a successful answer is cut: an error is the handler's own finding.
    if !response.status().is_success() {
        return Ok(response);
    }
    Ok(match fault {
        Some(Fault::Drop) => broken_body(response, 0).await,
        Some(Fault::Truncate) => broken_body(response, 2).await,
        _ => response,
    })
}

/// The fault for this call: the request's header (a 400 naming the header when it is not a
/// fault), else the next queued one.
fn requested(
    state: &AppState,
    headers: &HeaderMap,
    op: Option<SpecOperation>,
) -> Result<Option<Fault>, ApiFailure> {
    match headers.get(FAULT_HEADER).map(|v| v.to_str().unwrap_or("")) {
        Some(text) => text.parse::<Fault>().map(Some).map_err(|e| {
            ApiFailure::documented_for(op, 400)
                .message(e)
                .param(FAULT_HEADER)
        }),
        None => Ok(state.next_fault()),
    }
}

/// How long an injected 429 or 503 asks to wait, in the header and in the body's words alike.
const INJECTED_RETRY_AFTER_SECS: u64 = 1;

/// The documented error of `op` for an injected `status`; 429 and 503 say when to retry, the
/// same in `Retry-After` and in `fallback_suggestion`.
fn injected_status(op: Option<SpecOperation>, status: u16) -> ApiFailure {
    let failure = ApiFailure::documented_for(op, status);
    if matches!(status, 429 | 503) {
        failure
            .retry_after(INJECTED_RETRY_AFTER_SECS)
            .suggestion(format!("retry after {INJECTED_RETRY_AFTER_SECS} seconds"))
    } else {
        failure
    }
}

/// A 402 naming which limit stopped the request, with the figures the gateway sends with it.
fn quota_refusal(op: Option<SpecOperation>, code: &str) -> ApiFailure {
    use serde_json::json;
    let (message, figures) = match code {
        "insufficient_user_quota" => (
            "Insufficient account balance",
            json!({"estimated_credits": 3.2, "account_balance_credits": 1.2,
                   "action_url": "https://evolink.ai/dashboard/billing"}),
        ),
        "insufficient_token_quota" => (
            "The spending limit of this API key is used up",
            json!({"key_name": "sandbox", "estimated_credits": 1.6, "total_limit_credits": 100.0,
                   "used_credits": 99.2, "remaining_credits": 0.8,
                   "account_balance_credits": 1095.4,
                   "action_url": "https://evolink.ai/dashboard/keys"}),
        ),
        "token_daily_quota_exceeded" => (
            "Daily quota of this API key exceeded",
            json!({"key_name": "sandbox", "estimated_credits": 1.6, "daily_limit_credits": 50.0,
                   "daily_used_credits": 49.2, "reset_timezone": "Asia/Shanghai",
                   "account_balance_credits": 1095.4}),
        ),
        "key_model_not_allowed" => (
            "This API key may not use this model",
            json!({"allowed_models": ["gemini-3.1-flash-lite-image"]}),
        ),
        "key_disabled" => ("This API key is disabled", json!({})),
        _ => ("This API key has expired", json!({})),
    };
    let mut failure = ApiFailure::documented_for(op, 402).message(message);
    failure.body["error"]["code"] = json!(code);
    failure.body["error"]["type"] = json!("insufficient_quota_error");
    if let Some(error) = failure.body["error"].as_object_mut() {
        error.remove("fallback_suggestion");
        if let Some(figures) = figures.as_object() {
            error.extend(figures.clone());
        }
    }
    failure
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
