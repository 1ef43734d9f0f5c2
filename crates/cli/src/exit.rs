//! Exit codes by error class, so scripts can tell what went wrong.

use nanobanana_api::{config::ConfigError, Error};

/// The exit code after Ctrl-C or SIGTERM (128 + SIGINT), as shells report an interrupt.
pub const INTERRUPTED: i32 = 130;

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

/// The exit code for `error`.
pub fn code_for(error: &Error) -> u8 {
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
        // A query that got no answer within --timeout: a network failure.
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut => 7,
        Error::Api(api) if (400..500).contains(&api.status) => 3,
        Error::Api(_) => 7,
        _ => 1,
    }
}

/// The SDK's message, with its advice in this command's terms: where the SDK points a program
/// at its model table, a person at the shell is pointed at `nanobanana models`.
pub fn in_cli_words(error: &Error) -> String {
    error
        .to_string()
        .replace(
            "`nanobanana_api::lineup::MODELS` lists the ones this version knows",
            "`nanobanana models` lists the ones this version knows",
        )
        .replace(
            "each model's limits are in `nanobanana_api::lineup::MODELS`",
            "each model's limits: `nanobanana models`",
        )
        .replace(
            "List the stored files to see their ids.",
            "`nanobanana files list` shows the stored files and their ids.",
        )
        .replace(
            "resume with wait(\"",
            "resume with: nanobanana task wait \"",
        )
        // What a program sets on its ClientConfig, a person sets with the variable named
        // beside it or with a flag.
        .replace(" (ClientConfig::allow_insecure_http)", "")
        .replace(" or ClientConfig::with_root_certificate", "")
        .replace(" (ClientConfig::with_root_certificate)", "")
        .replace(
            "save with `SaveTo::from(dir).overwrite(true)` to replace it",
            "add --force to replace it",
        )
        .replace(
            "set BatchOptions::overwrite to replace it",
            "add --force to replace it",
        )
        .replace(
            "no answer within the request timeout (ClientConfig::with_request_timeout sets it)",
            &format!(
                "no answer within {} s (--timeout raises it)",
                crate::timeout::secs()
            ),
        )
}

/// What kind of failure `error` is, in one stable word for scripts.
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
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut => "network",
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

/// `error` as the JSON object `--json` prints on stdout: its kind, message, the field it is
/// about, the task it concerns and the exit code.
pub fn as_json(error: &Error) -> serde_json::Value {
    let param = match error {
        Error::Validation(refused) => Some(refused.field.clone()),
        _ => error.api_error().and_then(|api| api.param.clone()),
    };
    let task_id = match error {
        Error::TaskFailed { task_id, .. }
        | Error::Cancelled { task_id }
        | Error::Deadline { task_id, .. }
        | Error::Download { task_id, .. } => Some(task_id.clone()),
        _ => None,
    };
    serde_json::json!({
        "error": {
            "type": kind(error),
            "message": in_cli_words(error),
            "param": param,
            "task_id": task_id,
            "status": error.status(),
            "request_id": error.request_id(),
            "exit_code": code_for(error),
        }
    })
}

/// A command line clap refused: its message on stderr as clap prints it, exit 2; with `--json`
/// (or `task get|wait`, which always answer in JSON) also the failure as one object on stdout.
/// `--help` and `--version` print as usual.
pub fn usage_error(usage: &clap::Error) -> std::process::ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let _ = usage.print();
    if matches!(
        usage.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return std::process::ExitCode::from(usage.exit_code() as u8);
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
    std::process::ExitCode::from(2)
}
