//! Where commands send requests: the API (or a sandbox) named by the environment and flags,
//! or, with no key and no base URL, a sandbox started in this process.

use std::time::Duration;

use nanobanana_api::{
    config::ClientConfig, config::RetryPolicy, config::API_KEY_VAR, config::DEFAULT_BASE_URL,
    config::DEFAULT_FILES_BASE_URL, Error, NanoBanana,
};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use crate::error::CliError;
use crate::settings::Settings;

/// Overrides the embedded sandbox's time scale (tests make it fast).
pub const SANDBOX_TIME_SCALE_VAR: &str = "NANOBANANA_SANDBOX_TIME_SCALE";

/// A client, and the embedded sandbox it talks to if there is one (kept alive with it).
pub struct Connection {
    /// The SDK client.
    pub client: NanoBanana,
    /// The in-process sandbox, when no API key was set.
    pub sandbox: Option<SandboxHandle>,
    /// Where API calls go, for messages.
    pub base_url: String,
    /// Where uploads go, for messages.
    pub files_base_url: String,
    /// How long each answer is awaited (`--timeout`), and one-answer queries in all.
    pub timeout: Duration,
}

/// Where to send requests, from the flags and environment (`None`: Evolink's own hosts).
#[derive(Clone, Copy, Debug, Default)]
pub struct Hosts<'a> {
    /// The API (`--base-url`, `EVOLINK_BASE_URL`).
    pub base_url: Option<&'a str>,
    /// The file service (`--files-base-url`, `EVOLINK_FILES_BASE_URL`).
    pub files_base_url: Option<&'a str>,
}

/// Connects to `hosts` (or the production services) with `EVOLINK_API_KEY`; with neither a
/// key nor a base URL and `allow_embedded`, starts an in-process sandbox (API and file service).
pub async fn connect(settings: &Settings, allow_embedded: bool) -> Result<Connection, CliError> {
    let hosts = Hosts {
        base_url: settings.base_url.as_deref(),
        files_base_url: settings.files_base_url.as_deref(),
    };
    let key = std::env::var(API_KEY_VAR)
        .ok()
        .filter(|k| !k.trim().is_empty());
    let mut policy = RetryPolicy::default();
    policy.max_attempts = settings.retries + 1;
    let timeout = settings.timeout;
    match (key, hosts.base_url) {
        (None, None) if allow_embedded => {
            let scale = std::env::var(SANDBOX_TIME_SCALE_VAR)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(SandboxConfig::default().time_scale);
            let sandbox = Sandbox::start(SandboxConfig {
                time_scale: scale,
                ..SandboxConfig::default()
            })
            .await
            .map_err(|source| CliError::CannotListen {
                address: "127.0.0.1 (the local sandbox this command starts without EVOLINK_API_KEY; set it to use the real API)".into(),
                source,
            })?;
            crate::output::note!(
                "note: {API_KEY_VAR} is not set, so this runs against a local sandbox at {} (placeholder \
                 images made on this machine, no network, no credits). To use the real API: export \
                 {API_KEY_VAR}=<key from https://evolink.ai/dashboard/keys>",
                sandbox.base_url()
            );
            let config = sandbox
                .client_config("sandbox")?
                .with_retry_policy(policy)
                .with_request_timeout(timeout);
            Ok(Connection {
                client: NanoBanana::new(&config)?,
                base_url: sandbox.base_url().to_string(),
                files_base_url: sandbox.files_base_url().to_string(),
                sandbox: Some(sandbox),
                timeout,
            })
        }
        (None, _) => Err(CliError::Api(Error::Config(
            nanobanana_api::config::ConfigError::MissingApiKey {
                variable: API_KEY_VAR,
            },
        ))),
        (Some(key), base_url) => {
            let mut config = ClientConfig::new(key)?
                .with_retry_policy(policy)
                .with_request_timeout(timeout)
                .with_deadline(Some(Duration::from_secs(30 * 60)))
                .with_transport_from_lookup(|name| std::env::var(name).ok())?;
            if let Some(url) = base_url {
                config = config.with_base_url(url)?;
            }
            if let Some(url) = hosts.files_base_url {
                config = config.with_files_base_url(url)?;
            }
            Ok(Connection {
                client: NanoBanana::new(&config)?,
                base_url: base_url.unwrap_or(DEFAULT_BASE_URL).to_string(),
                files_base_url: hosts
                    .files_base_url
                    .unwrap_or(DEFAULT_FILES_BASE_URL)
                    .to_string(),
                sandbox: None,
                timeout,
            })
        }
    }
}

impl Connection {
    /// Runs a one-answer query (`task get`, `credits`, `files quota`): retries included, it
    /// ends within `--timeout`, and says what it waits for once the wait is noticeable.
    pub async fn query<T>(
        &self,
        what: &str,
        from: &str,
        call: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, CliError> {
        let _notice = crate::notices::SlowNotice::start(what, from, self.timeout.as_secs());
        match tokio::time::timeout(self.timeout, call).await {
            Ok(answer) => Ok(answer?),
            Err(_) => Err(CliError::NoAnswer {
                what: what.to_string(),
                from: from.to_string(),
                secs: self.timeout.as_secs(),
            }),
        }
    }
}
