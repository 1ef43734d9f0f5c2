//! [`RetryPolicy`]: how failed calls are retried (attempts, exponential backoff with jitter,
//! resending creates whose outcome is unknown). The loop that follows it is beside the code
//! that sends requests, in `transport.rs`.

use std::time::Duration;

/// How failed calls are retried.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: usize,
    /// The first backoff delay; it doubles on each retry.
    pub initial_delay: Duration,
    /// The longest wait between attempts. A server asking for longer (`Retry-After`) ends the
    /// retries with the error, which carries the requested wait.
    pub max_delay: Duration,
    /// Randomize delays so that many clients do not retry in step.
    pub jitter: bool,
    /// Resend a create whose outcome is unknown (a timeout after sending, a connection closed
    /// before the answer, the service's `paid_outcome_unknown`) with the same `Idempotency-Key`,
    /// within `max_attempts` (default: on). The service answers such a resend with the task the
    /// first submission created, so nothing is paid twice. Turn it off only for a gateway that
    /// ignores `Idempotency-Key`: there a resend may create, and bill, a second task; off, such
    /// a create fails and whether a task exists is unknown.
    pub resend_unknown_creates: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            jitter: true,
            resend_unknown_creates: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (1 = never retry).
    ///
    /// ```
    /// use std::time::Duration;
    /// use nanobanana_api::config::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default()
    ///     .with_max_attempts(6)
    ///     .with_initial_delay(Duration::from_millis(200))
    ///     .with_max_delay(Duration::from_secs(10))
    ///     .with_jitter(false);
    /// assert_eq!(policy.max_attempts, 6);
    /// ```
    pub fn with_max_attempts(mut self, attempts: usize) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff delay; it doubles on each retry.
    pub fn with_initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest wait between attempts.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether delays are randomized (default: yes).
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Whether a create whose outcome is unknown is resent with its `Idempotency-Key`
    /// (default: yes; see [`resend_unknown_creates`](Self::resend_unknown_creates) for the risk
    /// of turning it off, and of leaving it on with a gateway that ignores keys).
    pub fn with_resend_unknown_creates(mut self, resend: bool) -> Self {
        self.resend_unknown_creates = resend;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_means_one_attempt_and_nothing_else_changes() {
        let never = RetryPolicy::never();
        assert_eq!(never.max_attempts, 1);
        assert_eq!(
            RetryPolicy {
                max_attempts: 4,
                ..never
            },
            RetryPolicy::default()
        );
    }
}
