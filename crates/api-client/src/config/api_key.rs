//! The API key, kept out of every `Debug` and `Display` output.

use std::fmt;

use reqwest::header::HeaderValue;

/// Why [`ApiKey::new`] refused a key (the key is not repeated). A client's configuration
/// reports it as [`ConfigError::EmptyApiKey`](crate::config::ConfigError::EmptyApiKey) or
/// [`ConfigError::MalformedApiKey`](crate::config::ConfigError::MalformedApiKey).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyError {
    /// The key is empty or only whitespace.
    #[error("the API key is empty: pass the key from https://evolink.ai/dashboard/keys")]
    Empty,
    /// The key holds characters an HTTP header cannot carry.
    #[error(
        "the API key contains spaces, control or non-ASCII characters: check it was copied whole"
    )]
    Malformed,
}

/// An Evolink API key. Its `Debug` output is redacted and it has no `Display`, so it cannot end
/// up in logs or error messages by accident.
///
/// Every generated [`Client`](crate::raw::Client) holds one and adds it to each request it sends
/// (to its own base URL only), so the `reqwest::Client` underneath needs no credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    key: String,
    /// `Bearer <key>`, built once: it is sent with every request.
    bearer: HeaderValue,
}

impl ApiKey {
    /// Wraps `key` after checking it can be sent in an HTTP header.
    ///
    /// Surrounding whitespace (a pasted newline) is trimmed; an empty key, or one with control
    /// or non-ASCII characters, is an error that does not repeat the key.
    pub fn new(key: impl Into<String>) -> Result<Self, ApiKeyError> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(ApiKeyError::Empty);
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiKeyError::Malformed);
        }
        let mut bearer = HeaderValue::from_str(&format!("Bearer {trimmed}"))
            .expect("only visible ASCII is admitted, which is a valid header value");
        bearer.set_sensitive(true);
        Ok(Self {
            key: trimmed.to_string(),
            bearer,
        })
    }

    /// The `Authorization: Bearer …` header value, marked sensitive so that reqwest and
    /// `http` redact it in their own `Debug` output.
    pub(crate) fn bearer_header(&self) -> &HeaderValue {
        &self.bearer
    }

    /// The key itself, for callers that must hand it to another tool. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiKey, ApiKeyError};

    #[test]
    fn debug_output_is_redacted() {
        let key = ApiKey::new("sk-very-secret").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
    }

    #[test]
    fn header_value_is_bearer_and_sensitive() {
        let key = ApiKey::new("sk-1").unwrap();
        let header = key.bearer_header();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Bearer sk-1");
        assert!(!format!("{header:?}").contains("sk-1"));
    }

    #[test]
    fn pasted_newline_is_trimmed() {
        assert_eq!(ApiKey::new("sk-1\n").unwrap().expose_secret(), "sk-1");
    }

    #[test]
    fn empty_and_malformed_keys_are_rejected_without_echoing_them() {
        assert_eq!(ApiKey::new("  "), Err(ApiKeyError::Empty));
        let err = ApiKey::new("sk-abc\u{7f}def").unwrap_err();
        assert_eq!(err, ApiKeyError::Malformed);
        assert!(!err.to_string().contains("sk-abc"));
    }
}
