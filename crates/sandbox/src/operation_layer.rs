//! The middleware on the route of every operation (the outermost of the route layers, so it
//! sees what the key check and the faults answer too): it counts the calls refused (any answer
//! but 2xx) on the counter of the operation's row, and hands the operation routing matched to
//! the journal as an extension of the answer. A request no route matched never passes here:
//! the journal finds no operation on its answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::operations::{Refusals, SpecOperation};
use crate::state::{AppState, Counters};

/// The operation an answer was routed to, in the answer's extensions (for the journal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Routed(pub SpecOperation);

/// Middleware: counts the refusals of the operation routed, and marks the answer with it.
pub(crate) async fn mark_and_count(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let operation = SpecOperation::of(&request);
    let mut response = next.run(request).await;
    let Some(operation) = operation else {
        return response;
    };
    if !response.status().is_success() {
        let counter = match operation.row().refusals {
            Some(Refusals::Creates) => Some(&state.counters.creates_rejected),
            Some(Refusals::Uploads) => Some(&state.counters.uploads_rejected),
            None => None,
        };
        if let Some(counter) = counter {
            Counters::bump(counter);
        }
    }
    response.extensions_mut().insert(Routed(operation));
    response
}
