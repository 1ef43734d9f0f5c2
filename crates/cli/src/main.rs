//! `nanobanana`: generate images with Nano Banana 2 from the shell.

mod args;
mod batch;
mod commands;
mod connection;
mod contact_sheet;
mod exit;
mod mcp;
mod notices;
mod output;
mod progress;
mod signals;
mod timeout;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
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
    let json = cli.command.answers_in_json();
    let outcome = match cli.command {
        Command::Generate(args) => commands::generate(args).await,
        Command::Task(command) => commands::task(command).await,
        Command::Credits { json, connection } => commands::credits(json, &connection).await,
        Command::Files(args::FilesCommand::Quota { json, connection }) => {
            commands::files_quota(json, &connection).await
        }
        Command::Files(args::FilesCommand::List {
            page,
            page_size,
            json,
            connection,
        }) => commands::files_list(page, page_size, json, &connection).await,
        Command::Files(args::FilesCommand::Delete { id, connection }) => {
            commands::files_delete(&id, &connection).await
        }
        Command::Batch(args) => batch::run(args).await,
        Command::Models { json } => commands::models(json),
        Command::Sandbox(args) => commands::sandbox(args).await,
        Command::Mcp(args) => mcp::run(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::note!("error: {}", exit::in_cli_words(&error));
            if json {
                // Scripts read stdout: the failure as one object there too (stderr keeps the
                // sentence). A closed stdout changes nothing: the exit code still says it.
                let _ = output::print_json(&exit::as_json(&error));
            }
            ExitCode::from(exit::code_for(&error))
        }
    }
}
