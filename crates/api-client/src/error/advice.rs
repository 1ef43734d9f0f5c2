//! The advice of [`Error`](crate::Error)'s messages, by case: what happened, then the
//! [`Hint`] of what to do, each as [`Advice`] so that the message and
//! [`Error::hints`](crate::Error::hints) say the same.

use crate::error::api::{ApiError, Operation};
use crate::error::hint::{Advice, Hint};
use crate::generated_lineup::TaskErrorCode;

/// A 400: the field the API named, or none.
pub(crate) fn invalid_request_advice(error: &ApiError) -> Advice {
    Advice::hint(match &error.param {
        Some(param) => Hint::FixField {
            param: param.clone(),
        },
        None => Hint::FixRequest,
    })
}

/// A 500 or 502: a create is not retried (it may have been billed), anything else may be.
pub(crate) fn not_retried_advice(error: &ApiError) -> Advice {
    match error.operation {
        Operation::CreateTask => Advice::after(
            "Not retried automatically: the task may have been created and billed. ",
            Hint::CheckTasks,
        ),
        _ => Advice::hint(Hint::TryAgainLater {
            retry_after: error.retry_after,
        }),
    }
}

/// A 404, by what was looked for.
pub(crate) fn not_found_advice(operation: Operation) -> Advice {
    match operation {
        Operation::CreateTask => Advice::hint(Hint::ListModels),
        Operation::GetTask => Advice::hint(Hint::CheckTaskId),
        Operation::DeleteFile => Advice::after(
            "No stored file has this id: it may have expired (uploads are kept 72 h) or been deleted already. ",
            Hint::ListStoredFiles,
        ),
        _ => Advice::hint(Hint::CheckAddress),
    }
}

/// reqwest's message and, after it, what actually failed: the lookup, the refusal, the
/// certificate (reqwest's own text names only the URL).
pub(crate) fn transport_cause(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = innermost.filter(|c| !text.contains(c.as_str())) {
        text.push_str(": ");
        text.push_str(&cause);
    }
    text
}

/// ` waiting for <host:port>`, naming where a request went (never its path or query).
pub(crate) fn host_of(error: &reqwest::Error) -> String {
    error
        .url()
        .and_then(|url| {
            let host = url.host_str()?;
            Some(match url.port_or_known_default() {
                Some(port) => format!(" waiting for {host}:{port}"),
                None => format!(" waiting for {host}"),
            })
        })
        .unwrap_or_default()
}

/// What the cause of a connection error suggests doing, after the general advice.
pub(crate) fn cause_advice(error: &reqwest::Error) -> Option<Advice> {
    let cause = transport_cause(error).to_ascii_lowercase();
    if cause.contains("certificate") || cause.contains("tls") || cause.contains("ssl") {
        Some(Advice::after(
            "The server's TLS certificate is not trusted: ",
            Hint::TrustCaCertificate,
        ))
    } else if cause.contains("dns") || cause.contains("lookup") || cause.contains("resolve") {
        Some(Advice::after(
            "The host name could not be looked up: ",
            Hint::CheckHostName,
        ))
    } else if cause.contains("refused") {
        Some(Advice::after(
            "Nothing is listening there: ",
            Hint::CheckServerRunning,
        ))
    } else {
        None
    }
}

/// After a connection error or a timeout: whether a create may have made a task.
pub(crate) fn transport_advice(operation: Operation, may_have_reached_server: bool) -> Advice {
    match (operation, may_have_reached_server) {
        (Operation::CreateTask, true) => Advice::after(
            "The request may have reached the server and created a task: it was resent with the same Idempotency-Key as often as the retry policy allows (unless RetryPolicy::resend_unknown_creates is off). ",
            Hint::ResendSameKey,
        ),
        (Operation::CreateTask, false) => Advice::fact("The request was never sent."),
        _ => Advice::hint(Hint::CheckNetwork),
    }
}

/// After an answer that is not the documented JSON: a server answered, so a create is not
/// resent (its task, if any, may be billed).
pub(crate) fn broken_answer_advice(operation: Operation) -> Advice {
    match operation {
        Operation::CreateTask => Advice::after(
            "Not retried automatically: the request may have reached the server and been billed. ",
            Hint::CheckTasks,
        ),
        _ => Advice::hint(Hint::CheckNetwork),
    }
}

/// After a failed task: the documented advice for its code, else the general rule.
pub(crate) fn task_failure_hint(documented: Option<&'static TaskErrorCode>) -> Hint {
    match documented {
        Some(doc) => Hint::TaskAdvice(doc),
        None => Hint::ChangeRequest,
    }
}

/// After a failed download: an expired link is gone, anything else can be resumed.
pub(crate) fn download_advice(task_id: &str, expired: bool) -> Advice {
    if expired {
        Advice::fact("Result links expire 24 h after generation; the image is gone.")
    } else {
        Advice::hint(Hint::ResumeDownload {
            task_id: task_id.to_string(),
        })
    }
}

/// A batch stopped before this request ended: whether its task exists.
pub(crate) fn stopped_message(task_id: Option<&str>) -> String {
    match task_id {
        Some(id) => format!(
            "stopped before task {id} ended; it keeps running and the ledger records it: {}",
            Hint::RerunBatch
        ),
        None => "stopped before this request was sent; nothing was created for it".into(),
    }
}
