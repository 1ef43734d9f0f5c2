//! Configuration: [`ClientConfig`] (the key, the addresses, timeouts, retries, polling, TLS),
//! the environment variables it reads, and what can be wrong with them.

pub(crate) mod api_key;
pub(crate) mod client_config;
pub(crate) mod error;
pub(crate) mod poll;
pub(crate) mod request_hooks;
pub(crate) mod retry;

pub use api_key::{ApiKey, ApiKeyError};
pub use client_config::{
    ClientConfig, ALLOW_INSECURE_HTTP_VAR, API_KEY_VAR, BASE_URL_VAR, CA_CERT_VAR,
    DEFAULT_BASE_URL, DEFAULT_FILES_BASE_URL, FILES_BASE_URL_VAR, USER_AGENT,
};
pub use error::{ConfigError, HttpClientSetting};
pub use poll::PollSchedule;
pub use retry::RetryPolicy;
