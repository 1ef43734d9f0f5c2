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
    /// The API base URL (e.g. a sandbox started with `nanobanana sandbox`).
    #[arg(long, global = true, env = "EVOLINK_BASE_URL", hide_env_values = true)]
    pub base_url: Option<String>,
    /// The file service's base URL, where local `--image` files are uploaded.
    #[arg(
        long,
        global = true,
        env = "EVOLINK_FILES_BASE_URL",
        hide_env_values = true
    )]
    pub files_base_url: Option<String>,
    /// Attempts after the first for rate-limited or unavailable calls.
    #[arg(long, global = true, default_value_t = 3)]
    pub retries: usize,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
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
    },
    /// Run a local sandbox that behaves like the API.
    Sandbox(SandboxArgs),
}

/// `nanobanana generate`.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct GenerateArgs {
    /// What to draw, or how to edit the input images (at most 2000 characters).
    pub prompt: String,
    /// The model.
    #[arg(long, default_value = "nano-banana-2-lite", value_parser = parse::<types::ImageModel>)]
    pub model: types::ImageModel,
    /// Aspect ratio: auto, 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9 (API default auto).
    #[arg(long, value_parser = parse::<types::ImageSize>)]
    pub size: Option<types::ImageSize>,
    /// Quality: 1K, 2K or 4K (API default 2K; 4K costs extra).
    #[arg(long, value_parser = parse::<types::ImageQuality>)]
    pub quality: Option<types::ImageQuality>,
    /// An input image for image-to-image or editing: an http(s) URL, or a local JPEG, PNG or
    /// WebP file (at most 10 MB), uploaded to Evolink's file service first. Repeat for more,
    /// mixing URLs and files (at most 10).
    #[arg(long = "image", value_name = "URL|PATH", value_parser = parse::<ImageInput>)]
    pub images: Vec<ImageInput>,
    /// An HTTPS URL the API POSTs the task to when it ends.
    #[arg(long)]
    pub callback_url: Option<String>,
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
}

/// `nanobanana task …`.
#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// Print a task as JSON.
    Get {
        /// The task id (`task-unified-…`).
        id: String,
    },
    /// Wait for a task to end, then print it (and save its images with --out-dir).
    Wait {
        /// The task id (`task-unified-…`).
        id: String,
        /// Save the images in this directory.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

/// `nanobanana sandbox`.
#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
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
}

fn parse<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| format!("{e} ({value:?})"))
}
