//! The command line: the commands and the flags they share (`args/` holds each command's
//! own).

mod image;
mod sandbox;
mod service;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use self::image::{BatchArgs, GenerateArgs};
pub use self::sandbox::SandboxArgs;
pub use self::service::{FilesCommand, TaskCommand};

use crate::exit::EXIT_CODES_HELP;

/// Generate images with Evolink's Nano Banana 2 API. Without EVOLINK_API_KEY, `generate` runs
/// against a local sandbox started in-process (placeholder images, no network, no credits).
#[derive(Parser, Debug)]
#[command(name = "nanobanana", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the commands that call the API send requests, and how hard they retry.
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// The API base URL (e.g. a sandbox started with `nanobanana sandbox`) [env: EVOLINK_BASE_URL]
    #[arg(long, env = "EVOLINK_BASE_URL", hide_env = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The file service's base URL (uploads of local images, the file quota) [env:
    /// EVOLINK_FILES_BASE_URL]
    #[arg(
        long,
        env = "EVOLINK_FILES_BASE_URL",
        hide_env = true,
        value_name = "URL"
    )]
    pub files_base_url: Option<String>,
    /// Attempts after the first for rate-limited or unavailable calls (0 or more).
    #[arg(long, default_value_t = 3, value_name = "N", allow_negative_numbers = true, value_parser = whole_number)]
    pub retries: usize,
    /// Seconds to wait for each answer from the service (1 or more). `task get`, `credits`
    /// and `files quota` give up after this long in all, retries included.
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = at_least_one_u64)]
    pub timeout: u64,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate an image and save it.
    Generate(GenerateArgs),
    /// Query or wait for a task by id.
    #[command(subcommand)]
    Task(TaskCommand),
    /// Show the account's remaining and used credits.
    Credits {
        /// Print the API's answer as JSON.
        #[arg(long)]
        json: bool,
        /// Where to send requests.
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// The file service: how many uploads the account may still make, the stored files,
    /// deleting one.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Generate many images from a JSON-lines file, one request a line; rerun the same command
    /// after an interruption to finish it without paying twice.
    Batch(BatchArgs),
    /// List the models this version knows, with each one's limits.
    Models {
        /// Print the table as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a local sandbox that behaves like the API.
    Sandbox(SandboxArgs),
    /// Serve the Model Context Protocol on stdin/stdout, for agents (Claude Code, Codex,
    /// Cursor, Gemini CLI): tools to generate images, follow tasks and read limits. Without
    /// EVOLINK_API_KEY it runs on a local sandbox (placeholder images, no credits).
    Mcp(McpArgs),
}

impl Command {
    /// Whether the command answers in JSON on stdout (`--json`, and `task`, which always
    /// prints the task as JSON): then a failure is a JSON object on stdout too.
    pub fn answers_in_json(&self) -> bool {
        match self {
            Command::Generate(args) => args.json,
            Command::Task(TaskCommand::List { json, .. }) => *json,
            Command::Task(_) => true,
            Command::Credits { json, .. } | Command::Models { json } => *json,
            Command::Files(FilesCommand::Quota { json, .. } | FilesCommand::List { json, .. }) => {
                *json
            }
            Command::Files(FilesCommand::Delete { .. }) => false,
            Command::Batch(args) => args.json,
            Command::Sandbox(_) | Command::Mcp(_) => false,
        }
    }
}

/// `nanobanana mcp`.
#[derive(Args, Debug)]
pub struct McpArgs {
    /// Where `generate_image` and `wait_task` save images when a call names no output_dir
    /// (default: ./nanobanana-images, made absolute when the server starts; announced to the
    /// agent in the server's instructions).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Where to send requests.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The model `generate` uses when none is given: Nano Banana 2, the model Evolink's
/// documentation opens with, which takes every size and quality (docs/models.md says why).
pub const DEFAULT_MODEL: &str = "gemini-3.1-flash-image-preview";

/// A count of 0 or more, said in words when it is not one.
fn whole_number(value: &str) -> Result<usize, String> {
    value
        .parse::<usize>()
        .map_err(|_| format!("`{value}` is not a whole number of 0 or more (e.g. 3)"))
}

/// A count of 1 or more.
fn at_least_one(value: &str) -> Result<usize, String> {
    match whole_number(value)? {
        0 => Err("0 would run nothing: use 1 or more (e.g. 4)".into()),
        n => Ok(n),
    }
}

/// A number of seconds, 1 or more.
fn at_least_one_u64(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(0) => Err("0 would give up at once: use 1 or more seconds (e.g. 60)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{value}` is not a whole number of seconds (e.g. 60)"
        )),
    }
}
