//! The API key. Both services take the same `Authorization: Bearer <key>`; a middleware answers
//! the operation's documented 401 before any handler runs, and hands the accepted key on (the
//! rate limiter counts per key).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::contract::{ApiFailure, SpecOperation};
use crate::state::AppState;

/// The key a request was accepted with.
#[derive(Clone, Debug)]
pub(crate) struct CallerKey(pub String);

/// Middleware: the documented 401 without an accepted key; else the handler, with [`CallerKey`].
pub(crate) async fn require_key(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiFailure> {
    let op = SpecOperation::of(&request);
    let key = accepted_key(&state, request.headers())
        .ok_or_else(|| ApiFailure::documented_for(op, 401))?;
    request.extensions_mut().insert(CallerKey(key));
    Ok(next.run(request).await)
}

/// The request's key when it is accepted: compared in constant time with the configured key, or
/// any non-empty key when none is configured.
fn accepted_key(state: &AppState, headers: &HeaderMap) -> Option<String> {
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
