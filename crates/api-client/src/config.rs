//! Where the client's settings come from: the environment variables it reads, the default
//! addresses, the API key, and what can be wrong with them. [`ClientConfig`](crate::ClientConfig)
//! holds the settings.

pub use crate::api_key::ApiKey;
pub use crate::client_config::{
    ALLOW_INSECURE_HTTP_VAR, API_KEY_VAR, BASE_URL_VAR, CA_CERT_VAR, DEFAULT_BASE_URL,
    DEFAULT_FILES_BASE_URL, FILES_BASE_URL_VAR, USER_AGENT,
};
pub use crate::config_error::{ConfigError, HttpClientSetting};
