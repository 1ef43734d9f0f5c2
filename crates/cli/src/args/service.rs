//! The flags of the commands that ask the service about what exists: `task` and `files`.

use std::path::PathBuf;

use clap::Subcommand;

use super::ConnectionArgs;
use crate::exit::EXIT_CODES_HELP;

/// `nanobanana task …`.
#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// Print a task as JSON.
    Get {
        /// The task id (`task-unified-…`).
        id: String,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Wait for a task to end, then print it (and save its images with -o or --out-dir).
    Wait {
        /// The task id (`task-unified-…`).
        id: String,
        /// Save the image as this file (a second image gets `-1`, and so on).
        #[arg(short = 'o', long, conflicts_with = "out_dir")]
        output: Option<PathBuf>,
        /// Save the images in this directory as `<task_id>-<n>.<ext>`.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// List this API key's tasks, newest first: id, status, model, created, credits.
    List {
        /// Only tasks with this status: pending, processing (includes pending), completed,
        /// failed or cancelled.
        #[arg(long, value_parser = ["pending", "processing", "completed", "failed", "cancelled"])]
        status: Option<String>,
        /// Only tasks of this model (as `nanobanana models` names it).
        #[arg(long, value_parser = parse_model)]
        model: Option<nanobanana_api::types::ImageModel>,
        /// Only tasks created within this long: 30m, 2h, 1day.
        #[arg(long)]
        since: Option<humantime::Duration>,
        /// Show at most this many tasks (1 to 1000).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
        limit: u64,
        /// Print the tasks as JSON (`total` and `tasks`).
        #[arg(long)]
        json: bool,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

/// A model by its wire name (`gemini-3.1-flash-image-preview`).
fn parse_model(name: &str) -> Result<nanobanana_api::types::ImageModel, String> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| format!("{name:?} is not a model name: `nanobanana models` lists them"))
}

/// `nanobanana files …`.
#[derive(Subcommand, Debug)]
pub enum FilesCommand {
    /// Show how many files the account stores on the file service and may still upload.
    Quota {
        /// Print the file service's answer as JSON.
        #[arg(long)]
        json: bool,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// List the files stored on the file service (uploads, kept 72 h): id, name, size, upload
    /// and expiry times.
    #[command(after_help = EXIT_CODES_HELP)]
    List {
        /// The page to show, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        page: u64,
        /// Files per page, 1 to 100.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=100))]
        page_size: u64,
        /// Print the page as JSON (`total`, `page`, `page_size`, `files`).
        #[arg(long)]
        json: bool,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Delete a stored file: its link stops working and it no longer counts against the quota.
    #[command(after_help = EXIT_CODES_HELP)]
    Delete {
        /// The file's id, as `nanobanana files list` shows it (file_…).
        id: String,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}
