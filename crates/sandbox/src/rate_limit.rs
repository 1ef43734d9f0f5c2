//! Per-key rate limiting of creates: a token bucket of `rate` tokens refilled at `rate` per
//! second, answering how long to wait when empty.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Token buckets by key.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_second` creates per second per key, with a burst of the same size.
    pub fn new(per_second: u32) -> Self {
        Self {
            rate: per_second.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or says how long until one is available.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("limiter");
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.rate, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.rate).min(self.rate);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_the_refill_rate() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.take("k").is_ok());
        assert!(limiter.take("k").is_ok());
        let wait = limiter.take("k").unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(limiter.take("other").is_ok(), "keys are limited separately");
        tokio::time::advance(wait).await;
        assert!(limiter.take("k").is_ok());
    }
}
