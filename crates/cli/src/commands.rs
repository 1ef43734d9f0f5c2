//! The commands, one file each; [`run`] hands the parsed command line to its own.
//!
//! | file | command |
//! | --- | --- |
//! | `generate.rs` | `generate`: check, create (`create.rs`), wait, save (`save.rs`) |
//! | `task.rs` | `task get`, `task wait`, `task list` |
//! | `account.rs` | `credits` |
//! | `files.rs` | `files quota`, `files list`, `files delete` |
//! | `models.rs` | `models` |
//! | `batch.rs` | `batch`: its lines (`batch/lines.rs`), its run and summary |
//! | `sandbox.rs` | `sandbox` |
//! | `mcp.rs` | `mcp`: the Model Context Protocol server (`mcp/`) |
//! | `table.rs` | the text tables `task list` and `files list` print |

mod account;
mod batch;
mod create;
mod files;
mod generate;
mod mcp;
mod models;
mod sandbox;
mod save;
mod table;
mod task;

use crate::args::{Command, FilesCommand};
use crate::error::CliError;
use crate::settings::Settings;

/// Runs `command` with `settings` (read from the same command line); its outcome.
pub async fn run(command: Command, settings: &Settings) -> Result<(), CliError> {
    match command {
        Command::Generate(args) => generate::generate(args, settings).await,
        Command::Task(command) => task::task(command, settings).await,
        Command::Credits { .. } => account::credits(settings).await,
        Command::Files(FilesCommand::Quota { .. }) => files::quota(settings).await,
        Command::Files(FilesCommand::List {
            page, page_size, ..
        }) => files::list(page, page_size, settings).await,
        Command::Files(FilesCommand::Delete { id, .. }) => files::delete(&id, settings).await,
        Command::Batch(args) => batch::batch(args, settings).await,
        Command::Models { .. } => models::models(settings),
        Command::Sandbox(args) => sandbox::sandbox(args).await,
        Command::Mcp(args) => mcp::mcp(args, settings).await,
    }
}
