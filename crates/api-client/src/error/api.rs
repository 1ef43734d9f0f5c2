//! [`ApiError`]: an error answer of the API with everything the server said, the call it
//! answered ([`Operation`]) and, for a 402, the limit that stopped it ([`QuotaLimit`]).

use std::fmt;
use std::time::Duration;

use crate::error::hint::{Advice, Hint, BILLING_PAGE, KEYS_PAGE};
use crate::types;

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
    pub(crate) fn quota_advice(&self) -> Advice {
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
            Some(QuotaLimit::AccountBalance) => Advice::after(
                format!(
                    "The account's balance is too low{}.{needs} ",
                    d.account_balance_credits
                        .map(|c| format!(" ({} left)", credits(c)))
                        .unwrap_or_default(),
                ),
                Hint::TopUp { url: url(BILLING_PAGE) },
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
                Advice::after(
                    format!(
                        "This API key's own spending limit{} is used up{}.{needs}{balance_fine} ",
                        d.key_name.as_ref().map(|n| format!(" (key \"{n}\")")).unwrap_or_default(),
                        if figures.is_empty() { String::new() } else { format!(": {}", figures.join(", ")) },
                    ),
                    Hint::RaiseKeyLimit { url: url(KEYS_PAGE) },
                )
            }
            Some(QuotaLimit::KeyDailyLimit) => Advice::after(
                format!(
                    "This API key's daily limit is used up{}; it resets at midnight{}.{balance_fine} ",
                    match (d.daily_used_credits, d.daily_limit_credits) {
                        (Some(used), Some(limit)) => format!(" ({} of {} today)", credits(used), credits(limit)),
                        (None, Some(limit)) => format!(" ({} a day)", credits(limit)),
                        _ => String::new(),
                    },
                    d.reset_timezone.as_ref().map(|z| format!(" ({z})")).unwrap_or_default(),
                ),
                Hint::WaitForDailyReset { url: url(KEYS_PAGE) },
            ),
            Some(QuotaLimit::KeyDisabled) => Advice::after(
                "This API key is disabled. ",
                Hint::EnableKey { url: url(KEYS_PAGE) },
            ),
            Some(QuotaLimit::KeyExpired) => Advice::after(
                "This API key has expired. ",
                Hint::ExtendKey { url: url(KEYS_PAGE) },
            ),
            Some(QuotaLimit::ModelNotAllowed) => Advice::after(
                format!(
                    "This API key may not use this model{}. ",
                    if d.allowed_models.is_empty() {
                        String::new()
                    } else {
                        format!("; it may use {}", d.allowed_models.join(", "))
                    },
                ),
                Hint::PickAllowedModel {
                    allowed: d.allowed_models.clone(),
                    url: url(KEYS_PAGE),
                },
            ),
            None => Advice::hint(Hint::TopUpCredits { url: url(BILLING_PAGE) }),
        }
    }

    /// What to do about a 401: Evolink's key page, or the server that refused the key.
    pub(crate) fn authentication_advice(&self) -> Advice {
        match self.server.as_deref() {
            Some(server) if !server.ends_with("evolink.ai") && !server.contains("evolink.ai:") => {
                Advice::after(
                    format!(
                        "The server at {server} refused the API key; it is not Evolink's API: "
                    ),
                    Hint::CheckServerKey {
                        server: server.to_string(),
                    },
                )
            }
            _ => Advice::hint(Hint::CheckApiKey {
                keys_page: KEYS_PAGE,
            }),
        }
    }
}

/// What the server said (`create failed: HTTP 429 rate_limit_error: Rate limit exceeded. The
/// API suggests: retry after 60 seconds.`); [`Error`](crate::Error)'s message adds what to do about it.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe(&Advice::fact("")).trim_end())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// What the server said, then `advice`, then the request id.
    pub(crate) fn describe(&self, advice: &Advice) -> String {
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
            None => text.push_str(&advice.to_string()),
        }
        if let Some(id) = &self.request_id {
            text.push_str(&format!(
                " Request id {id}: quote it to Evolink's support if you contact them."
            ));
        }
        text
    }
}
