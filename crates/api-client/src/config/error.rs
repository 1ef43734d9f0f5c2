//! Errors in building a client: they say what to change, and never repeat the key.

use crate::config::api_key::ApiKeyError;
use crate::error::hint::Hint;

/// Why a [`Client`](crate::raw::Client) could not be built from a [`ClientConfig`](crate::config::ClientConfig).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key in the environment.
    #[error("no API key: {}", Hint::SetApiKey { variable })]
    MissingApiKey {
        /// The variable that was read.
        variable: &'static str,
    },
    /// The key given is empty or only whitespace.
    #[error("{}", ApiKeyError::Empty)]
    EmptyApiKey,
    /// The key holds characters an HTTP header cannot carry (the key is not repeated here).
    #[error("{}", ApiKeyError::Malformed)]
    MalformedApiKey,
    /// A base URL is not an absolute http(s) URL.
    #[error("invalid {which} {url:?}: {reason} (expected e.g. {example}; set with {set_by})")]
    InvalidBaseUrl {
        /// Which address: "API base URL" or "file service base URL".
        which: &'static str,
        /// Where it is set: the environment variable (and the CLI flag).
        set_by: &'static str,
        /// A correct value, the production address.
        example: &'static str,
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A CA certificate to trust could not be read.
    #[error("cannot use the CA certificate{}: {reason} (expected a PEM file: -----BEGIN CERTIFICATE-----; {})", .path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default(), Hint::SetCaCertificate)]
    RootCertificate {
        /// The file, when read from one.
        path: Option<std::path::PathBuf>,
        /// What is wrong.
        reason: String,
    },
    /// A plain-http base URL on another machine: the key would cross the network unencrypted.
    #[error(
        "refusing to send the API key over plain http to {url} ({which}): {}",
        Hint::AllowInsecureHttp
    )]
    InsecureHttp {
        /// Which address: "API base URL" or "file service base URL".
        which: &'static str,
        /// The URL as configured.
        url: String,
    },
    /// A setting for the HTTP client this SDK builds, beside your own client
    /// ([`ClientConfig::with_http_client`](crate::config::ClientConfig::with_http_client)), which this
    /// SDK does not change.
    #[error("{setting} is set, but requests go through your own reqwest::Client (ClientConfig::with_http_client), which this SDK does not change: {}", setting.remedy())]
    HttpClientConflict {
        /// The setting that cannot be applied.
        setting: HttpClientSetting,
    },
    /// reqwest could not build its HTTP client (e.g. no TLS backend).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl ConfigError {
    /// What to do next, when the message says it with a [`Hint`].
    pub(crate) fn hint(&self) -> Option<Hint> {
        match self {
            Self::MissingApiKey { variable } => Some(Hint::SetApiKey { variable }),
            Self::RootCertificate { .. } => Some(Hint::SetCaCertificate),
            Self::InsecureHttp { .. } => Some(Hint::AllowInsecureHttp),
            _ => None,
        }
    }
}

/// A key refused by [`ApiKey::new`](crate::config::ApiKey::new), as a setting of the client.
impl From<ApiKeyError> for ConfigError {
    fn from(refused: ApiKeyError) -> Self {
        match refused {
            ApiKeyError::Empty => Self::EmptyApiKey,
            ApiKeyError::Malformed => Self::MalformedApiKey,
        }
    }
}

/// A [`ClientConfig`](crate::config::ClientConfig) setting that applies to the HTTP client the SDK
/// builds, and so not to a caller's own (see [`ConfigError::HttpClientConflict`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpClientSetting {
    /// A CA to trust: `EVOLINK_CA_CERT` or `ClientConfig::with_root_certificate[_file]`.
    RootCertificate,
    /// `ClientConfig::with_http_settings`.
    HttpSettings,
}

impl HttpClientSetting {
    /// How to get what the setting asked for with a client of one's own.
    fn remedy(self) -> &'static str {
        match self {
            Self::RootCertificate => {
                "add the CA to your client with reqwest::ClientBuilder::add_root_certificate \
                 and unset EVOLINK_CA_CERT, or let the SDK build the client"
            }
            Self::HttpSettings => {
                "apply those settings to your client's builder and drop with_http_settings"
            }
        }
    }
}

impl std::fmt::Display for HttpClientSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RootCertificate => {
                "a CA certificate to trust (EVOLINK_CA_CERT or ClientConfig::with_root_certificate)"
            }
            Self::HttpSettings => "ClientConfig::with_http_settings",
        })
    }
}
