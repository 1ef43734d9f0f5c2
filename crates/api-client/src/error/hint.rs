//! [`Hint`]: what to do next after an [`Error`](crate::Error), as data. Each hint's `Display`
//! is the exact text the error's message gives it, in this SDK's terms (its types and methods,
//! its environment variables); a program or a command line that speaks to people in other
//! terms renders the hints its own way ([`Error::message_with`](crate::Error::message_with)).

use std::fmt;
use std::time::Duration;

use crate::generated_lineup::{Resubmit, TaskErrorCode};

/// What to do next after an error: one piece of the advice its message gives, with the data it
/// needs (a task id, an address, a wait). [`Error::hints`](crate::Error::hints) lists an
/// error's hints in the order its message gives them.
///
/// ```
/// use nanobanana_api::error::Hint;
///
/// let hint = Hint::ResumeWait { task_id: "task-unified-1".into() };
/// assert!(hint.to_string().starts_with("resume with wait(\"task-unified-1\")"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Hint {
    /// The API refused the request field `param`: fix it and send the request again.
    FixField {
        /// The field, as the API named it (`error.param`).
        param: String,
    },
    /// The API refused the request without naming a field: read its message, fix the request
    /// and send it again.
    FixRequest,
    /// No API key is set: set the environment variable `variable` to a key from Evolink's key
    /// page.
    SetApiKey {
        /// The variable that was read (`EVOLINK_API_KEY`).
        variable: &'static str,
    },
    /// Evolink refused the API key: check it (`EVOLINK_API_KEY`); keys are at `keys_page`.
    CheckApiKey {
        /// Where Evolink's keys are managed.
        keys_page: &'static str,
    },
    /// A server that is not Evolink's refused the key: check the key it expects and the base
    /// URL.
    CheckServerKey {
        /// The server that refused it (`host[:port]`).
        server: String,
    },
    /// The account's balance is too low: top up at `url`, then send the request again.
    TopUp {
        /// Where to top up: the API's `action_url`, else Evolink's billing page.
        url: String,
    },
    /// The 402 named no limit this SDK knows: top up credits at `url`.
    TopUpCredits {
        /// Where to top up: the API's `action_url`, else Evolink's billing page.
        url: String,
    },
    /// The API key's own spending limit is used up: raise it at `url`, or use another key.
    RaiseKeyLimit {
        /// Where the key's limits are set (`action_url`, else Evolink's key page).
        url: String,
    },
    /// The API key's daily limit is used up: wait until it resets, or raise it at `url`.
    WaitForDailyReset {
        /// Where the key's limits are set (`action_url`, else Evolink's key page).
        url: String,
    },
    /// The API key is disabled: enable it at `url`, or use another key.
    EnableKey {
        /// Where keys are managed (`action_url`, else Evolink's key page).
        url: String,
    },
    /// The API key has expired: extend it at `url`, or use another key.
    ExtendKey {
        /// Where keys are managed (`action_url`, else Evolink's key page).
        url: String,
    },
    /// The API key may not use the model: pick one of `allowed`, or change the key's models at
    /// `url`.
    PickAllowedModel {
        /// The models the key may use, when the API said (`allowed_models`).
        allowed: Vec<String>,
        /// Where keys are managed (`action_url`, else Evolink's key page).
        url: String,
    },
    /// The key may not use this model or task (403): try another model.
    TryAnotherModel,
    /// The model name is unknown to the API: check it against the models this version knows
    /// ([`lineup::MODELS`](crate::lineup::MODELS)).
    ListModels,
    /// No task has this id: check it (the `id` the create returned; tasks are kept 24 h).
    CheckTaskId,
    /// No stored file has this id: list the stored files to see their ids.
    ListStoredFiles,
    /// Something the request names was not found: check the address and the ids.
    CheckAddress,
    /// The request is too large: send fewer or smaller images (each model's limits are in
    /// [`lineup::MODELS`](crate::lineup::MODELS)).
    SendFewerImages,
    /// Rate limited: lower the concurrency or wait before sending more.
    SlowDown {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The server failed: try again later.
    TryAgainLater {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The service is overloaded: try again in a minute.
    TryAgainSoon {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// A create may have made (and billed) a task: check your tasks before submitting again.
    CheckTasks,
    /// A create's answer was lost: send it again with the same `Idempotency-Key` to get the
    /// task it made, without paying twice.
    ResendSameKey,
    /// The first submission with this `Idempotency-Key` is still being processed: wait, then
    /// send the same request again with the same key.
    ResendSameKeyLater {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The `Idempotency-Key` names another request: use a new key for a new image.
    NewIdempotencyKey,
    /// The upload quota is spent: wait for uploads to expire, or pass the image as an http(s)
    /// URL.
    PassImageUrl,
    /// An error type this SDK does not know: read the message.
    SeeMessage,
    /// The connection failed: check the network and the address, then try again.
    CheckNetwork,
    /// The host name could not be looked up: check the base URL and DNS.
    CheckHostName,
    /// Nothing is listening at the address: check the base URL and that the server runs.
    CheckServerRunning,
    /// The server's TLS certificate is not trusted: trust the CA that issued it
    /// (`EVOLINK_CA_CERT`, [`ClientConfig::with_root_certificate`](crate::config::ClientConfig::with_root_certificate)).
    TrustCaCertificate,
    /// Where a CA certificate to trust is set: `EVOLINK_CA_CERT` or
    /// [`ClientConfig::with_root_certificate`](crate::config::ClientConfig::with_root_certificate).
    SetCaCertificate,
    /// A plain-http address on another machine: use https, or on a trusted network allow plain
    /// http (`EVOLINK_ALLOW_INSECURE_HTTP=1`, [`ClientConfig::allow_insecure_http`](crate::config::ClientConfig::allow_insecure_http)).
    AllowInsecureHttp,
    /// No answer within the request timeout: raise it
    /// ([`ClientConfig::with_request_timeout`](crate::config::ClientConfig::with_request_timeout)).
    RaiseRequestTimeout,
    /// The wait gave up while the task still runs: wait for this task again (within 24 h)
    /// instead of submitting again.
    ResumeWait {
        /// The task.
        task_id: String,
    },
    /// The task failed with a documented code: its documented advice, and whether the same
    /// request may succeed later.
    TaskAdvice(&'static TaskErrorCode),
    /// The task failed with a code the spec does not document: change the prompt or inputs
    /// before submitting again.
    ChangeRequest,
    /// The task was cancelled on the server: submit the request again to get the image.
    SubmitAgain,
    /// A download failed part way: download again; the partial file is resumed.
    ResumeDownload {
        /// The task whose results to download.
        task_id: String,
    },
    /// A result's file exists: save with overwriting on to replace it
    /// ([`SaveTo::overwrite`](crate::tasks::SaveTo::overwrite)).
    Overwrite,
    /// A batch item's file exists: set [`BatchOptions::overwrite`](crate::tasks::BatchOptions::overwrite)
    /// to replace it.
    OverwriteInBatch,
    /// Another batch uses the ledger: wait for it (or stop it), then run again, or give this
    /// batch another ledger.
    WaitForOtherBatch,
    /// The ledger's unfinished tasks were created on another server: run against it to finish
    /// them, or move the ledger away.
    RunAgainst {
        /// The base URL the ledger's unfinished tasks were created on.
        base_url: String,
    },
    /// The batch stopped after this task was created: run the batch again to get its image
    /// without paying twice.
    RerunBatch,
    /// The batch's budget stopped this create: run the batch again with a larger budget.
    RaiseBudget {
        /// The budget that stopped it, in credits.
        max_credits: f64,
    },
}

/// Where Evolink's keys are managed.
pub(crate) const KEYS_PAGE: &str = "https://evolink.ai/dashboard/keys";
/// Where Evolink's credits are topped up.
pub(crate) const BILLING_PAGE: &str = "https://evolink.ai/dashboard/billing";

/// The text the error's message gives the hint, in this SDK's terms.
impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FixField { .. } => f.write_str("Fix the request field named above and send it again."),
            Self::FixRequest => f.write_str("The API named no field: check the message, fix the request and send it again."),
            Self::SetApiKey { variable } => write!(f, "set the environment variable {variable} (get a key at {KEYS_PAGE})"),
            Self::CheckApiKey { keys_page } => write!(f, "Check the API key (EVOLINK_API_KEY); keys are at {keys_page}."),
            Self::CheckServerKey { .. } => f.write_str("check the key that server expects (EVOLINK_API_KEY) and the base URL (EVOLINK_BASE_URL)."),
            Self::TopUp { url } => write!(f, "Top up at {url}, then send it again."),
            Self::TopUpCredits { url } => write!(f, "Top up credits at {url}."),
            Self::RaiseKeyLimit { url } => write!(f, "Raise the key's limit at {url}, or use another key."),
            Self::WaitForDailyReset { url } => write!(f, "Wait until then, or raise the key's daily limit at {url}."),
            Self::EnableKey { url } => write!(f, "Enable it at {url}, or use another key."),
            Self::ExtendKey { url } => write!(f, "Extend it at {url}, or use another key."),
            Self::PickAllowedModel { url, .. } => write!(f, "Pick an allowed model, or change the key's models at {url}."),
            Self::TryAnotherModel => f.write_str("try another model."),
            Self::ListModels => f.write_str("Check the model name: `nanobanana_api::lineup::MODELS` lists the ones this version knows (any other name is sent as is)."),
            Self::CheckTaskId => f.write_str("Check the task id: it is the `id` the create call returned (task-unified-...); tasks are kept 24 h."),
            Self::ListStoredFiles => f.write_str("List the stored files to see their ids."),
            Self::CheckAddress => f.write_str("Check the address and the ids in the request."),
            Self::SendFewerImages => f.write_str("Send fewer or smaller images (each model's limits are in `nanobanana_api::lineup::MODELS`)."),
            Self::SlowDown { .. } => f.write_str("Slow down: lower the concurrency or wait before sending more."),
            Self::TryAgainLater { .. } => f.write_str("Try again later."),
            Self::TryAgainSoon { .. } => f.write_str("try again in a minute."),
            Self::CheckTasks => f.write_str("Check your tasks before submitting again."),
            Self::ResendSameKey => f.write_str("Send it again with the same key to get that task without paying twice; a new key may pay twice."),
            Self::ResendSameKeyLater { .. } => f.write_str("wait a minute, then send the same request again with the same key to get its task (a new key would pay twice)."),
            Self::NewIdempotencyKey => f.write_str("use a new key for a new image (or send that other request unchanged to get its task)."),
            Self::PassImageUrl => f.write_str("wait, or pass the image as an http(s) URL instead of a local file."),
            Self::SeeMessage => f.write_str("See the message; this error type is new to this SDK version."),
            Self::CheckNetwork => f.write_str("Check the network and the address, then try again."),
            Self::CheckHostName => f.write_str("check the base URL and the network (DNS)."),
            Self::CheckServerRunning => f.write_str("check the base URL and that the server is running."),
            Self::TrustCaCertificate => f.write_str("if a private CA issued it (or a proxy inspects TLS), trust that CA with EVOLINK_CA_CERT=/path/to/ca.pem (ClientConfig::with_root_certificate), or add it to the system's trust store."),
            Self::SetCaCertificate => f.write_str("set with EVOLINK_CA_CERT or ClientConfig::with_root_certificate"),
            Self::AllowInsecureHttp => f.write_str("use https, or, on a network you trust, set EVOLINK_ALLOW_INSECURE_HTTP=1 (ClientConfig::allow_insecure_http)"),
            Self::RaiseRequestTimeout => f.write_str("no answer within the request timeout (ClientConfig::with_request_timeout sets it)"),
            Self::ResumeWait { task_id } => write!(f, "resume with wait(\"{task_id}\") within 24 h instead of submitting again."),
            Self::TaskAdvice(documented) => f.write_str(&task_advice(documented)),
            Self::ChangeRequest => f.write_str("Submitting it again unchanged may fail the same way: check the message, change the prompt or inputs."),
            Self::SubmitAgain => f.write_str("Submit the request again if you still want the image."),
            Self::ResumeDownload { .. } => f.write_str("Download again with the task id: the partial file is resumed."),
            Self::Overwrite => f.write_str("save with `SaveTo::from(dir).overwrite(true)` to replace it"),
            Self::OverwriteInBatch => f.write_str("set BatchOptions::overwrite to replace it"),
            Self::WaitForOtherBatch => f.write_str("Wait for it to finish (or stop it), then run again: the ledger resumes its work without paying twice; or give this batch another ledger"),
            Self::RunAgainst { base_url } => write!(f, "Run against {base_url} to finish them (they exist only there), or move the ledger away to create them anew (paid again on the real API)"),
            Self::RerunBatch => f.write_str("run the batch again to get its image without paying twice"),
            Self::RaiseBudget { .. } => f.write_str("run the batch again with a larger budget to create it, without paying twice for what is done"),
        }
    }
}

/// A documented failure code's advice, capitalized, and whether resubmitting helps.
fn task_advice(doc: &TaskErrorCode) -> String {
    let mut first = doc.advice.chars();
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

/// Text before a hint that says what happened, then the hint: one piece of a message.
pub(crate) struct Advice {
    /// What happened, ending where the hint starts (with its space).
    pub(crate) fact: String,
    /// What to do.
    pub(crate) hint: Option<Hint>,
}

impl Advice {
    /// The hint alone.
    pub(crate) fn hint(hint: Hint) -> Self {
        Self {
            fact: String::new(),
            hint: Some(hint),
        }
    }

    /// `fact`, then `hint`.
    pub(crate) fn after(fact: impl Into<String>, hint: Hint) -> Self {
        Self {
            fact: fact.into(),
            hint: Some(hint),
        }
    }

    /// A fact with nothing to do.
    pub(crate) fn fact(fact: impl Into<String>) -> Self {
        Self {
            fact: fact.into(),
            hint: None,
        }
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fact)?;
        match &self.hint {
            Some(hint) => write!(f, "{hint}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_advice_is_capitalized_and_says_whether_to_resubmit() {
        let code = crate::lineup::task_error_code("content_policy_violation").unwrap();
        let text = Hint::TaskAdvice(code).to_string();
        assert!(text.starts_with(char::is_uppercase), "{text}");
        assert!(
            text.ends_with(": the same request unchanged will fail the same way."),
            "{text}"
        );
    }

    #[test]
    fn a_hint_with_data_names_it() {
        let hint = Hint::RunAgainst {
            base_url: "http://127.0.0.1:9".into(),
        };
        assert!(hint
            .to_string()
            .starts_with("Run against http://127.0.0.1:9 "));
        assert_eq!(
            Advice::after("It broke. ", Hint::CheckNetwork).to_string(),
            "It broke. Check the network and the address, then try again."
        );
    }
}
