//! Every answer carries a request id, as Evolink's gateway does (seen in Evolink's clients): the
//! `x-request-id` header, and in an error body's `error.request_id`, which a user quotes to
//! support. The id is made here, once per request, and also kept in the request's extensions.

use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The largest error body the id is written into (error bodies are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// This request's id, in the request's extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// A new id: `req_` then 16 hex digits, unique within this process.
fn next_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!(
        "req_{:016x}",
        start.rotate_left(17) ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

/// Middleware: the id on the request, the header on the answer, and `error.request_id` in a
/// JSON error body of the image API's shape.
pub(crate) async fn tag(mut request: Request, next: Next) -> Response {
    let id = next_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&id) {
        parts.headers.insert(REQUEST_ID_HEADER, value);
    }
    let is_json = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(parts.status.is_client_error() || parts.status.is_server_error()) || !is_json {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let tagged = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut value) if value["error"].is_object() => {
            value["error"]["request_id"] = serde_json::Value::String(id);
            serde_json::to_vec(&value).ok()
        }
        _ => None,
    };
    match tagged {
        Some(body) => {
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(body))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_and_read_as_request_ids() {
        let (a, b) = (next_id(), next_id());
        assert_ne!(a, b);
        assert!(a.starts_with("req_") && a.len() == 20, "{a}");
    }
}
