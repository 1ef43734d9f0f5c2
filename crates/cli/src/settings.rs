//! What the flags say about how to run, read once from the command line and handed to the
//! command: where requests go, how long each answer is awaited, whether to answer in JSON.

use std::time::Duration;

use crate::args::{Command, ConnectionArgs, FilesCommand, TaskCommand};

/// How this run of `nanobanana` works, from its flags and environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Whether the command answers in JSON on stdout (`--json`, and `task get|wait`): then a
    /// failure is a JSON object on stdout too.
    pub json: bool,
    /// The API base URL (`--base-url`, `EVOLINK_BASE_URL`; none: Evolink's, or the embedded
    /// sandbox).
    pub base_url: Option<String>,
    /// The file service's base URL (`--files-base-url`, `EVOLINK_FILES_BASE_URL`).
    pub files_base_url: Option<String>,
    /// Attempts after the first for calls that may be retried (`--retries`).
    pub retries: usize,
    /// How long each answer is awaited (`--timeout`); one-answer queries give up after it in
    /// all.
    pub timeout: Duration,
}

/// `--timeout`'s default, for commands that have no such flag.
const DEFAULT_TIMEOUT_SECS: u64 = 60;

impl Settings {
    /// The settings `command`'s flags give.
    pub fn of(command: &Command) -> Self {
        let connection = match command {
            Command::Generate(args) => Some(&args.connection),
            Command::Task(
                TaskCommand::Get { connection, .. }
                | TaskCommand::Wait { connection, .. }
                | TaskCommand::List { connection, .. },
            ) => Some(connection),
            Command::Credits { connection, .. } => Some(connection),
            Command::Files(
                FilesCommand::Quota { connection, .. }
                | FilesCommand::List { connection, .. }
                | FilesCommand::Delete { connection, .. },
            ) => Some(connection),
            Command::Batch(args) => Some(&args.connection),
            Command::Mcp(args) => Some(&args.connection),
            Command::Models { .. } | Command::Sandbox(_) => None,
        };
        let json = command.answers_in_json();
        match connection {
            Some(connection) => Self::from_flags(json, connection),
            None => Self {
                json,
                base_url: None,
                files_base_url: None,
                retries: 0,
                timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            },
        }
    }

    /// The settings of `--json` and the connection flags.
    pub fn from_flags(json: bool, connection: &ConnectionArgs) -> Self {
        Self {
            json,
            base_url: connection.base_url.clone(),
            files_base_url: connection.files_base_url.clone(),
            retries: connection.retries,
            timeout: Duration::from_secs(connection.timeout),
        }
    }

    /// `--timeout` in whole seconds, for messages.
    pub fn timeout_secs(&self) -> u64 {
        self.timeout.as_secs()
    }
}
