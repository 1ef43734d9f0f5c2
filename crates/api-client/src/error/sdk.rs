//! The SDK's one error type, [`Error`] (at the crate root), and its parts [`ApiError`] and
//! [`Operation`]. Every message says what happened and what to do next, in terms of this SDK;
//! none contains the API key (nothing here ever holds it).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::error::ConfigError;
use crate::error::local_image::LocalImageError;
use crate::error::validation::ValidationError;
use crate::types;

/// What to do after a task failed: the documented advice for its code, else the general rule.
fn task_failure_advice(documented: Option<&crate::lineup::TaskErrorCode>) -> String {
    use crate::lineup::Resubmit;
    match documented {
        Some(doc) => {
            let advice = doc.advice;
            let mut first = advice.chars();
            let advice = match first.next() {
                Some(c) => c.to_uppercase().chain(first).collect::<String>(),
                None => String::new(),
            };
            match doc.resubmit {
                Resubmit::Same => format!("{advice} (the same request may succeed then)."),
                Resubmit::Changed => {
                    format!("{advice}: the same request unchanged will fail the same way.")
                }
                Resubmit::No => format!("{advice}: submitting again will not help."),
            }
        }
        None => "Submitting it again unchanged may fail the same way: check the message, change the prompt or inputs.".into(),
    }
}

/// The API call an error came from; it decides whether retrying is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /v1/images/generations`: may bill, so only retried when it cannot have arrived.
    CreateTask,
    /// `GET /v1/tasks/{task_id}`: safe to repeat.
    GetTask,
    /// `GET /v1/credits`: safe to repeat.
    GetCredits,
    /// `GET /v1/tasks` (the key's task list): safe to repeat.
    ListTasks,
    /// `POST /v1/tasks/batch` (up to 50 tasks at once): a read, safe to repeat.
    GetTasks,
    /// Fetching a result image from the result host.
    Download,
    /// Reading a callback body.
    Callback,
    /// Uploading an image to the file service (`upload/stream` or `upload/url`).
    Upload,
    /// `GET /api/v1/files/quota` on the file service: safe to repeat.
    FilesQuota,
    /// `GET /api/v1/files/list` on the file service: safe to repeat.
    ListFiles,
    /// `DELETE /api/v1/files/{file_id}` on the file service: repeating it leaves the same state.
    DeleteFile,
}

impl Operation {
    /// A short name for messages and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateTask => "create task",
            Self::GetTask => "get task",
            Self::GetCredits => "get credits",
            Self::ListTasks => "list tasks",
            Self::GetTasks => "get tasks",
            Self::Download => "download",
            Self::Callback => "callback",
            Self::Upload => "upload",
            Self::FilesQuota => "files quota",
            Self::ListFiles => "list files",
            Self::DeleteFile => "delete file",
        }
    }
}

/// An error response from the API, with everything the server said.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// Which call failed.
    pub operation: Operation,
    /// HTTP status.
    pub status: u16,
    /// `error.type` as sent (e.g. `rate_limit_error`).
    pub error_type: Option<String>,
    /// `error.code`: the HTTP status as a number, or a business code string.
    pub code: Option<types::ErrorCode>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.param`: the request field the error is about.
    pub param: Option<String>,
    /// `error.fallback_suggestion`: what the API suggests doing.
    pub fallback_suggestion: Option<String>,
    /// How long the server asked to wait (`Retry-After`, or "retry after N seconds").
    pub retry_after: Option<Duration>,
    /// The request's id (`error.request_id`, else the `x-request-id` header): quote it to
    /// Evolink's support.
    pub request_id: Option<String>,
    /// The server that answered (`host[:port]`), when known: a 401 from a server that is not
    /// Evolink's (a sandbox, a proxy) is about that server's key.
    pub server: Option<String>,
    /// Every field of `error` as sent, including the figures of a 402 (`estimated_credits`,
    /// `account_balance_credits`, `remaining_credits`, `daily_limit_credits`,
    /// `allowed_models`, `action_url`, …).
    pub detail: types::ErrorDetail,
}

/// Which limit stopped a request refused with 402, from its `error.code` (codes seen in
/// Evolink's clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuotaLimit {
    /// The account's balance is too low (`insufficient_user_quota`, `insufficient_quota`,
    /// `quota_not_enough`).
    AccountBalance,
    /// This API key's own spending limit is used up (`insufficient_token_quota`).
    KeyLimit,
    /// This API key's daily limit is used up (`token_daily_quota_exceeded`); it resets at
    /// midnight.
    KeyDailyLimit,
    /// This API key is disabled (`key_disabled`).
    KeyDisabled,
    /// This API key has expired (`key_expired`).
    KeyExpired,
    /// This API key may not use the model (`key_model_not_allowed`).
    ModelNotAllowed,
}

impl QuotaLimit {
    /// The limit a 402's `error.code` names, or `None` for another code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "insufficient_user_quota" | "insufficient_quota" | "quota_not_enough" => {
                Self::AccountBalance
            }
            "insufficient_token_quota" => Self::KeyLimit,
            "token_daily_quota_exceeded" => Self::KeyDailyLimit,
            "key_disabled" => Self::KeyDisabled,
            "key_expired" => Self::KeyExpired,
            "key_model_not_allowed" => Self::ModelNotAllowed,
            _ => return None,
        })
    }
}

/// Where Evolink's keys are managed.
const KEYS_PAGE: &str = "https://evolink.ai/dashboard/keys";
/// Where Evolink's credits are topped up.
const BILLING_PAGE: &str = "https://evolink.ai/dashboard/billing";

/// ` (12.5 credits)`-style figures: `credits` with up to four decimals.
fn credits(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} credits")
}

impl ApiError {
    /// Which limit stopped a 402, from `error.code`.
    pub fn quota_limit(&self) -> Option<QuotaLimit> {
        match &self.code {
            Some(types::ErrorCode::String(code)) => QuotaLimit::from_code(code),
            _ => None,
        }
    }

    /// What to do about a 402, naming the limit that stopped the request and its figures.
    fn quota_advice(&self) -> String {
        let d = &self.detail;
        let url = |default: &str| d.action_url.clone().unwrap_or_else(|| default.to_string());
        let needs = d
            .estimated_credits
            .map(|c| format!(" This request needs about {}.", credits(c)))
            .unwrap_or_default();
        let balance_fine = d
            .account_balance_credits
            .map(|c| {
                format!(
                    " The account's balance ({}) is not the problem.",
                    credits(c)
                )
            })
            .unwrap_or_default();
        match self.quota_limit() {
            Some(QuotaLimit::AccountBalance) => format!(
                "The account's balance is too low{}.{needs} Top up at {}, then send it again.",
                d.account_balance_credits
                    .map(|c| format!(" ({} left)", credits(c)))
                    .unwrap_or_default(),
                url(BILLING_PAGE)
            ),
            Some(QuotaLimit::KeyLimit) => {
                let figures: Vec<String> = [
                    d.total_limit_credits.map(|c| format!("limit {}", credits(c))),
                    d.used_credits.map(|c| format!("used {}", credits(c))),
                    d.remaining_credits.map(|c| format!("left {}", credits(c))),
                ]
                .into_iter()
                .flatten()
                .collect();
                format!(
                    "This API key's own spending limit{} is used up{}.{needs}{balance_fine} Raise the key's limit at {}, or use another key.",
                    d.key_name.as_ref().map(|n| format!(" (key \"{n}\")")).unwrap_or_default(),
                    if figures.is_empty() { String::new() } else { format!(": {}", figures.join(", ")) },
                    url(KEYS_PAGE)
                )
            }
            Some(QuotaLimit::KeyDailyLimit) => format!(
                "This API key's daily limit is used up{}; it resets at midnight{}.{balance_fine} Wait until then, or raise the key's daily limit at {}.",
                match (d.daily_used_credits, d.daily_limit_credits) {
                    (Some(used), Some(limit)) => format!(" ({} of {} today)", credits(used), credits(limit)),
                    (None, Some(limit)) => format!(" ({} a day)", credits(limit)),
                    _ => String::new(),
                },
                d.reset_timezone.as_ref().map(|z| format!(" ({z})")).unwrap_or_default(),
                url(KEYS_PAGE)
            ),
            Some(QuotaLimit::KeyDisabled) => format!(
                "This API key is disabled. Enable it at {}, or use another key.",
                url(KEYS_PAGE)
            ),
            Some(QuotaLimit::KeyExpired) => format!(
                "This API key has expired. Extend it at {}, or use another key.",
                url(KEYS_PAGE)
            ),
            Some(QuotaLimit::ModelNotAllowed) => format!(
                "This API key may not use this model{}. Pick an allowed model, or change the key's models at {}.",
                if d.allowed_models.is_empty() {
                    String::new()
                } else {
                    format!("; it may use {}", d.allowed_models.join(", "))
                },
                url(KEYS_PAGE)
            ),
            None => format!("Top up credits at {}.", url(BILLING_PAGE)),
        }
    }

    /// What to do about a 401: Evolink's key page, or the server that refused the key.
    fn authentication_advice(&self) -> String {
        match self.server.as_deref() {
            Some(server) if !server.ends_with("evolink.ai") && !server.contains("evolink.ai:") => format!(
                "The server at {server} refused the API key; it is not Evolink's API: check the key that server expects (EVOLINK_API_KEY) and the base URL (EVOLINK_BASE_URL)."
            ),
            _ => format!("Check the API key (EVOLINK_API_KEY); keys are at {KEYS_PAGE}."),
        }
    }
}

/// What the server said (`create failed: HTTP 429 rate_limit_error: Rate limit exceeded. The
/// API suggests: retry after 60 seconds.`); [`Error`]'s message adds what to do about it.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe("").trim_end())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn describe(&self, advice: &str) -> String {
        let mut text = format!("{} failed: HTTP {}", self.operation.name(), self.status);
        if let Some(kind) = &self.error_type {
            text.push_str(&format!(" {kind}"));
        }
        if let Some(message) = &self.message {
            text.push_str(&format!(": {message}"));
        }
        if let Some(param) = &self.param {
            text.push_str(&format!(" (param `{param}`)"));
        }
        text.push_str(". ");
        match &self.fallback_suggestion {
            Some(suggestion) => text.push_str(&format!("The API suggests: {suggestion}. {advice}")),
            None => text.push_str(advice),
        }
        if let Some(id) = &self.request_id {
            text.push_str(&format!(
                " Request id {id}: quote it to Evolink's support if you contact them."
            ));
        }
        text
    }
}

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
    #[error("{}", .0.describe(if .0.param.is_some() { "Fix the request field named above and send it again." } else { "The API named no field: check the message, fix the request and send it again." }))]
    InvalidRequest(Box<ApiError>),
    /// 401 `authentication_error`.
    #[error("{}", .0.describe(&.0.authentication_advice()))]
    Authentication(Box<ApiError>),
    /// 402 `insufficient_quota_error`: [`ApiError::quota_limit`] says which limit stopped it.
    #[error("{}", .0.describe(&.0.quota_advice()))]
    InsufficientQuota(Box<ApiError>),
    /// 403 `permission_error`.
    #[error("{}", .0.describe("This key may not use this model or task; try another model."))]
    Permission(Box<ApiError>),
    /// 404 `not_found_error`.
    #[error("{}", .0.describe(not_found_advice(.0.operation)))]
    NotFound(Box<ApiError>),
    /// 413 `request_too_large_error`.
    #[error("{}", .0.describe("Send fewer or smaller images (each model's limits are in `nanobanana_api::lineup::MODELS`)."))]
    RequestTooLarge(Box<ApiError>),
    /// 429 `rate_limit_error` (after the configured retries).
    #[error("{}", .0.describe("Slow down: lower the concurrency or wait before sending more."))]
    RateLimited(Box<ApiError>),
    /// 500 `internal_server_error`.
    #[error("{}", .0.describe(not_retried_advice(.0.operation)))]
    Internal(Box<ApiError>),
    /// 502 `upstream_error`.
    #[error("{}", .0.describe(not_retried_advice(.0.operation)))]
    Upstream(Box<ApiError>),
    /// 409 `idempotency_conflict`: the create's `Idempotency-Key` was already used for another
    /// request; nothing was created.
    #[error("{}", .0.describe("The Idempotency-Key names another request: use a new key for a new image (or send that other request unchanged to get its task)."))]
    IdempotencyConflict(Box<ApiError>),
    /// 409 `paid_outcome_unknown`: the first submission with this `Idempotency-Key` is still in
    /// progress or its outcome is not known yet (after the configured resends).
    #[error("{}", .0.describe("The first submission with this Idempotency-Key is still being processed: wait a minute, then send the same request again with the same key to get its task (a new key would pay twice)."))]
    PaidOutcomeUnknown(Box<ApiError>),
    /// 503 `service_unavailable_error` (after the configured retries).
    #[error("{}", .0.describe("The service is overloaded; try again in a minute."))]
    ServiceUnavailable(Box<ApiError>),
    /// 403 from the file service: the account's upload quota is spent.
    #[error("{}", .0.describe("Uploaded files count until they expire (72 h after upload); wait, or pass the image as an http(s) URL instead of a local file."))]
    UploadQuota(Box<ApiError>),
    /// An error whose `error.type` this SDK does not know; `error_type` keeps it as sent.
    #[error("{}", .0.describe("See the message; this error type is new to this SDK version."))]
    Api(Box<ApiError>),
    /// A local image cannot be uploaded (missing, over the model's size limit (10 or 20 MB), not
    /// a regular file, not an accepted image type);
    /// nothing was sent.
    #[error(transparent)]
    LocalImage(#[from] LocalImageError),
    /// The request breaks a documented limit; nothing was sent.
    #[error("invalid request, nothing was sent: {0}")]
    Validation(#[from] ValidationError),
    /// The client could not be configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The connection failed.
    #[error("{} failed: connection error: {}. {}{}", .operation.name(), transport_cause(.source), transport_advice(*.operation, *.may_have_reached_server), transport_hint(.source))]
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
    #[error("{} timed out{}: no answer within the request timeout (ClientConfig::with_request_timeout sets it). {}", .operation.name(), host_of(.source), transport_advice(*.operation, true))]
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
    #[error("task {task_id} ended with status `{status}`{}{}. {}{}", .code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(), .message.as_ref().map(|m| format!(": {}", m.trim_end().trim_end_matches('.'))).unwrap_or_default(), .suggestion.as_ref().map(|s| format!("The API suggests: {}. ", s.trim_end().trim_end_matches('.'))).unwrap_or_default(), task_failure_advice(*.documented))]
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
    #[error("task {task_id} was cancelled on the server (status `cancelled`): no image was made and nothing more will come of it. Submit the request again if you still want the image.")]
    Cancelled {
        /// The task.
        task_id: String,
    },
    /// The overall deadline passed while the task was still running on the server.
    #[error("gave up waiting for task {task_id} after {waited:?} (last status `{last_status}`). The task was not cancelled and may still finish: resume with wait(\"{task_id}\") within 24 h instead of submitting again.")]
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
    #[error("the batch ledger {} is in use by another batch{}; nothing was sent. Wait for it to finish (or stop it), then run again: the ledger resumes its work without paying twice; or give this batch another ledger", .ledger.display(), .holder.map(|pid| format!(" (process {pid})")).unwrap_or_default())]
    LedgerInUse {
        /// The ledger file.
        ledger: PathBuf,
        /// The process holding it, when its lock file says.
        holder: Option<u32>,
    },
    /// The ledger records unfinished tasks created on another server than this client's:
    /// resuming them here would query tasks this server never made.
    #[error("the batch ledger {} records {unfinished} unfinished task(s) created on {recorded}, but this client sends to {current}; nothing was sent. Run against {recorded} to finish them (they exist only there), or move the ledger away to create them anew (paid again on the real API)", .ledger.display())]
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
    #[error("not created: its create would pass the batch's budget of {max_credits} credits ({reserved:.1} reserved by this run); run the batch again with a larger budget to create it, without paying twice for what is done")]
    OverBudget {
        /// The budget, in credits.
        max_credits: f64,
        /// Credits this run's creates reserved when this request was turned away.
        reserved: f64,
    },
    /// A result image could not be downloaded.
    #[error("download of result {index} of task {task_id} failed: {problem}. {}", download_advice(.expired))]
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

fn stopped_message(task_id: Option<&str>) -> String {
    match task_id {
        Some(id) => format!("stopped before task {id} ended; it keeps running and the ledger records it: run the batch again to get its image without paying twice"),
        None => "stopped before this request was sent; nothing was created for it".into(),
    }
}

fn not_retried_advice(operation: Operation) -> &'static str {
    match operation {
        Operation::CreateTask => "Not retried automatically: the task may have been created and billed. Check your tasks before submitting again.",
        _ => "Try again later.",
    }
}

fn not_found_advice(operation: Operation) -> &'static str {
    match operation {
        Operation::CreateTask => {
            "Check the model name: `nanobanana_api::lineup::MODELS` lists the ones this version knows (any other name is sent as is)."
        }
        Operation::GetTask => {
            "Check the task id: it is the `id` the create call returned (task-unified-...); tasks are kept 24 h."
        }
        Operation::DeleteFile => {
            "No stored file has this id: it may have expired (uploads are kept 72 h) or been deleted already. List the stored files to see their ids."
        }
        _ => "Check the address and the ids in the request.",
    }
}

/// reqwest's message and, after it, what actually failed: the lookup, the refusal, the
/// certificate (reqwest's own text names only the URL).
fn transport_cause(error: &reqwest::Error) -> String {
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
fn host_of(error: &reqwest::Error) -> String {
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
fn transport_hint(error: &reqwest::Error) -> &'static str {
    let cause = transport_cause(error).to_ascii_lowercase();
    if cause.contains("certificate") || cause.contains("tls") || cause.contains("ssl") {
        " The server's TLS certificate is not trusted: if a private CA issued it (or a proxy inspects TLS), trust that CA with EVOLINK_CA_CERT=/path/to/ca.pem (ClientConfig::with_root_certificate), or add it to the system's trust store."
    } else if cause.contains("dns") || cause.contains("lookup") || cause.contains("resolve") {
        " The host name could not be looked up: check the base URL and the network (DNS)."
    } else if cause.contains("refused") {
        " Nothing is listening there: check the base URL and that the server is running."
    } else {
        ""
    }
}

fn transport_advice(operation: Operation, may_have_reached_server: bool) -> &'static str {
    match (operation, may_have_reached_server) {
        (Operation::CreateTask, true) => "The request may have reached the server and created a task: it was resent with the same Idempotency-Key as often as the retry policy allows (unless RetryPolicy::resend_unknown_creates is off). Send it again with the same key to get that task without paying twice; a new key may pay twice.",
        (Operation::CreateTask, false) => "The request was never sent.",
        _ => "Check the network and the address, then try again.",
    }
}

/// After an answer that is not the documented JSON: a server answered, so a create is not
/// resent (its task, if any, may be billed).
fn broken_answer_advice(operation: Operation) -> &'static str {
    match operation {
        Operation::CreateTask => "Not retried automatically: the request may have reached the server and been billed. Check your tasks before submitting again.",
        _ => "Check the network and the address, then try again.",
    }
}

fn download_advice(expired: &bool) -> &'static str {
    if *expired {
        "Result links expire 24 h after generation; the image is gone."
    } else {
        "Download again with the task id: the partial file is resumed."
    }
}

impl Error {
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
