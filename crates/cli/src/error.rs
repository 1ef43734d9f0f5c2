//! What can end a command other than success: the SDK's own failures, and the CLI's (an
//! interrupt, a query with no answer, a port taken, a file that would be replaced…). The exit
//! code of each is decided in one place, `exit.rs`; this says what happened and what to do.

use std::fmt;
use std::path::PathBuf;

/// Why a command ended without doing all it was asked.
#[derive(Debug)]
pub enum CliError {
    /// A failure the SDK reported (a refused request, an API error, a failed task…).
    Api(nanobanana_api::Error),
    /// Ctrl-C or SIGTERM stopped the command: what to tell the person (the task that keeps
    /// running and the command that resumes it), and with `--json` the object for stdout.
    Interrupted {
        /// The last line on stderr.
        message: String,
        /// What `--json` prints on stdout instead of a result (the task and how to resume it).
        json: Option<serde_json::Value>,
    },
    /// A one-answer query got no answer within `--timeout`, retries included.
    NoAnswer {
        /// What was asked for (`the task`, `the credit balance`).
        what: String,
        /// The address asked.
        from: String,
        /// How long the command waited.
        secs: u64,
    },
    /// A server of this process (the sandbox, its file service) could not listen.
    CannotListen {
        /// What was to listen, with the address and the flag that moves it.
        address: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A local file or folder could not be read, created or written.
    File {
        /// What was being done, as a person says it (`cannot read the batch file`).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A file the command would replace exists and `--force` was not given.
    Exists(PathBuf),
    /// A path flag names the wrong kind of thing (`-o` a folder, `--out-dir` a file).
    WrongKind {
        /// The flag.
        flag: &'static str,
        /// What it names.
        path: PathBuf,
        /// What it is, what is wanted instead.
        problem: &'static str,
    },
    /// HTTPS could not be set up for the sandbox.
    Tls {
        /// The flags that asked for it.
        flags: &'static str,
        /// Why not.
        reason: String,
    },
    /// The MCP session could not start on stdin/stdout.
    McpSession(String),
    /// Writing the result to standard output failed (other than nobody reading it).
    Stdout(std::io::Error),
    /// Standard output was closed by its reader (`| head -1`): the work is done and nobody
    /// reads more, which is no failure.
    StdoutClosed,
    /// A batch stopped creating at its budget; the lines left are created by a rerun.
    OverBudget {
        /// The lines not created.
        lines: usize,
        /// The budget given.
        max_credits: f64,
    },
    /// Lines of a batch failed (each listed in the summary already); the first one's kind
    /// decides the exit code.
    LinesFailed {
        /// How many failed.
        count: usize,
        /// The first failure.
        first: Box<nanobanana_api::Error>,
    },
}

impl CliError {
    /// Whether the person was already told everything (the batch summary, the interrupt's
    /// last line comes from [`CliError::last_words`]): then no `error:` line and no JSON error
    /// follow.
    pub fn already_said(&self) -> bool {
        matches!(
            self,
            CliError::Interrupted { .. }
                | CliError::StdoutClosed
                | CliError::OverBudget { .. }
                | CliError::LinesFailed { .. }
        )
    }

    /// The line that ends a command stopped on purpose (an interrupt, the budget), printed as
    /// is rather than as an `error:`.
    pub fn last_words(&self) -> Option<String> {
        match self {
            CliError::Interrupted { message, .. } => Some(message.clone()),
            CliError::OverBudget { lines, max_credits } => Some(format!(
                "{lines} line(s) not created: the next create would pass --max-credits {max_credits}. They stay for later: run the same command with a larger --max-credits to create them, without paying twice for what is done."
            )),
            _ => None,
        }
    }

    /// The SDK's error inside, if this is one.
    pub fn api(&self) -> Option<&nanobanana_api::Error> {
        match self {
            CliError::Api(error) => Some(error),
            CliError::LinesFailed { first, .. } => Some(first),
            _ => None,
        }
    }
}

impl From<nanobanana_api::Error> for CliError {
    fn from(error: nanobanana_api::Error) -> Self {
        CliError::Api(error)
    }
}

impl From<nanobanana_api::config::ConfigError> for CliError {
    fn from(error: nanobanana_api::config::ConfigError) -> Self {
        CliError::Api(error.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Api(error) => write!(f, "{error}"),
            CliError::Interrupted { message, .. } => f.write_str(message),
            CliError::NoAnswer { what, from, secs } => write!(
                f,
                "gave up: no answer within --timeout ({secs} s, retries included) from {from} for {what}; check that the service is reachable, or raise --timeout"
            ),
            CliError::CannotListen { address, source } => write!(
                f,
                "cannot listen on {address}: {}",
                io_reason(source)
            ),
            CliError::File {
                action,
                path,
                source,
            } => write!(f, "{action} {}: {}", path.display(), io_reason(source)),
            CliError::Exists(path) => write!(
                f,
                "{} already exists; pass --force to overwrite it, or choose another name",
                path.display()
            ),
            CliError::WrongKind {
                flag,
                path,
                problem,
            } => write!(f, "{flag} {}: {problem}", path.display()),
            CliError::Tls { flags, reason } => write!(
                f,
                "cannot serve HTTPS ({flags}): {reason}"
            ),
            CliError::McpSession(reason) => write!(
                f,
                "cannot start the MCP session on stdin/stdout: {reason}; the agent must start `nanobanana mcp` with its stdin and stdout as the pipe"
            ),
            CliError::Stdout(source) => write!(
                f,
                "cannot write the result to standard output: {}",
                io_reason(source)
            ),
            CliError::StdoutClosed => f.write_str("standard output was closed by its reader"),
            CliError::OverBudget { .. } => {
                f.write_str(&self.last_words().expect("over budget has words"))
            }
            CliError::LinesFailed { count, .. } => write!(
                f,
                "{count} line(s) failed (listed above); fix them and run the same command again: what is done is not paid twice"
            ),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Api(error) => Some(error),
            CliError::CannotListen { source, .. }
            | CliError::File { source, .. }
            | CliError::Stdout(source) => Some(source),
            _ => None,
        }
    }
}

/// The operating system's reason in a person's words where it has few (`permission denied`),
/// without Rust's `(os error 13)` suffix.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_lowercase(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_named_with_what_to_do() {
        let said = CliError::Exists("x.png".into()).to_string();
        assert!(said.starts_with("x.png already exists"), "{said}");
        assert!(said.contains("pass --force to overwrite it"), "{said}");
        assert!(!said.contains("entity"), "{said}");
    }

    #[test]
    fn os_errors_lose_their_code() {
        let denied = std::io::Error::from_raw_os_error(13);
        let said = CliError::File {
            action: "cannot read the batch file",
            path: "b.jsonl".into(),
            source: denied,
        }
        .to_string();
        assert_eq!(
            said,
            "cannot read the batch file b.jsonl: permission denied"
        );
    }
}
