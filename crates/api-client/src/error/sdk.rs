//! The SDK's one error type, [`Error`] (at the crate root). Every message says what happened
//! and what to do next, in terms of this SDK ([`Error::hints`] gives the what-to-do as data);
//! none contains the API key (nothing here ever holds it).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::error::ConfigError;
use crate::error::advice::{
    broken_answer_advice, cause_advice, download_advice, host_of, invalid_request_advice,
    not_found_advice, not_retried_advice, stopped_message, task_failure_hint, transport_advice,
    transport_cause,
};
use crate::error::api::{ApiError, Operation};
use crate::error::hint::{Advice, Hint};
use crate::error::local_image::LocalImageError;
use crate::error::validation::ValidationError;
use crate::types;

/// Everything that can go wrong in the SDK layer.
///
/// `Debug` prints the message and its causes, not the variant's fields: a
/// `fn main() -> Result<(), nanobanana_api::Error>` that fails shows the same sentence a person
/// would read (what happened, what to do next), as `anyhow` and `eyre` do. Match on the
/// variants, or use [`status`](Self::status) and [`api_error`](Self::api_error), for the data.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400 `invalid_request_error`.
    #[error("{}", .0.describe(&invalid_request_advice(.0)))]
    InvalidRequest(Box<ApiError>),
    /// 401 `authentication_error`.
    #[error("{}", .0.describe(&.0.authentication_advice()))]
    Authentication(Box<ApiError>),
    /// 402 `insufficient_quota_error`: [`ApiError::quota_limit`] says which limit stopped it.
    #[error("{}", .0.describe(&.0.quota_advice()))]
    InsufficientQuota(Box<ApiError>),
    /// 403 `permission_error`.
    #[error("{}", .0.describe(&Advice::after("This key may not use this model or task; ", Hint::TryAnotherModel)))]
    Permission(Box<ApiError>),
    /// 404 `not_found_error`.
    #[error("{}", .0.describe(&not_found_advice(.0.operation)))]
    NotFound(Box<ApiError>),
    /// 413 `request_too_large_error`.
    #[error("{}", .0.describe(&Advice::hint(Hint::SendFewerImages)))]
    RequestTooLarge(Box<ApiError>),
    /// 429 `rate_limit_error` (after the configured retries).
    #[error("{}", .0.describe(&Advice::hint(Hint::SlowDown { retry_after: (.0.retry_after) })))]
    RateLimited(Box<ApiError>),
    /// 500 `internal_server_error`.
    #[error("{}", .0.describe(&not_retried_advice(.0)))]
    Internal(Box<ApiError>),
    /// 502 `upstream_error`.
    #[error("{}", .0.describe(&not_retried_advice(.0)))]
    Upstream(Box<ApiError>),
    /// 409 `idempotency_conflict`: the create's `Idempotency-Key` was already used for another
    /// request; nothing was created.
    #[error("{}", .0.describe(&Advice::after("The Idempotency-Key names another request: ", Hint::NewIdempotencyKey)))]
    IdempotencyConflict(Box<ApiError>),
    /// 409 `paid_outcome_unknown`: the first submission with this `Idempotency-Key` is still in
    /// progress or its outcome is not known yet (after the configured resends).
    #[error("{}", .0.describe(&Advice::after("The first submission with this Idempotency-Key is still being processed: ", Hint::ResendSameKeyLater { retry_after: (.0.retry_after) })))]
    PaidOutcomeUnknown(Box<ApiError>),
    /// 503 `service_unavailable_error` (after the configured retries).
    #[error("{}", .0.describe(&Advice::after("The service is overloaded; ", Hint::TryAgainSoon { retry_after: (.0.retry_after) })))]
    ServiceUnavailable(Box<ApiError>),
    /// 403 from the file service: the account's upload quota is spent.
    #[error("{}", .0.describe(&Advice::after("Uploaded files count until they expire (72 h after upload); ", Hint::PassImageUrl)))]
    UploadQuota(Box<ApiError>),
    /// An error whose `error.type` this SDK does not know; `error_type` keeps it as sent.
    #[error("{}", .0.describe(&Advice::hint(Hint::SeeMessage)))]
    Api(Box<ApiError>),
    /// A local image cannot be uploaded (missing, over its size limit: the model's
    /// [`max_image_mb`](crate::lineup::ModelLimits::max_image_mb), 10 or 20 MB of 2^20 bytes, or
    /// the file service's [`MAX_IMAGE_BYTES`](crate::files::MAX_IMAGE_BYTES), 20 MB; not a regular
    /// file, not an accepted image type); nothing was sent.
    #[error(transparent)]
    LocalImage(#[from] LocalImageError),
    /// The request breaks a documented limit; nothing was sent.
    #[error("invalid request, nothing was sent: {0}")]
    Validation(#[from] ValidationError),
    /// The client could not be configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The connection failed.
    #[error("{} failed: connection error: {}. {}{}", .operation.name(), transport_cause(.source), transport_advice(*.operation, *.may_have_reached_server), cause_advice(.source).map(|a| format!(" {a}")).unwrap_or_default())]
    Connection {
        /// Which call failed.
        operation: Operation,
        /// `false` only when the request certainly never left (e.g. connection refused).
        may_have_reached_server: bool,
        /// reqwest's error (carries no header values).
        #[source]
        source: reqwest::Error,
    },
    /// The request timed out after it may have reached the server.
    #[error("{} timed out{}: {}. {}", .operation.name(), host_of(.source), Hint::RaiseRequestTimeout, transport_advice(*.operation, true))]
    Timeout {
        /// Which call timed out.
        operation: Operation,
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with something that is not the documented JSON (e.g. an HTML 502).
    #[error("{} failed: the server's answer{} is not the documented JSON: {detail}. {}", .operation.name(), .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(), broken_answer_advice(*.operation))]
    InvalidResponse {
        /// Which call failed.
        operation: Operation,
        /// HTTP status, when known.
        status: Option<u16>,
        /// What was wrong, with the start of the body.
        detail: String,
    },
    /// The task ended without images.
    #[error("task {task_id} ended with status `{status}`{}{}. {}{}", .code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(), .message.as_ref().map(|m| format!(": {}", m.trim_end().trim_end_matches('.'))).unwrap_or_default(), .suggestion.as_ref().map(|s| format!("The API suggests: {}. ", s.trim_end().trim_end_matches('.'))).unwrap_or_default(), task_failure_hint(*.documented))]
    TaskFailed {
        /// The task.
        task_id: String,
        /// Its final status (`failed`, or one the spec does not list such as `cancelled`).
        status: String,
        /// `error.code` of the task, e.g. `content_policy_violation`.
        code: Option<String>,
        /// `error.message` of the task.
        message: Option<String>,
        /// `error.suggestion` of the task: what the API suggests doing (boxed: the error
        /// stays small to move).
        suggestion: Option<Box<str>>,
        /// The documentation of `code`: its meaning, whether resubmitting helps (`resubmit`:
        /// `Same` for the codes the service recovers from, so the same request may succeed
        /// later), the advice; `None` for a code the spec does not list.
        documented: Option<&'static crate::lineup::TaskErrorCode>,
    },
    /// The task was cancelled on the server (status `cancelled`): no image was made.
    #[error("task {task_id} was cancelled on the server (status `cancelled`): no image was made and nothing more will come of it. {}", Hint::SubmitAgain)]
    Cancelled {
        /// The task.
        task_id: String,
    },
    /// The overall deadline passed while the task was still running on the server.
    #[error("gave up waiting for task {task_id} after {waited:?} (last status `{last_status}`). The task was not cancelled and may still finish: {}", Hint::ResumeWait { task_id: (.task_id.clone()) })]
    Deadline {
        /// The task, to resume.
        task_id: String,
        /// How long was waited.
        waited: Duration,
        /// The last status seen.
        last_status: String,
    },
    /// Another batch (another process, or another `generate_many` of this one) is using the
    /// ledger: running both would create and pay for the same tasks twice.
    #[error("the batch ledger {} is in use by another batch{}; nothing was sent. {}", .ledger.display(), .holder.map(|pid| format!(" (process {pid})")).unwrap_or_default(), Hint::WaitForOtherBatch)]
    LedgerInUse {
        /// The ledger file.
        ledger: PathBuf,
        /// The process holding it, when its lock file says.
        holder: Option<u32>,
    },
    /// The ledger records unfinished tasks created on another server than this client's:
    /// resuming them here would query tasks this server never made.
    #[error("the batch ledger {} records {unfinished} unfinished task(s) created on {recorded}, but this client sends to {current}; nothing was sent. {}", .ledger.display(), Hint::RunAgainst { base_url: (.recorded.clone()) })]
    LedgerElsewhere {
        /// The ledger file.
        ledger: PathBuf,
        /// The base URL the ledger's unfinished tasks were created on.
        recorded: String,
        /// This client's base URL.
        current: String,
        /// How many unfinished tasks it records there.
        unfinished: usize,
    },
    /// The batch was stopped ([`BatchStop`](crate::tasks::BatchStop)) before this request
    /// ended. With a task id, its task was created and is recorded in the ledger: it keeps
    /// running, and rerunning the batch with the same ledger resumes it without paying again.
    #[error("{}", stopped_message(.task_id.as_deref()))]
    Stopped {
        /// The request's task, when it was created.
        task_id: Option<String>,
    },
    /// Not created: the batch's budget ([`BatchOptions::max_credits`](crate::tasks::BatchOptions::max_credits))
    /// would be passed by this request's create. Nothing was sent for it; run the batch again
    /// with a larger budget to create it (what is already created is not paid for again).
    #[error("not created: its create would pass the batch's budget of {max_credits} credits ({reserved:.1} reserved by this run); {}", Hint::RaiseBudget { max_credits: *.max_credits })]
    OverBudget {
        /// The budget, in credits.
        max_credits: f64,
        /// Credits this run's creates reserved when this request was turned away.
        reserved: f64,
    },
    /// A result image could not be downloaded.
    #[error("download of result {index} of task {task_id} failed: {problem}. {}", download_advice(.task_id, *.expired))]
    Download {
        /// The task, to resume.
        task_id: String,
        /// Which result (0-based).
        index: usize,
        /// What went wrong.
        problem: String,
        /// The link has expired (404/410): results are kept 24 h.
        expired: bool,
    },
    /// A local file operation failed.
    #[error("{action} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// What to do next, as data: each piece of advice the message gives, in its order. Each
    /// hint's `Display` is the text the message gives it, in this SDK's terms; to speak other
    /// terms (a command line's flags, an agent's tools), see [`message_with`](Self::message_with).
    ///
    /// ```
    /// use nanobanana_api::{error::Hint, Error};
    ///
    /// let error = Error::Deadline {
    ///     task_id: "task-unified-1".into(),
    ///     waited: std::time::Duration::from_secs(600),
    ///     last_status: "processing".into(),
    /// };
    /// assert_eq!(error.hints(), [Hint::ResumeWait { task_id: "task-unified-1".into() }]);
    /// ```
    pub fn hints(&self) -> Vec<Hint> {
        let advice = |advice: Advice| advice.hint;
        let hints: Vec<Option<Hint>> = match self {
            Self::InvalidRequest(e) => vec![advice(invalid_request_advice(e))],
            Self::Authentication(e) => vec![advice(e.authentication_advice())],
            Self::InsufficientQuota(e) => vec![advice(e.quota_advice())],
            Self::Permission(_) => vec![Some(Hint::TryAnotherModel)],
            Self::NotFound(e) => vec![advice(not_found_advice(e.operation))],
            Self::RequestTooLarge(_) => vec![Some(Hint::SendFewerImages)],
            Self::RateLimited(e) => vec![Some(Hint::SlowDown {
                retry_after: e.retry_after,
            })],
            Self::Internal(e) | Self::Upstream(e) => vec![advice(not_retried_advice(e))],
            Self::IdempotencyConflict(_) => vec![Some(Hint::NewIdempotencyKey)],
            Self::PaidOutcomeUnknown(e) => vec![Some(Hint::ResendSameKeyLater {
                retry_after: e.retry_after,
            })],
            Self::ServiceUnavailable(e) => vec![Some(Hint::TryAgainSoon {
                retry_after: e.retry_after,
            })],
            Self::UploadQuota(_) => vec![Some(Hint::PassImageUrl)],
            Self::Api(_) => vec![Some(Hint::SeeMessage)],
            Self::LocalImage(_) | Self::Io { .. } => vec![],
            // A batch's names are refused in one message, which names an existing file so.
            Self::Validation(refused) => vec![refused
                .problem
                .contains(&Hint::OverwriteInBatch.to_string())
                .then_some(Hint::OverwriteInBatch)],
            Self::Config(config) => vec![config.hint()],
            Self::Connection {
                operation,
                may_have_reached_server,
                source,
            } => vec![
                advice(transport_advice(*operation, *may_have_reached_server)),
                cause_advice(source).and_then(advice),
            ],
            Self::Timeout { operation, .. } => vec![
                Some(Hint::RaiseRequestTimeout),
                advice(transport_advice(*operation, true)),
            ],
            Self::InvalidResponse { operation, .. } => {
                vec![advice(broken_answer_advice(*operation))]
            }
            Self::TaskFailed { documented, .. } => vec![Some(task_failure_hint(*documented))],
            Self::Cancelled { .. } => vec![Some(Hint::SubmitAgain)],
            Self::Deadline { task_id, .. } => vec![Some(Hint::ResumeWait {
                task_id: task_id.clone(),
            })],
            Self::LedgerInUse { .. } => vec![Some(Hint::WaitForOtherBatch)],
            Self::LedgerElsewhere { recorded, .. } => vec![Some(Hint::RunAgainst {
                base_url: recorded.clone(),
            })],
            Self::Stopped { task_id } => vec![task_id.as_ref().map(|_| Hint::RerunBatch)],
            Self::OverBudget { max_credits, .. } => vec![Some(Hint::RaiseBudget {
                max_credits: *max_credits,
            })],
            Self::Download {
                task_id,
                problem,
                expired,
                ..
            } => vec![
                // The file to save to exists (the downloader says so in `problem`).
                problem
                    .contains(&Hint::Overwrite.to_string())
                    .then_some(Hint::Overwrite),
                advice(download_advice(task_id, *expired)),
            ],
        };
        hints.into_iter().flatten().collect()
    }

    /// The message, with each hint for which `words` gives text in that text instead of this
    /// SDK's (`None` keeps the SDK's): a command line names its flags, an agent its tools.
    ///
    /// ```
    /// use nanobanana_api::{error::Hint, Error};
    ///
    /// let error = Error::Cancelled { task_id: "task-unified-1".into() };
    /// let message = error.message_with(|hint| match hint {
    ///     Hint::SubmitAgain => Some("Run the same command again if you still want the image.".into()),
    ///     _ => None,
    /// });
    /// assert!(message.ends_with("nothing more will come of it. Run the same command again if you still want the image."));
    /// ```
    pub fn message_with(&self, words: impl Fn(&Hint) -> Option<String>) -> String {
        let mut message = self.to_string();
        // From the last hint back: each is the last place its text appears, after the facts
        // (which may quote the server) and after the hints before it.
        let mut before = message.len();
        for hint in self.hints().iter().rev() {
            let sdk = hint.to_string();
            let Some(at) = message[..before].rfind(&sdk) else {
                continue;
            };
            if let Some(own) = words(hint) {
                message.replace_range(at..at + sdk.len(), &own);
            }
            before = at;
        }
        message
    }

    /// The API error inside, for any of the API variants.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::InvalidRequest(e)
            | Self::Authentication(e)
            | Self::InsufficientQuota(e)
            | Self::Permission(e)
            | Self::NotFound(e)
            | Self::RequestTooLarge(e)
            | Self::RateLimited(e)
            | Self::Internal(e)
            | Self::Upstream(e)
            | Self::ServiceUnavailable(e)
            | Self::IdempotencyConflict(e)
            | Self::PaidOutcomeUnknown(e)
            | Self::UploadQuota(e)
            | Self::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::InvalidResponse { status, .. } => *status,
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The request id the API sent with its error (quote it to Evolink's support).
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// The API error inside, to fill in what the layer above knows (the server).
    pub(crate) fn api_error_mut(&mut self) -> Option<&mut ApiError> {
        match self {
            Self::InvalidRequest(e)
            | Self::Authentication(e)
            | Self::InsufficientQuota(e)
            | Self::Permission(e)
            | Self::NotFound(e)
            | Self::RequestTooLarge(e)
            | Self::RateLimited(e)
            | Self::Internal(e)
            | Self::Upstream(e)
            | Self::ServiceUnavailable(e)
            | Self::UploadQuota(e)
            | Self::Api(e) => Some(e.as_mut()),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// Whether retrying `operation` after this error is safe and may help.
    ///
    /// A create is retried only when it certainly did not create a task: a 429 or 503 (the
    /// service refused it) or a connection that never opened. Anything that may have reached
    /// the server (a timeout after sending, 500, 502, a broken answer) could bill twice.
    /// Task queries are retried on every transient failure. A create whose outcome is unknown
    /// is also resent, but only with its `Idempotency-Key` ([`outcome_unknown`](Self::outcome_unknown)).
    pub fn is_retryable(&self, operation: Operation) -> bool {
        // An error type this SDK does not know is judged by its status.
        let unknown_status = match self {
            Self::Api(e) => Some(e.status),
            _ => None,
        };
        let refused = matches!(self, Self::RateLimited(_) | Self::ServiceUnavailable(_))
            || matches!(
                self,
                Self::Connection {
                    may_have_reached_server: false,
                    ..
                }
            )
            || matches!(unknown_status, Some(429 | 503));
        let may_have_arrived = matches!(
            self,
            Self::Internal(_)
                | Self::Upstream(_)
                | Self::Timeout { .. }
                | Self::InvalidResponse { .. }
                | Self::Connection {
                    may_have_reached_server: true,
                    ..
                }
        ) || matches!(unknown_status, Some(500..=599));
        match operation {
            Operation::CreateTask => refused,
            _ => refused || may_have_arrived,
        }
    }

    /// Whether a create that failed so may have created (and billed) a task: a timeout after
    /// sending, a connection closed before the answer, the service's `paid_outcome_unknown`.
    /// Such a create is resent only with the same `Idempotency-Key`, which makes the service
    /// answer the task the first submission created
    /// ([`RetryPolicy::resend_unknown_creates`](crate::config::RetryPolicy::resend_unknown_creates)).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. }
                | Self::PaidOutcomeUnknown(_)
                | Self::Connection {
                    may_have_reached_server: true,
                    ..
                }
        )
    }

    /// Builds the variant for an API error from its `error.code` when it is one of the
    /// idempotency codes, else its `error.type`, or its status when the type is missing. An
    /// unknown type goes to [`Error::Api`], keeping it as sent.
    pub fn from_api(error: ApiError) -> Self {
        if error.operation == Operation::Upload && error.status == 403 {
            return Self::UploadQuota(Box::new(error));
        }
        match &error.code {
            Some(types::ErrorCode::String(code)) if code == "idempotency_conflict" => {
                return Self::IdempotencyConflict(Box::new(error));
            }
            Some(types::ErrorCode::String(code)) if code == "paid_outcome_unknown" => {
                return Self::PaidOutcomeUnknown(Box::new(error));
            }
            _ => {}
        }
        let by_type = match error.error_type.as_deref() {
            Some("invalid_request_error") => {
                Some(Self::InvalidRequest as fn(Box<ApiError>) -> Self)
            }
            Some("authentication_error") => Some(Self::Authentication as fn(Box<ApiError>) -> Self),
            Some("insufficient_quota_error" | "insufficient_quota") => {
                Some(Self::InsufficientQuota as fn(Box<ApiError>) -> Self)
            }
            Some("permission_error") => Some(Self::Permission as fn(Box<ApiError>) -> Self),
            Some("not_found_error") => Some(Self::NotFound as fn(Box<ApiError>) -> Self),
            Some("request_too_large_error") => {
                Some(Self::RequestTooLarge as fn(Box<ApiError>) -> Self)
            }
            Some("rate_limit_error") => Some(Self::RateLimited as fn(Box<ApiError>) -> Self),
            Some("internal_server_error" | "api_error") => {
                Some(Self::Internal as fn(Box<ApiError>) -> Self)
            }
            Some("upstream_error") => Some(Self::Upstream as fn(Box<ApiError>) -> Self),
            Some("service_unavailable_error") => {
                Some(Self::ServiceUnavailable as fn(Box<ApiError>) -> Self)
            }
            Some(_) => Some(Self::Api as fn(Box<ApiError>) -> Self),
            None => None,
        };
        let make = by_type.unwrap_or(match error.status {
            400 => Self::InvalidRequest,
            401 => Self::Authentication,
            402 => Self::InsufficientQuota,
            403 => Self::Permission,
            404 => Self::NotFound,
            413 => Self::RequestTooLarge,
            429 => Self::RateLimited,
            500 => Self::Internal,
            502 => Self::Upstream,
            503 => Self::ServiceUnavailable,
            _ => Self::Api,
        });
        make(Box::new(error))
    }
}

/// The message, then each cause on a line of its own.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        let mut first = true;
        while let Some(cause) = source {
            let text = cause.to_string();
            // thiserror's `#[error("{0}")]` wrappers repeat their cause's message.
            if !self.to_string().contains(&text) {
                f.write_str(if first { "\n\nCaused by:" } else { "" })?;
                write!(f, "\n    {text}")?;
                first = false;
            }
            source = cause.source();
        }
        Ok(())
    }
}

/// A value that is not one of an enum's documented values (`"16:9x".parse::<ImageSize>()?`)
/// is refused like any other field, naming it and what it accepts.
impl From<crate::types::open_enums::UnknownValue> for Error {
    fn from(unknown: crate::types::open_enums::UnknownValue) -> Self {
        Error::Validation(ValidationError::new(
            unknown.type_name,
            format!("is `{}`", unknown.value),
            format!("one of {}", unknown.accepted.join(", ")),
        ))
    }
}

/// A key [`ApiKey::new`](crate::config::ApiKey::new) refused is a bad setting of the client
/// ([`Error::Config`]).
impl From<crate::config::ApiKeyError> for Error {
    fn from(refused: crate::config::ApiKeyError) -> Self {
        Error::Config(refused.into())
    }
}
