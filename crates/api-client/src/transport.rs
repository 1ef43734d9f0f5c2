//! Sending with retries: the loop that follows a [`RetryPolicy`] (exponential backoff with
//! jitter, by `backon`, and the wait the server asked for), and one rate-limit gate shared by
//! every call of a client so that a 429 slows the whole client down rather than each request
//! backing off on its own. The client's calls go through it ([`NanoBanana`]'s `send_retried`,
//! uploads, file deletes).
//!
//! [`NanoBanana`]: crate::NanoBanana

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::time::Instant;

use crate::config::retry::RetryPolicy;
use crate::error::{Error, Operation};

/// `policy` as `backon`'s exponential backoff.
fn backoff(policy: &RetryPolicy) -> ExponentialBuilder {
    let builder = ExponentialBuilder::default()
        .with_min_delay(policy.initial_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_attempts.saturating_sub(1));
    if policy.jitter {
        builder.with_jitter()
    } else {
        builder
    }
}

/// The earliest moment the next request of a client may be sent, pushed back by 429s.
#[derive(Clone, Debug, Default)]
pub(crate) struct RateLimitGate {
    not_before: Arc<Mutex<Option<Instant>>>,
}

impl RateLimitGate {
    /// Waits until the gate is open.
    pub(crate) async fn wait_turn(&self) {
        loop {
            let until = *self.not_before.lock().expect("gate lock");
            match until {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => return,
            }
        }
    }

    /// Keeps the gate closed for at least `delay` from now.
    pub(crate) fn hold_for(&self, delay: Duration) {
        let at = Instant::now() + delay;
        let mut guard = self.not_before.lock().expect("gate lock");
        if guard.is_none_or(|current| current < at) {
            *guard = Some(at);
        }
    }
}

/// Runs `call` with `policy`'s retries, for `operation`'s notion of a safe retry;
/// `on_retry(failed_attempt, delay, error)` hears of each retry before its wait.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    gate: &RateLimitGate,
    operation: Operation,
    on_retry: impl Fn(usize, Duration, &Error),
    mut call: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let attempt = AtomicUsize::new(1);
    let max_delay = policy.max_delay;
    let max_attempts = policy.max_attempts;
    let resend_unknown = policy.resend_unknown_creates && operation == Operation::CreateTask;
    let gated = || {
        let fut = call();
        async move {
            gate.wait_turn().await;
            fut.await
        }
    };
    gated
        .retry(backoff(policy))
        .sleep(tokio::time::sleep)
        .when(|e: &Error| e.is_retryable(operation) || (resend_unknown && e.outcome_unknown()))
        .adjust(|e: &Error, backoff: Option<Duration>| {
            // Out of attempts: stop, whatever the server asked for.
            let backoff = backoff?;
            let delay = match e.retry_after() {
                Some(asked) if asked > max_delay => return None,
                Some(asked) => asked,
                None => backoff,
            };
            if matches!(e, Error::RateLimited(_)) {
                gate.hold_for(delay);
            }
            Some(delay)
        })
        .notify(|e: &Error, delay: Duration| {
            let n = attempt.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                operation = operation.name(),
                retry = n,
                of = max_attempts.saturating_sub(1),
                delay_ms = delay.as_millis() as u64,
                error = %e,
                "retrying",
            );
            on_retry(n, delay, e);
        })
        .await
}

/// The wait the server asked for: the `Retry-After` header (seconds or an HTTP date), else a
/// "retry after N seconds" in the error's fallback suggestion.
pub fn retry_after(headers: &HeaderMap, suggestion: Option<&str>) -> Option<Duration> {
    let header = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let v = v.trim();
            v.parse::<u64>().ok().map(Duration::from_secs).or_else(|| {
                let at = httpdate::parse_http_date(v).ok()?;
                Some(at.duration_since(SystemTime::now()).unwrap_or_default())
            })
        });
    header.or_else(|| suggestion.and_then(suggested_wait))
}

/// "retry after 60 seconds" → 60 s; also minutes.
fn suggested_wait(suggestion: &str) -> Option<Duration> {
    let lower = suggestion.to_ascii_lowercase();
    let rest = lower.split("retry after").nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: u64 = digits.parse().ok()?;
    let unit = rest[digits.len()..].trim_start();
    if unit.starts_with("min") {
        Some(Duration::from_secs(n.saturating_mul(60)))
    } else if unit.starts_with("ms") || unit.starts_with("milli") {
        Some(Duration::from_millis(n))
    } else {
        Some(Duration::from_secs(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use reqwest::header::HeaderValue;

    #[test]
    fn header_seconds_win_over_the_suggestion() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            retry_after(&headers, Some("retry after 60 seconds")),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn an_http_date_in_the_past_means_now() {
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers, None), Some(Duration::ZERO));
    }

    #[test]
    fn suggestions_in_seconds_and_minutes() {
        let none = HeaderMap::new();
        assert_eq!(
            retry_after(&none, Some("retry after 60 seconds")),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after(&none, Some("Retry after 2 minutes")),
            Some(Duration::from_secs(120))
        );
        assert_eq!(retry_after(&none, Some("try different model")), None);
        assert_eq!(retry_after(&none, None), None);
    }

    #[test]
    fn suggestions_in_milliseconds_by_either_spelling() {
        let none = HeaderMap::new();
        assert_eq!(
            retry_after(&none, Some("retry after 500 ms")),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(&none, Some("retry after 250 milliseconds")),
            Some(Duration::from_millis(250))
        );
    }

    /// A 429 that asked for `asked`, as the classifier builds it.
    fn rate_limited(asked: Option<Duration>) -> Error {
        Error::RateLimited(Box::new(ApiError {
            operation: Operation::GetTask,
            status: 429,
            error_type: Some("rate_limit_error".into()),
            code: None,
            message: None,
            param: None,
            fallback_suggestion: None,
            retry_after: asked,
            request_id: None,
            server: None,
            detail: Default::default(),
        }))
    }

    /// Runs `with_retries` on a call failing with `error()` every time: the calls made and the
    /// time it took (paused clock).
    async fn always_failing(policy: &RetryPolicy, error: fn() -> Error) -> (usize, Duration) {
        let calls = AtomicUsize::new(0);
        let start = Instant::now();
        let outcome: Result<(), Error> = with_retries(
            policy,
            &RateLimitGate::default(),
            Operation::GetTask,
            |_, _, _| {},
            || {
                calls.fetch_add(1, Ordering::Relaxed);
                async move { Err(error()) }
            },
        )
        .await;
        assert!(outcome.is_err());
        (calls.into_inner(), start.elapsed())
    }

    fn exact(max_attempts: usize) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
            jitter: false,
            resend_unknown_creates: true,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_follow_the_policy_doubling_from_the_initial_delay() {
        let (calls, took) = always_failing(&exact(3), || rate_limited(None)).await;
        assert_eq!((calls, took), (3, Duration::from_secs(1 + 2)));
        let (calls, took) = always_failing(&RetryPolicy::never(), || rate_limited(None)).await;
        assert_eq!((calls, took), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_requested_wait_up_to_the_longest_delay_is_honoured_and_a_longer_one_ends() {
        let at_most = || rate_limited(Some(Duration::from_secs(5)));
        assert_eq!(
            always_failing(&exact(2), at_most).await,
            (2, Duration::from_secs(5))
        );
        let longer = || rate_limited(Some(Duration::from_secs(6)));
        assert_eq!(always_failing(&exact(2), longer).await, (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn an_elapsed_hold_lets_callers_through_at_once() {
        let gate = RateLimitGate::default();
        let start = Instant::now();
        gate.hold_for(Duration::ZERO);
        gate.wait_turn().await;
        gate.hold_for(Duration::from_secs(1));
        tokio::time::advance(Duration::from_secs(1)).await;
        gate.wait_turn().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_gate_holds_every_caller_until_the_latest_deadline() {
        let gate = RateLimitGate::default();
        let start = Instant::now();
        gate.hold_for(Duration::from_secs(5));
        gate.hold_for(Duration::from_secs(2)); // a shorter hold does not reopen it early
        gate.wait_turn().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        gate.hold_for(Duration::from_secs(1));
        gate.hold_for(Duration::from_secs(3)); // a longer hold extends a shorter one
        gate.wait_turn().await;
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }
}
