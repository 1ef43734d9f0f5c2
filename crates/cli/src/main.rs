//! `nanobanana`: generate images with Nano Banana 2 from the shell.
//!
//! | file | what it holds |
//! | --- | --- |
//! | `args.rs`, `args/` | the command line, as clap reads it |
//! | `settings.rs` | what the flags say about how to run, as one value |
//! | `commands/` | one file per command (`generate`, `task`, `batch`, `mcp`…) |
//! | `error.rs` | the ways a command ends without success |
//! | `exit.rs` | the exit code of each, and the words and JSON a failure is reported in |
//! | `signals.rs` | Ctrl-C and SIGTERM |
//! | `connection.rs` | where requests go: the API, a sandbox, or one started in this process |
//! | `output.rs`, `notices.rs`, `progress.rs` | what is printed on stdout and stderr |
//! | `contact_sheet.rs` | a batch's `index.html` |

mod args;
mod commands;
mod connection;
mod contact_sheet;
mod error;
mod exit;
mod notices;
mod output;
mod progress;
mod settings;
mod signals;

use clap::Parser as _;

use crate::args::Cli;
use crate::settings::Settings;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    let code = runtime.block_on(run());
    // Work an interrupted command left behind (a DNS lookup, a file read) is not waited for.
    runtime.shutdown_background();
    // The one place the process ends: every command returns here with its outcome.
    std::process::exit(i32::from(code));
}

/// Runs the command the arguments name; its exit code.
async fn run() -> u8 {
    signals::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => return exit::usage_error(&usage),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NANOBANANA_LOG")
                .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let settings = Settings::of(&cli.command);
    // A signal while no command answers it stops the command at once (dropping its future).
    let outcome = tokio::select! {
        // A signal that came first stops the command before it does anything.
        biased;
        name = signals::unanswered() => Err(error::CliError::Interrupted {
            message: format!("{name}: stopped"),
            json: None,
        }),
        outcome = commands::run(cli.command, &settings) => outcome,
    };
    exit::report(outcome, settings.json, settings.timeout_secs())
}
