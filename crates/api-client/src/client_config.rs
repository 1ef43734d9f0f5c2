//! Client configuration: key, base URL and HTTP timeouts, from code or from the environment.

use std::time::Duration;

use reqwest::header::{HeaderMap, AUTHORIZATION};

use crate::api_key::ApiKey;
use crate::config_error::ConfigError;
use crate::retry::RetryPolicy;
use crate::waiting::PollSchedule;
use crate::Client;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.evolink.ai";
/// Evolink's file service, where local images are uploaded (the same key works there).
pub const DEFAULT_FILES_BASE_URL: &str = "https://files-api.evolink.ai";
/// The environment variable holding the API key.
pub const API_KEY_VAR: &str = "EVOLINK_API_KEY";
/// The environment variable that overrides the base URL (e.g. a local sandbox).
pub const BASE_URL_VAR: &str = "EVOLINK_BASE_URL";
/// The environment variable that overrides the file service's base URL.
pub const FILES_BASE_URL_VAR: &str = "EVOLINK_FILES_BASE_URL";
/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("nanobanana/", env!("CARGO_PKG_VERSION"));

/// How to reach the API. Build one with [`ClientConfig::new`] or [`ClientConfig::from_env`],
/// adjust it, and turn it into a [`Client`] with [`ClientConfig::build`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    api_key: ApiKey,
    base_url: String,
    files_base_url: String,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) deadline: Option<Duration>,
    pub(crate) poll: PollSchedule,
}

impl ClientConfig {
    /// A configuration for the production API with `api_key`.
    pub fn new(api_key: impl Into<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            api_key: ApiKey::new(api_key)?,
            base_url: DEFAULT_BASE_URL.to_string(),
            files_base_url: DEFAULT_FILES_BASE_URL.to_string(),
            // progenitor's own default is 15 s, too short for a slow network (spec/SOURCES.md).
            request_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            retry: RetryPolicy::default(),
            deadline: Some(Duration::from_secs(15 * 60)),
            poll: PollSchedule::default(),
        })
    }

    /// Reads `EVOLINK_API_KEY` (required), `EVOLINK_BASE_URL` and `EVOLINK_FILES_BASE_URL`
    /// (optional).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any variable source, so it can be tested without
    /// touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let key = lookup(API_KEY_VAR).filter(|k| !k.trim().is_empty()).ok_or(
            ConfigError::MissingApiKey {
                variable: API_KEY_VAR,
            },
        )?;
        let mut config = Self::new(key)?;
        if let Some(url) = lookup(BASE_URL_VAR).filter(|u| !u.trim().is_empty()) {
            config = config.with_base_url(url.trim())?;
        }
        if let Some(url) = lookup(FILES_BASE_URL_VAR).filter(|u| !u.trim().is_empty()) {
            config = config.with_files_base_url(url.trim())?;
        }
        Ok(config)
    }

    /// Sends requests to `url` instead of the production API, e.g. `http://127.0.0.1:8787`.
    pub fn with_base_url(mut self, url: impl AsRef<str>) -> Result<Self, ConfigError> {
        self.base_url = normalize_base_url(url.as_ref(), &API_HOST)?;
        Ok(self)
    }

    /// Sends uploads to `url` instead of Evolink's file service (`https://files-api.evolink.ai`).
    /// The API key goes there too: set it only to the file service or a local sandbox.
    pub fn with_files_base_url(mut self, url: impl AsRef<str>) -> Result<Self, ConfigError> {
        self.files_base_url = normalize_base_url(url.as_ref(), &FILES_HOST)?;
        Ok(self)
    }

    /// The longest one HTTP request may take, from connecting to reading the body.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// No request, connect or idle-connection timers at all. For tests on tokio's paused
    /// clock, which jumps to the next pending timer whenever the runtime waits for I/O.
    pub fn without_timeouts(mut self) -> Self {
        self.request_timeout = None;
        self.connect_timeout = None;
        self.pool_idle_timeout = None;
        self
    }

    /// The longest connecting may take.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How failed calls are retried (default: 4 attempts, 0.5 s doubling to 60 s, jitter).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest [`NanoBanana::wait`](crate::NanoBanana::wait) (and so `generate`) waits for
    /// a task; `None` waits as long as the task runs. Default 15 minutes.
    pub fn with_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// When task queries are sent while waiting (default: from the task's estimate).
    pub fn with_poll_schedule(mut self, schedule: PollSchedule) -> Self {
        self.poll = schedule;
        self
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The file service's base URL, without a trailing slash.
    pub fn files_base_url(&self) -> &str {
        &self.files_base_url
    }

    /// The API key.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// Builds the client. One `reqwest::Client` (and its connection pool) is created here and
    /// reused by every call.
    pub fn build(&self) -> Result<Client, ConfigError> {
        Ok(Client::new_with_client(
            &self.base_url,
            self.api_http_client()?,
        ))
    }

    /// Builds a client for the file service: the same generated [`Client`] type (one spec),
    /// with the file service's base URL, for `upload_file_url` and the hand-written
    /// `upload_file_stream`. progenitor ignores the spec's per-operation `servers`, so the
    /// host is chosen here.
    pub fn build_files(&self) -> Result<Client, ConfigError> {
        Ok(Client::new_with_client(
            &self.files_base_url,
            self.api_http_client()?,
        ))
    }

    /// The HTTP client for the API: bearer auth on every request.
    pub(crate) fn api_http_client(&self) -> Result<reqwest::Client, ConfigError> {
        let mut headers = HeaderMap::new();
        // A default header goes only to the hosts this client talks to: the API. reqwest drops
        // it on a redirect to another host. Result downloads use a separate client without it.
        headers.insert(AUTHORIZATION, self.api_key.bearer_header());
        self.timeouts(
            reqwest::Client::builder().default_headers(headers),
            self.request_timeout,
        )
        .build()
        .map_err(ConfigError::HttpClient)
    }

    /// The HTTP client for result images: no `Authorization` header (results live on another
    /// host, which must never see the key), no overall timeout (images are large) but a limit
    /// on each read, so a stalled transfer fails and resumes.
    pub(crate) fn download_http_client(&self) -> Result<reqwest::Client, ConfigError> {
        let mut builder = self.timeouts(reqwest::Client::builder(), None);
        if let Some(read) = self.request_timeout {
            builder = builder.read_timeout(read);
        }
        builder.build().map_err(ConfigError::HttpClient)
    }

    fn timeouts(
        &self,
        builder: reqwest::ClientBuilder,
        total: Option<Duration>,
    ) -> reqwest::ClientBuilder {
        let mut builder = builder
            .user_agent(USER_AGENT)
            .pool_idle_timeout(self.pool_idle_timeout);
        if let Some(total) = total {
            builder = builder.timeout(total);
        }
        if let Some(connect) = self.connect_timeout {
            builder = builder.connect_timeout(connect);
        }
        builder
    }
}

impl Client {
    /// A client for the production API with `api_key` and default settings.
    pub fn with_api_key(api_key: impl Into<String>) -> Result<Self, ConfigError> {
        ClientConfig::new(api_key)?.build()
    }

    /// A client configured from `EVOLINK_API_KEY` and `EVOLINK_BASE_URL`.
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientConfig::from_env()?.build()
    }
}

/// One of the two addresses a client talks to, as messages name it.
struct Host {
    which: &'static str,
    set_by: &'static str,
    example: &'static str,
}

const API_HOST: Host = Host {
    which: "API base URL",
    set_by: "EVOLINK_BASE_URL or --base-url",
    example: DEFAULT_BASE_URL,
};

const FILES_HOST: Host = Host {
    which: "file service base URL",
    set_by: "EVOLINK_FILES_BASE_URL or --files-base-url",
    example: DEFAULT_FILES_BASE_URL,
};

fn normalize_base_url(raw: &str, host: &Host) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        which: host.which,
        set_by: host.set_by,
        example: host.example,
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = reqwest::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials belong in the API key, not the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    // The generated client appends `/v1/...` to the base URL as a string.
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn missing_key_names_the_variable_to_set() {
        let err = ClientConfig::from_lookup(lookup(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::MissingApiKey { variable } if variable == API_KEY_VAR));
        assert!(err.to_string().contains("EVOLINK_API_KEY"), "{err}");
    }

    #[test]
    fn blank_key_counts_as_missing() {
        let err = ClientConfig::from_lookup(lookup(&[(API_KEY_VAR, " ")])).unwrap_err();
        assert!(matches!(err, ConfigError::MissingApiKey { .. }));
    }

    #[test]
    fn env_gives_key_and_default_base_url() {
        let config = ClientConfig::from_lookup(lookup(&[(API_KEY_VAR, "sk-1")])).unwrap();
        assert_eq!(config.api_key().expose_secret(), "sk-1");
        assert_eq!(config.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn env_base_url_overrides_and_loses_its_trailing_slash() {
        let vars = [
            (API_KEY_VAR, "sk-1"),
            (BASE_URL_VAR, "http://127.0.0.1:8787/"),
        ];
        let config = ClientConfig::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(config.base_url(), "http://127.0.0.1:8787");
        assert_eq!(config.files_base_url(), DEFAULT_FILES_BASE_URL);
    }

    #[test]
    fn env_files_base_url_overrides_the_file_service() {
        let vars = [
            (API_KEY_VAR, "sk-1"),
            (FILES_BASE_URL_VAR, "http://127.0.0.1:8788/"),
        ];
        let config = ClientConfig::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(config.base_url(), DEFAULT_BASE_URL);
        assert_eq!(config.files_base_url(), "http://127.0.0.1:8788");
    }

    #[test]
    fn a_base_url_with_a_path_stem_keeps_it() {
        let config = ClientConfig::new("k")
            .unwrap()
            .with_base_url("https://proxy.example/evolink/")
            .unwrap();
        assert_eq!(config.base_url(), "https://proxy.example/evolink");
    }

    #[test]
    fn bad_base_urls_are_rejected_with_the_reason() {
        for (url, reason) in [
            ("api.evolink.ai", "relative URL"),
            ("ftp://api.evolink.ai", "scheme"),
            ("https://user:pw@api.evolink.ai", "credentials"),
            ("https://api.evolink.ai/?x=1", "query"),
        ] {
            let err = ClientConfig::new("k")
                .unwrap()
                .with_base_url(url)
                .unwrap_err();
            let text = err.to_string();
            assert!(text.contains(reason), "{url}: {text}");
        }
    }

    #[test]
    fn debug_of_config_and_client_never_shows_the_key() {
        let secret = "sk-live-0123456789abcdef";
        let config = ClientConfig::new(secret).unwrap();
        let client = config.build().unwrap();
        for text in [format!("{config:?}"), format!("{client:?}")] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(format!("{config:?}").contains("<redacted>"));
    }
}
