//! Exit codes by error class, so scripts can tell what went wrong.

use nanobanana_api::error::Hint;
use nanobanana_api::{config::ConfigError, Error};

use crate::error::CliError;

/// The exit code after Ctrl-C or SIGTERM (128 + SIGINT), as shells report an interrupt.
pub const INTERRUPTED: u8 = 130;

/// The exit code of a batch that stopped creating at its budget (`--max-credits`).
pub const OVER_BUDGET: u8 = 10;

/// The process exit codes, also listed in `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other failure (saving files, local files)
  2  usage error (bad arguments)
  3  invalid request (nothing was sent, or the API rejected it: 400, 404, 413),
     or an --image file that cannot be uploaded (missing, too large, not an image)
  4  authentication or permission (missing/invalid EVOLINK_API_KEY: 401, 403)
  5  insufficient quota (402: top up credits) or the upload quota is spent
  6  rate limited (429, after retries)
  7  server or network error (500, 502, 503, timeouts, no connection, broken answers)
  8  the task failed, or did not finish before the deadline
  9  the task was cancelled on the server (no image was made)
 10  a batch stopped at its budget (--max-credits): rerun with a larger one for the rest
130  interrupted (Ctrl-C, SIGTERM): a created task keeps running, resume it as printed";

/// The exit code for `error`: the one table of the CLI's exit codes.
pub fn code_for(error: &CliError) -> u8 {
    match error {
        CliError::Api(error) => api_code_for(error),
        CliError::LinesFailed { first, .. } => api_code_for(first),
        CliError::Interrupted { .. } => INTERRUPTED,
        CliError::OverBudget { .. } => OVER_BUDGET,
        // A query that got no answer within --timeout: a network failure.
        CliError::NoAnswer { .. } => 7,
        // Nobody reads stdout any more: the work is done, and `| head` is no failure.
        CliError::StdoutClosed => 0,
        CliError::CannotListen { .. }
        | CliError::File { .. }
        | CliError::Exists(_)
        | CliError::WrongKind { .. }
        | CliError::Tls { .. }
        | CliError::McpSession(_)
        | CliError::Stdout(_) => 1,
    }
}

/// The exit code for the SDK's `error`.
fn api_code_for(error: &Error) -> u8 {
    match error {
        Error::Validation(_)
        | Error::LocalImage(_)
        | Error::InvalidRequest(_)
        | Error::NotFound(_)
        | Error::IdempotencyConflict(_)
        | Error::RequestTooLarge(_) => 3,
        Error::Authentication(_) | Error::Permission(_) => 4,
        Error::Config(
            ConfigError::MissingApiKey { .. }
            | ConfigError::EmptyApiKey
            | ConfigError::MalformedApiKey,
        ) => 4,
        Error::Config(_) => 2,
        Error::InsufficientQuota(_) | Error::UploadQuota(_) => 5,
        Error::RateLimited(_) => 6,
        Error::Internal(_)
        | Error::Upstream(_)
        | Error::ServiceUnavailable(_)
        | Error::PaidOutcomeUnknown(_)
        | Error::InvalidResponse { .. }
        | Error::Timeout { .. }
        | Error::Connection { .. }
        | Error::Download { .. } => 7,
        Error::TaskFailed { .. } | Error::Deadline { .. } => 8,
        Error::Cancelled { .. } => 9,
        Error::OverBudget { .. } => OVER_BUDGET,
        Error::Api(api) if (400..500).contains(&api.status) => 3,
        Error::Api(_) => 7,
        _ => 1,
    }
}

/// The SDK's message, with its advice in this command's terms: where the SDK points a program
/// at its model table, a person at the shell is pointed at `nanobanana models`.
/// `timeout_secs` is `--timeout`, which the SDK's timeout message is worded with.
pub fn in_cli_words(error: &Error, timeout_secs: u64) -> String {
    error.message_with(|hint| match hint {
        Hint::ListModels => Some(
            "Check the model name: `nanobanana models` lists the ones this version knows (any \
             other name is sent as is)."
                .into(),
        ),
        Hint::SendFewerImages => {
            Some("Send fewer or smaller images (each model's limits: `nanobanana models`).".into())
        }
        Hint::ListStoredFiles => {
            Some("`nanobanana files list` shows the stored files and their ids.".into())
        }
        Hint::ResumeWait { task_id } => Some(format!(
            "resume with: nanobanana task wait {task_id} (within 24 h) instead of submitting \
             again."
        )),
        Hint::Overwrite | Hint::OverwriteInBatch => Some("add --force to replace it".into()),
        Hint::RaiseRequestTimeout => Some(format!(
            "no answer within {timeout_secs} s (--timeout raises it)"
        )),
        _ => environment_words(hint),
    })
}

/// Advice a person and an agent both follow through environment variables, where the SDK's
/// own words also name its `ClientConfig` methods.
pub fn environment_words(hint: &Hint) -> Option<String> {
    match hint {
        Hint::TrustCaCertificate => Some(
            "if a private CA issued it (or a proxy inspects TLS), trust that CA with \
             EVOLINK_CA_CERT=/path/to/ca.pem, or add it to the system's trust store."
                .into(),
        ),
        Hint::SetCaCertificate => Some("set with EVOLINK_CA_CERT".into()),
        Hint::AllowInsecureHttp => {
            Some("use https, or, on a network you trust, set EVOLINK_ALLOW_INSECURE_HTTP=1".into())
        }
        _ => None,
    }
}

/// What kind of failure `error` is, in one stable word for scripts.
pub fn kind_of(error: &CliError) -> &'static str {
    match error {
        CliError::Api(error) => kind(error),
        CliError::LinesFailed { first, .. } => kind(first),
        CliError::Interrupted { .. } => "interrupted",
        CliError::OverBudget { .. } => "over_budget",
        CliError::NoAnswer { .. } => "network",
        // As before the CLI had its own error type: scripts may already match on these.
        CliError::CannotListen { .. }
        | CliError::Exists(_)
        | CliError::File { .. }
        | CliError::WrongKind { .. }
        | CliError::Tls { .. }
        | CliError::McpSession(_)
        | CliError::Stdout(_)
        | CliError::StdoutClosed => "other",
    }
}

/// What kind of failure the SDK's `error` is, in one stable word for scripts.
pub fn kind(error: &Error) -> &'static str {
    match error {
        Error::Validation(_) | Error::InvalidRequest(_) | Error::RequestTooLarge(_) => {
            "invalid_request"
        }
        Error::LocalImage(_) => "local_image",
        Error::NotFound(_) => "not_found",
        Error::Authentication(_) => "authentication",
        Error::Permission(_) => "permission",
        Error::Config(_) => "configuration",
        Error::InsufficientQuota(_) => "insufficient_quota",
        Error::UploadQuota(_) => "upload_quota",
        Error::RateLimited(_) => "rate_limited",
        Error::IdempotencyConflict(_) => "idempotency_conflict",
        Error::PaidOutcomeUnknown(_) => "paid_outcome_unknown",
        Error::Internal(_) | Error::Upstream(_) | Error::ServiceUnavailable(_) | Error::Api(_) => {
            "server"
        }
        Error::InvalidResponse { .. } => "invalid_response",
        Error::Timeout { .. } | Error::Connection { .. } => "network",
        Error::TaskFailed { .. } => "task_failed",
        Error::Cancelled { .. } => "cancelled",
        Error::Deadline { .. } => "deadline",
        Error::Download { .. } => "download",
        Error::LedgerInUse { .. } => "ledger_in_use",
        Error::LedgerElsewhere { .. } => "ledger_elsewhere",
        Error::Stopped { .. } => "interrupted",
        Error::OverBudget { .. } => "over_budget",
        _ => "other",
    }
}

/// `error` in this command's words: the SDK's advice pointed at flags and commands
/// (`timeout_secs` is `--timeout`).
pub fn words(error: &CliError, timeout_secs: u64) -> String {
    match error {
        CliError::Api(error) => in_cli_words(error, timeout_secs),
        other => other.to_string(),
    }
}

/// `error` as the JSON object `--json` prints on stdout: its kind, message, the field it is
/// about, the task it concerns and the exit code.
pub fn as_json(error: &CliError, timeout_secs: u64) -> serde_json::Value {
    let api = error.api();
    let param = match api {
        Some(Error::Validation(refused)) => Some(refused.field.clone()),
        Some(error) => error.api_error().and_then(|api| api.param.clone()),
        None => None,
    };
    let task_id = match api {
        Some(
            Error::TaskFailed { task_id, .. }
            | Error::Cancelled { task_id }
            | Error::Deadline { task_id, .. }
            | Error::Download { task_id, .. },
        ) => Some(task_id.clone()),
        _ => None,
    };
    serde_json::json!({
        "error": {
            "type": kind_of(error),
            "message": words(error, timeout_secs),
            "param": param,
            "task_id": task_id,
            "status": api.and_then(Error::status),
            "request_id": api.and_then(Error::request_id),
            "exit_code": code_for(error),
        }
    })
}

/// Says how the command ended and decides the exit code: nothing on success; the last words
/// of a command stopped on purpose (an interrupt, with what `--json` prints for it; the
/// budget); else `error: …` on stderr and, with `--json`, the failure as one object on stdout
/// (stderr keeps the sentence). A closed stdout changes nothing: the exit code still says it.
/// `json`: the command answers in JSON; `timeout_secs`: its `--timeout`.
pub fn report(outcome: Result<(), CliError>, json: bool, timeout_secs: u64) -> u8 {
    let error = match outcome {
        Ok(()) => return 0,
        Err(error) => error,
    };
    let answers_in_json = json;
    if let CliError::Interrupted {
        json: Some(json), ..
    } = &error
    {
        if answers_in_json {
            let _ = crate::output::print_json(json);
        }
    }
    if let Some(words) = error.last_words() {
        crate::output::note!("{words}");
    } else if !error.already_said() {
        crate::output::note!("error: {}", words(&error, timeout_secs));
        if answers_in_json {
            let _ = crate::output::print_json(&as_json(&error, timeout_secs));
        }
    }
    code_for(&error)
}

/// A command line clap refused: its message on stderr as clap prints it, exit 2; with `--json`
/// (or `task get|wait`, which always answer in JSON) also the failure as one object on stdout.
/// `--help` and `--version` print as usual.
pub fn usage_error(usage: &clap::Error) -> u8 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let _ = usage.print();
    if matches!(
        usage.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return usage.exit_code() as u8;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let always_json = args.first().map(String::as_str) == Some("task")
        && matches!(args.get(1).map(String::as_str), Some("get" | "wait"));
    if always_json || args.iter().any(|arg| arg == "--json") {
        let rendered = usage.render().to_string();
        // Its first paragraph, on one line (clap puts a missing argument on the next).
        let message = rendered
            .lines()
            .take_while(|line| !line.trim().is_empty())
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        let message = message.trim_start_matches("error: ");
        // The argument it is about, as typed on the command line (`--size`, `<PROMPT>`).
        let param = match usage.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(arg)) => arg.split(' ').next().map(str::to_string),
            Some(ContextValue::Strings(args)) => args.first().cloned(),
            _ => None,
        };
        let _ = crate::output::print_json(&serde_json::json!({
            "error": {
                "type": "usage",
                "message": message,
                "param": param,
                "task_id": null,
                "status": null,
                "exit_code": 2,
            }
        }));
    }
    2
}
