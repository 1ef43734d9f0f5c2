//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use nanobanana_api::{types, ImageInput};

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

/// `nanobanana generate`.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct GenerateArgs {
    /// What to draw, or how to edit the input images (at most 2000 characters; 1000 for
    /// gemini-2.5-flash-image and nano-banana-beta).
    pub prompt: String,
    /// The model: one `nanobanana models` lists, or any newer name (sent as is).
    #[arg(long, default_value = DEFAULT_MODEL, value_parser = parse::<types::ImageModel>, help = model_help())]
    pub model: types::ImageModel,
    /// Aspect ratio (API default auto); which ones depends on the model (`nanobanana models`).
    #[arg(long, value_parser = parse::<types::ImageSize>, help = values_help("Aspect ratio (API default auto; per model: `nanobanana models`)", types::ImageSize::KNOWN))]
    pub size: Option<types::ImageSize>,
    /// Quality, the long edge (default: the model's own, 1K for the Lite models and 2K for the
    /// others; each level priced differently, 4K costs extra).
    #[arg(long, value_parser = parse::<types::ImageQuality>, help = values_help("Quality, the long edge (default: the model's own, 1K for the Lite models, 2K for the others; priced per level, 4K costs extra)", types::ImageQuality::KNOWN))]
    pub quality: Option<types::ImageQuality>,
    /// How much the model reasons before drawing: auto, min or high (models that take it:
    /// `nanobanana models`).
    #[arg(long, value_name = "LEVEL", value_parser = parse_thinking)]
    pub thinking: Option<types::ThinkingLevel>,
    /// Let the model search the web (models that take it: `nanobanana models`).
    #[arg(long)]
    pub web_search: bool,
    /// Let the model search for images on the web (models that take it: `nanobanana models`).
    #[arg(long)]
    pub image_search: bool,
    /// Other model extension parameters, as a JSON object (sent as given; the fields each
    /// model takes: `nanobanana models`).
    #[arg(long, value_name = "JSON", value_parser = parse_object)]
    pub model_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// An input image for image-to-image or editing: an http(s) URL, or a local JPEG, PNG or
    /// WebP file (at most the model's size, 10 or 20 MB), uploaded to Evolink's file service
    /// first. Repeat for more, mixing URLs and files (at most the model's count, 5 to 14).
    #[arg(long = "image", value_name = "URL|PATH", value_parser = parse::<ImageInput>)]
    pub images: Vec<ImageInput>,
    /// An HTTPS URL the API POSTs the task to when it ends.
    #[arg(long)]
    pub callback_url: Option<String>,
    /// The create's Idempotency-Key (default: a new random one). Run the same command again
    /// with the same key to get the task it created instead of paying for a second; a new
    /// image needs a new key.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Save the image as this file (a second image gets `-1`, and so on).
    #[arg(short = 'o', long, conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Save images in this directory as `<task_id>-<n>.<ext>` (default: the current one).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Where to send requests.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `nanobanana batch`.
#[derive(Args, Debug)]
#[command(
    after_help = "Each line is one JSON object:\n  {\"prompt\": \"a red fox\", \"model\": \"gemini-3.1-flash-image-preview\", \"size\": \"16:9\", \"quality\": \"2K\", \"images\": [\"https://…/ref.png\", \"./local.jpg\"], \"output\": \"fox.png\", \"thinking\": \"high\", \"web_search\": true}\nOnly \"prompt\" is required. Local image paths are relative to the file. The ledger (nanobanana-batch.jsonl) sits beside the images."
)]
pub struct BatchArgs {
    /// The JSON-lines file.
    pub file: PathBuf,
    /// Where to save the images and the ledger (default: `<file stem>-images` beside the file).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// How many generations run at once (1 or more).
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = at_least_one)]
    pub concurrency: usize,
    /// Create no task that would bring the credits this run reserves past N; lines left are
    /// created by running the same command again with a larger budget.
    #[arg(long, value_name = "N")]
    pub max_credits: Option<f64>,
    /// Replace files already in the folder that lines name as their `output` (and a page
    /// there named index.html that nanobanana did not write).
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Where to send requests.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

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

/// `nanobanana sandbox`.
#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Print nothing per request (by default one line each on stderr).
    #[arg(long)]
    pub quiet: bool,
    /// How each request is printed: text, or one JSON object a line (the default when stderr
    /// is not a terminal).
    #[arg(long, value_name = "text|json", value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    /// Accept only this key (default: any non-empty key).
    #[arg(long, env = "SANDBOX_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Real seconds per simulated second (a 45 s task takes 45 × this).
    #[arg(long, default_value_t = 0.05)]
    pub time_scale: f64,
    /// Creates allowed per second per key (more answer 429).
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Allow http and loopback callback URLs, for local receivers.
    #[arg(long)]
    pub allow_insecure_callbacks: bool,
    /// How long result links work, in seconds.
    #[arg(long, default_value_t = 24 * 60 * 60)]
    pub link_ttl: u64,
    /// The port of the file service (uploads), another address as Evolink's is another host.
    #[arg(long, default_value_t = 8788)]
    pub files_port: u16,
    /// How many uploads the account may make (more answer 403, the quota error).
    #[arg(long)]
    pub upload_quota: Option<u64>,
    /// Let `upload/url` download images from any host (default: loopback and its own files).
    #[arg(long)]
    pub fetch_remote_files: bool,
    /// The most megabytes of uploads kept on disk (a temporary directory removed when the
    /// sandbox stops); more uploads answer the quota error (403).
    #[arg(long, value_name = "MB", default_value_t = nanobanana_sandbox::DEFAULT_UPLOAD_DISK_LIMIT / (1024 * 1024))]
    pub upload_disk_limit: u64,
    /// The most tasks kept in memory; the oldest finished ones are forgotten beyond it (their
    /// queries answer 404). About 0.8 KB each plus the prompt.
    #[arg(long, default_value_t = nanobanana_sandbox::DEFAULT_MAX_TASKS)]
    pub max_tasks: usize,
    /// The most uploads kept; beyond it the oldest are forgotten (their links answer 404).
    /// About 0.5 KB each in memory, the files on disk.
    #[arg(long, default_value_t = nanobanana_sandbox::DEFAULT_MAX_UPLOADS)]
    pub max_uploads: usize,
    /// How results are encoded: jpeg (as the real service serves them) or png. Results are
    /// served from the file service's port, another host than the API's, as the real ones are.
    #[arg(long, default_value = "jpeg")]
    pub result_format: nanobanana_sandbox::ResultFormat,
    /// Serve HTTPS with a throwaway CA made now; its certificate is written to a file whose
    /// path is printed (clients trust it with EVOLINK_CA_CERT).
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

/// The model `generate` uses when none is given: Nano Banana 2, the model Evolink's
/// documentation opens with, which takes every size and quality (docs/models.md says why).
pub const DEFAULT_MODEL: &str = "gemini-3.1-flash-image-preview";

fn parse<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| e.to_string())
}

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

fn parse_object(value: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("must be a JSON object, e.g. '{\"thinking_level\": \"high\"}'".into()),
        Err(e) => Err(format!(
            "is not JSON ({e}); e.g. '{{\"thinking_level\": \"high\"}}'"
        )),
    }
}

/// `--thinking`: one of the documented levels (the type is open, to read answers; a person
/// typing a level gets the documented ones).
fn parse_thinking(value: &str) -> Result<types::ThinkingLevel, String> {
    match value.parse::<types::ThinkingLevel>() {
        Ok(level) if level.is_known() => Ok(level),
        _ => Err(format!(
            "`{value}` is not a thinking level; use one of {}",
            types::ThinkingLevel::KNOWN.join(" | ")
        )),
    }
}

/// `--model`'s help: the known models, from the generated table.
fn model_help() -> String {
    let known: Vec<&str> = nanobanana_api::lineup::MODELS
        .iter()
        .map(|m| m.model.as_str())
        .collect();
    format!(
        "The model: {} (limits: `nanobanana models`), or any newer name, sent as is",
        known.join(", ")
    )
}

/// A value option's help, ending with its accepted values.
fn values_help(text: &str, values: &[&str]) -> String {
    format!("{text}: {}", values.join(", "))
}
