//! The flags of `nanobanana sandbox`.

use clap::Args;

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
