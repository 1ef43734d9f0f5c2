//! Plain accessors for the credits answer, whose every level is optional on the wire.

use crate::generated::types::CreditsResponse;

impl CreditsResponse {
    /// The account's remaining credits (`data.user.remaining_credits`), when sent.
    ///
    /// ```
    /// let answer: nanobanana_api::types::CreditsResponse = serde_json::from_str(
    ///     r#"{"data": {"user": {"remaining_credits": 1095.4}, "token": {"remaining_credits": 12.5}}}"#,
    /// )
    /// .unwrap();
    /// assert_eq!(answer.account_remaining(), Some(1095.4));
    /// assert_eq!(answer.key_remaining(), Some(12.5));
    /// ```
    pub fn account_remaining(&self) -> Option<f64> {
        self.data.user.as_ref()?.remaining_credits
    }

    /// What this API key may still spend (`data.token.remaining_credits`); `None` when not
    /// sent, or when the key has no limit of its own ([`key_unlimited`](Self::key_unlimited)).
    pub fn key_remaining(&self) -> Option<f64> {
        if self.key_unlimited() {
            return None;
        }
        self.data.token.as_ref()?.remaining_credits
    }

    /// Whether this API key has no spending limit of its own (`data.token.unlimited_credits`).
    pub fn key_unlimited(&self) -> bool {
        self.data
            .token
            .as_ref()
            .and_then(|t| t.unlimited_credits)
            .unwrap_or(false)
    }
}
