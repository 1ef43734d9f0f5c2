//! Reading task callbacks.
//!
//! When a request sets `callback_url`, the API POSTs the task (the body of the task query) to
//! it when the task completes, fails or is cancelled. **Callbacks are not signed**: no header,
//! secret or HMAC is documented, so anyone who learns the URL can post a forged body. Treat a
//! callback as a hint that a task changed:
//!
//! - put an unguessable token in the callback URL's path and compare it in constant time
//!   (`examples/webhook_receiver.rs` shows how), which keeps out blind forgeries;
//! - answer 2xx quickly (the API waits 10 s and retries after 1, 2, 4 s) and do the work later;
//! - before trusting the body (e.g. downloading `results`), fetch the task again with
//!   [`verify_callback`], which returns what the API itself reports.

use crate::client::NanoBanana;
use crate::error::{Error, Operation};
use crate::types;

/// Parses a callback body into the typed task. Unknown statuses are kept
/// ([`types::TaskStatus::Unknown`]).
pub fn parse_callback(body: &[u8]) -> Result<types::TaskDetail, Error> {
    serde_json::from_slice(body).map_err(|e| Error::InvalidResponse {
        operation: Operation::Callback,
        status: None,
        detail: format!("the callback body is not a task: {e}"),
    })
}

/// Parses a callback body, then asks the API for the same task: the returned task is the
/// API's word, not the caller's.
pub async fn verify_callback(client: &NanoBanana, body: &[u8]) -> Result<types::TaskDetail, Error> {
    let claimed = parse_callback(body)?;
    client.get_task(&claimed.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_callback_parses() {
        let task = parse_callback(br#"{"id":"task-unified-1","status":"completed","results":["https://files.example/a.png"]}"#).unwrap();
        assert_eq!(task.status, types::TaskStatus::Completed);
        assert_eq!(task.results.len(), 1);
    }

    #[test]
    fn a_cancelled_callback_keeps_its_status() {
        let task = parse_callback(br#"{"id":"task-unified-1","status":"cancelled"}"#).unwrap();
        assert_eq!(task.status, types::TaskStatus::Cancelled);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for body in [
            &b""[..],
            b"{",
            b"[]",
            b"{\"status\":\"completed\"}",
            &[0xff, 0xfe],
        ] {
            assert!(parse_callback(body).is_err());
        }
    }
}
