//! Client configuration: key, base URL and HTTP timeouts, from code or from the environment.

use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::api_key::ApiKey;
use crate::config::error::{ConfigError, HttpClientSetting};
use crate::config::poll::PollSchedule;
use crate::config::retry::RetryPolicy;
use crate::generated::Client;

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
/// The environment variable naming a PEM file of CA certificates to trust beside the system's
/// (a private CA, a TLS-inspecting proxy, a sandbox started with `--tls`).
pub const CA_CERT_VAR: &str = "EVOLINK_CA_CERT";
/// The environment variable that, set to `1`, allows sending the key over plain http to a host
/// other than this machine (a trusted private network).
pub const ALLOW_INSECURE_HTTP_VAR: &str = "EVOLINK_ALLOW_INSECURE_HTTP";
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
    /// PEM bundles of CAs to trust, each checked when added.
    root_certificates: Vec<Vec<u8>>,
    allow_insecure_http: bool,
    http_settings: Option<HttpSettings>,
    /// The caller's own HTTP client, used as it is for every request.
    http_client: Option<CallersClient>,
}

/// The caller's own HTTP client. reqwest keeps a client's shared state behind locks that a
/// panic elsewhere cannot leave half-changed, so a configuration holding one stays
/// unwind-safe, as it was before it could hold one.
#[derive(Clone, Debug)]
struct CallersClient(reqwest::Client);

impl UnwindSafe for CallersClient {}
impl RefUnwindSafe for CallersClient {}

/// The caller's own settings for the HTTP clients (proxies, resolvers, TLS options).
#[derive(Clone)]
struct HttpSettings(
    Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + RefUnwindSafe>,
);

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpSettings(..)")
    }
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
            root_certificates: Vec::new(),
            allow_insecure_http: false,
            http_settings: None,
            http_client: None,
        })
    }

    /// Reads `EVOLINK_API_KEY` (required), `EVOLINK_BASE_URL`, `EVOLINK_FILES_BASE_URL`,
    /// `EVOLINK_CA_CERT` and `EVOLINK_ALLOW_INSECURE_HTTP` (optional).
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
        config.with_transport_from_lookup(lookup)
    }

    /// Applies `EVOLINK_CA_CERT` (a PEM file of CAs to trust) and `EVOLINK_ALLOW_INSECURE_HTTP=1`
    /// as `lookup` gives them (e.g. `|name| std::env::var(name).ok()`).
    pub fn with_transport_from_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        if let Some(path) = lookup(CA_CERT_VAR).filter(|p| !p.trim().is_empty()) {
            self = self.with_root_certificate_file(path.trim())?;
        }
        if lookup(ALLOW_INSECURE_HTTP_VAR).is_some_and(|v| v.trim() == "1") {
            self = self.allow_insecure_http();
        }
        Ok(self)
    }

    /// Trusts the CA certificates in `pem` (one or more) beside the system's, for the API,
    /// the file service and result downloads: a private CA, a TLS-inspecting proxy, or a
    /// sandbox serving HTTPS with its own CA.
    pub fn with_root_certificate(mut self, pem: &[u8]) -> Result<Self, ConfigError> {
        let refused = |reason: String| ConfigError::RootCertificate { path: None, reason };
        if certificates(pem).map_err(refused)?.is_empty() {
            return Err(refused("no PEM certificate in it".into()));
        }
        self.root_certificates.push(pem.to_vec());
        Ok(self)
    }

    /// [`with_root_certificate`](Self::with_root_certificate) from a PEM file.
    pub fn with_root_certificate_file(self, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let with_path = |reason: String| ConfigError::RootCertificate {
            path: Some(path.to_path_buf()),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| with_path(e.to_string()))?;
        self.with_root_certificate(&pem).map_err(|e| match e {
            ConfigError::RootCertificate { reason, .. } => with_path(reason),
            other => other,
        })
    }

    /// Allows a plain-http base URL on another host than this machine. Without it, such a URL
    /// is refused when the client is built: the key would cross the network readable by anyone
    /// on the path. Loopback addresses (a local sandbox) are always allowed.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// The caller's own settings for every HTTP client this configuration builds (proxies,
    /// DNS resolution, TLS options, …), applied after the SDK's own (key, timeouts, user
    /// agent, trusted CAs). Proxies from `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` apply by
    /// default without this.
    ///
    /// ```
    /// # fn run() -> Result<(), nanobanana_api::config::ConfigError> {
    /// use nanobanana_api::config::ClientConfig;
    /// let config = ClientConfig::new("sk-...")?
    ///     .with_http_settings(|builder| builder.tcp_nodelay(true).https_only(true));
    /// # Ok(()) }
    /// ```
    pub fn with_http_settings(
        mut self,
        settings: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder
            + Send
            + Sync
            + RefUnwindSafe
            + 'static,
    ) -> Self {
        self.http_settings = Some(HttpSettings(Arc::new(settings)));
        self
    }

    /// Sends every request (API, file service, result downloads) through `client`, as it is:
    /// your connection pool, proxies, TLS setup, DNS and socket options. The key is added to
    /// each request to the API and the file service only, never to the client's defaults, so
    /// result downloads through the same client do not carry it.
    ///
    /// The client's own timeouts apply instead of this configuration's (give it a connect
    /// timeout, and an overall timeout long enough for image downloads, or none). Settings this
    /// SDK would have to apply to the client it builds ([`with_root_certificate`](Self::with_root_certificate),
    /// `EVOLINK_CA_CERT`, [`with_http_settings`](Self::with_http_settings)) cannot reach a
    /// client you built: [`build`](Self::build) refuses them with
    /// [`ConfigError::HttpClientConflict`] rather than ignore them.
    ///
    /// ```
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use nanobanana_api::{config::ClientConfig, NanoBanana};
    /// let http = reqwest::Client::builder()
    ///     .connect_timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// let client = NanoBanana::new(&ClientConfig::new("sk-...")?.with_http_client(http))?;
    /// # Ok(()) }
    /// ```
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(CallersClient(client));
        self
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
        self.check_transport(&self.base_url, &API_HOST)?;
        Ok(Client::new_with_client(
            &self.base_url,
            self.api_http_client()?,
            self.api_key.clone(),
        ))
    }

    /// Builds a client for the file service: the same generated [`Client`] type (one spec),
    /// with the file service's base URL, for `upload_file_url` and the hand-written
    /// `upload_file_stream`. progenitor ignores the spec's per-operation `servers`, so the
    /// host is chosen here.
    pub fn build_files(&self) -> Result<Client, ConfigError> {
        self.check_transport(&self.files_base_url, &FILES_HOST)?;
        Ok(Client::new_with_client(
            &self.files_base_url,
            self.api_http_client()?,
            self.api_key.clone(),
        ))
    }

    /// The HTTP client for the API and the file service. It carries no key: the generated
    /// client adds it to each of its own requests (`request_hooks.rs`).
    pub(crate) fn api_http_client(&self) -> Result<reqwest::Client, ConfigError> {
        if let Some(client) = self.callers_http_client()? {
            return Ok(client);
        }
        self.timeouts(reqwest::Client::builder(), self.request_timeout)
            .build()
            .map_err(ConfigError::HttpClient)
    }

    /// The HTTP client for result images (another host, which never sees the key): no overall
    /// timeout (images are large) but a limit on each read, so a stalled transfer fails and
    /// resumes.
    pub(crate) fn download_http_client(&self) -> Result<reqwest::Client, ConfigError> {
        if let Some(client) = self.callers_http_client()? {
            return Ok(client);
        }
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
        for pem in &self.root_certificates {
            // Checked when added: parsing again cannot fail.
            for certificate in certificates(pem).unwrap_or_default() {
                builder = add_root_certificate(builder, certificate);
            }
        }
        match &self.http_settings {
            Some(HttpSettings(settings)) => settings(builder),
            None => builder,
        }
    }

    /// The caller's own client, unless a setting meant for the client this SDK builds is set
    /// too: it could not be applied, and dropping it silently (a CA to trust!) would surprise.
    fn callers_http_client(&self) -> Result<Option<reqwest::Client>, ConfigError> {
        let Some(CallersClient(client)) = &self.http_client else {
            return Ok(None);
        };
        let conflict = if !self.root_certificates.is_empty() {
            Some(HttpClientSetting::RootCertificate)
        } else if self.http_settings.is_some() {
            Some(HttpClientSetting::HttpSettings)
        } else {
            None
        };
        match conflict {
            Some(setting) => Err(ConfigError::HttpClientConflict { setting }),
            None => Ok(Some(client.clone())),
        }
    }

    /// Refuses to send the key over plain http to another machine, unless allowed.
    fn check_transport(&self, url: &str, host: &Host) -> Result<(), ConfigError> {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Ok(());
        };
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        if parsed.scheme() == "http" && !loopback && !self.allow_insecure_http {
            return Err(ConfigError::InsecureHttp {
                which: host.which,
                url: url.to_string(),
            });
        }
        Ok(())
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

#[cfg(any(feature = "native-tls", feature = "rustls"))]
type Certificate = reqwest::Certificate;
/// A build without TLS has no certificates to trust.
#[cfg(not(any(feature = "native-tls", feature = "rustls")))]
type Certificate = std::convert::Infallible;

/// The certificates of a PEM bundle.
fn certificates(pem: &[u8]) -> Result<Vec<Certificate>, String> {
    #[cfg(any(feature = "native-tls", feature = "rustls"))]
    {
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())
    }
    #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
    {
        let _ = pem;
        Err("this build has no TLS: enable the native-tls or rustls feature".into())
    }
}

#[cfg(any(feature = "native-tls", feature = "rustls"))]
fn add_root_certificate(
    builder: reqwest::ClientBuilder,
    certificate: Certificate,
) -> reqwest::ClientBuilder {
    builder.add_root_certificate(certificate)
}

#[cfg(not(any(feature = "native-tls", feature = "rustls")))]
fn add_root_certificate(
    _: reqwest::ClientBuilder,
    certificate: Certificate,
) -> reqwest::ClientBuilder {
    match certificate {}
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

    /// Compiles only while a configuration, whatever it holds, can cross threads and
    /// `catch_unwind` (semver-checks fails a release that drops one of these).
    #[test]
    fn a_configuration_is_send_sync_and_unwind_safe() {
        fn shareable<T: Send + Sync + UnwindSafe + RefUnwindSafe>(_: &T) {}
        let config = ClientConfig::new("sk-1")
            .unwrap()
            .with_http_client(reqwest::Client::new())
            .with_http_settings(|builder| builder);
        shareable(&config);
    }

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

    #[test]
    fn the_key_goes_over_plain_http_only_to_this_machine_unless_allowed() {
        let at = |url: &str| {
            ClientConfig::new("sk-test")
                .unwrap()
                .with_base_url(url)
                .unwrap()
        };
        for local in [
            "http://127.0.0.1:8787",
            "http://localhost:1",
            "http://[::1]:2",
        ] {
            assert!(at(local).build().is_ok(), "{local}");
        }
        let err = at("http://api.example.net").build().unwrap_err();
        assert!(matches!(err, ConfigError::InsecureHttp { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("http://api.example.net"), "{text}");
        assert!(text.contains("EVOLINK_ALLOW_INSECURE_HTTP=1"), "{text}");
        assert!(at("http://api.example.net")
            .allow_insecure_http()
            .build()
            .is_ok());
        assert!(at("https://api.example.net").build().is_ok());
        let files = ClientConfig::new("sk-test")
            .unwrap()
            .with_files_base_url("http://files.example.net")
            .unwrap();
        assert!(matches!(
            files.build_files().unwrap_err(),
            ConfigError::InsecureHttp {
                which: "file service base URL",
                ..
            }
        ));
        let allowed = ClientConfig::from_lookup(lookup(&[
            ("EVOLINK_API_KEY", "sk-test"),
            ("EVOLINK_BASE_URL", "http://api.example.net"),
            ("EVOLINK_ALLOW_INSECURE_HTTP", "1"),
        ]))
        .unwrap();
        assert!(allowed.build().is_ok());
    }

    #[test]
    fn a_ca_that_is_not_pem_is_refused_naming_the_file() {
        let err = ClientConfig::new("sk-test")
            .unwrap()
            .with_root_certificate(b"not a certificate")
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::RootCertificate { path: None, .. }),
            "{err:?}"
        );
        let dir = std::env::temp_dir().join(format!("nb-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ca.pem");
        std::fs::write(
            &file,
            "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = ClientConfig::from_lookup(lookup(&[
            ("EVOLINK_API_KEY", "sk-test"),
            ("EVOLINK_CA_CERT", file.to_str().unwrap()),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ca.pem") && text.contains("PEM"), "{text}");
        let missing = ClientConfig::new("sk-test")
            .unwrap()
            .with_root_certificate_file(dir.join("absent.pem"))
            .unwrap_err();
        assert!(missing.to_string().contains("absent.pem"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
