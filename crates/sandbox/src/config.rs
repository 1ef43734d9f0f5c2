//! How a sandbox behaves: key, time scale, TTLs, rate limit, faults.

use std::net::SocketAddr;
use std::time::Duration;

/// A way to make a call fail, chosen by the `X-Sandbox-Fault` header or queued with
/// [`SandboxHandle::inject`](crate::SandboxHandle::inject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this documented error status and its documented body (no task is created).
    Status(u16),
    /// Create the task, then make it end `failed` (`service_error`, which the service recovers from).
    FailTask,
    /// Answer after [`SandboxConfig::slow_delay`].
    Slow,
    /// Close the connection without an answer. The call is handled first: a create makes its
    /// task (and remembers its `Idempotency-Key`), then its answer is lost, as when the network
    /// fails after the gateway accepted it.
    Drop,
    /// Send the headers and half the body, then close.
    Truncate,
    /// Answer 402 with this `error.code` and the figures the gateway sends with it (the codes
    /// seen in Evolink's clients: `insufficient_user_quota`, `insufficient_token_quota`,
    /// `token_daily_quota_exceeded`, `key_disabled`, `key_expired`, `key_model_not_allowed`).
    Quota(String),
}

/// The 402 codes a [`Fault::Quota`] can answer, each naming the limit that stopped a request.
pub const QUOTA_CODES: [&str; 6] = [
    "insufficient_user_quota",
    "insufficient_token_quota",
    "token_daily_quota_exceeded",
    "key_disabled",
    "key_expired",
    "key_model_not_allowed",
];

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "fail" => Ok(Self::FailTask),
            "slow" => Ok(Self::Slow),
            "drop" => Ok(Self::Drop),
            "truncate" => Ok(Self::Truncate),
            other if other.starts_with("402:") => {
                let code = &other[4..];
                if QUOTA_CODES.contains(&code) {
                    Ok(Self::Quota(code.to_string()))
                } else {
                    Err(format!(
                        "unknown fault {value:?}: a 402 fault names one of {}, e.g. 402:{}",
                        QUOTA_CODES.join(", "),
                        QUOTA_CODES[2]
                    ))
                }
            }
            other => match other.parse::<u16>() {
                Ok(code) if crate::contract::is_documented_status(code) => Ok(Self::Status(code)),
                _ => Err(format!(
                    "unknown fault {value:?}: use a documented status (400, 401, 402, 403, 404, 413, 429, 500, 502, 503), 402:<code> (a quota code), or fail, slow, drop, truncate"
                )),
            },
        }
    }
}

/// Sandbox settings. [`SandboxConfig::default`] is an embedded sandbox on an ephemeral loopback
/// port accepting any key, where a 45 s task takes 2.25 s.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen (default `127.0.0.1:0`, an ephemeral port).
    pub addr: SocketAddr,
    /// The only key accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// Real seconds per simulated second: tasks take `estimated_time × time_scale`, and callback
    /// retries wait `1/2/4 s × time_scale`. 1.0 is real time.
    pub time_scale: f64,
    /// How long a task takes in simulated seconds (the API documents an estimate of 45).
    pub estimated_time_secs: u64,
    /// How long result links work after a task completes (the API keeps them 24 h).
    pub link_ttl: Duration,
    /// How long a task can be queried after it was created.
    pub task_ttl: Duration,
    /// The most tasks kept: beyond it the oldest finished tasks are forgotten (a query for one
    /// answers the documented 404, like an unknown id). Unfinished tasks are never forgotten.
    /// A task costs about 0.8 KB plus its prompt, so the default 50 000 bounds the store at
    /// roughly 40 MB (140 MB with 2000-character prompts).
    pub max_tasks: usize,
    /// Creates allowed per second per key; more answer 429 with `Retry-After`.
    pub rate_limit_per_sec: Option<u32>,
    /// Requests with a body larger than this answer 413.
    pub max_body_bytes: usize,
    /// How long the `slow` fault delays an answer.
    pub slow_delay: Duration,
    /// Permit http and loopback callback URLs (for local receivers).
    pub allow_insecure_callbacks: bool,
    /// Names resolved to these addresses instead of asking the system (like curl's
    /// `--resolve`) by callbacks and `upload/url`; the address rules apply to them all the
    /// same. Lets a test point a name at an address without DNS.
    pub dns_overrides: Vec<(String, std::net::IpAddr)>,
    /// The callback POST timeout.
    pub callback_timeout: Duration,
    /// Faults applied to the next calls, in order.
    pub faults: Vec<Fault>,
    /// Where the file service listens (default `127.0.0.1:0`, an ephemeral port): the real
    /// service is another host, so the sandbox's is another address.
    pub files_addr: SocketAddr,
    /// How long uploaded files are kept (the file service keeps them 72 h).
    pub upload_ttl: Duration,
    /// How many uploads the account may make; further uploads answer the documented 403.
    /// `None` is unlimited.
    pub upload_quota: Option<u64>,
    /// The most bytes of uploads kept on disk (in a temporary directory the sandbox removes when
    /// it stops); beyond it uploads answer the documented quota error (403). Default 2 GiB.
    pub upload_disk_limit: u64,
    /// The most uploads kept; beyond it the oldest are forgotten (their links answer 404), so
    /// memory stays bounded however small the uploads. About 0.5 KB each.
    pub max_uploads: usize,
    /// Let `upload/url` download from any host. Off by default: the sandbox then fetches only
    /// its own files and loopback URLs, so it never reaches the internet on its own.
    pub fetch_remote_files: bool,
    /// The account's credits before any task (`GET /v1/credits` subtracts what tasks reserved).
    pub initial_credits: f64,
    /// How results are encoded: JPEG (default, as the real service serves them) or PNG. Either
    /// way they are served from the file service's address, another host than the API's, as
    /// the real results are (`files.evolink.ai`).
    pub result_format: crate::images::ResultFormat,
    /// Serve both addresses over HTTPS with this certificate (`None`: plain http). Clients of
    /// a [`SandboxTls::self_signed`](crate::SandboxTls::self_signed) one trust its CA;
    /// `SandboxHandle::client_config` does.
    pub tls: Option<crate::tls::SandboxTls>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: None,
            time_scale: 0.05,
            estimated_time_secs: 45,
            link_ttl: Duration::from_secs(24 * 60 * 60),
            task_ttl: Duration::from_secs(25 * 60 * 60),
            max_tasks: DEFAULT_MAX_TASKS,
            rate_limit_per_sec: None,
            max_body_bytes: 1024 * 1024,
            slow_delay: Duration::from_secs(30),
            allow_insecure_callbacks: false,
            dns_overrides: Vec::new(),
            callback_timeout: Duration::from_secs(10),
            faults: Vec::new(),
            initial_credits: 1000.0,
            files_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            upload_ttl: Duration::from_secs(72 * 60 * 60),
            upload_quota: None,
            upload_disk_limit: DEFAULT_UPLOAD_DISK_LIMIT,
            max_uploads: DEFAULT_MAX_UPLOADS,
            fetch_remote_files: false,
            result_format: crate::images::ResultFormat::default(),
            tls: None,
        }
    }
}

/// The default [`SandboxConfig::upload_disk_limit`]: 2 GiB.
pub const DEFAULT_UPLOAD_DISK_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// The default [`SandboxConfig::max_uploads`].
pub const DEFAULT_MAX_UPLOADS: usize = 20_000;

/// The default [`SandboxConfig::max_tasks`].
pub const DEFAULT_MAX_TASKS: usize = 50_000;

impl SandboxConfig {
    /// The `estimated_time` the sandbox reports: the real seconds its tasks take, rounded, so a
    /// client that schedules polls from the estimate (as the SDK does) is not misled by the
    /// time scale.
    pub fn reported_estimate_secs(&self) -> u64 {
        self.task_duration().as_secs_f64().round() as u64
    }

    /// How long a task runs in real time.
    pub fn task_duration(&self) -> Duration {
        Duration::from_secs(self.estimated_time_secs).mul_f64(self.time_scale.max(0.0))
    }
}
