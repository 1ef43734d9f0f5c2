//! Delivering a task to its `callback_url` when it ends, as the API documents: a 10 s timeout,
//! any 2xx counts, otherwise up to 3 retries after 1, 2 and 4 s (scaled by the time scale).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The documented retry delays, in seconds.
pub const RETRY_DELAYS_SECS: [u64; 3] = [1, 2, 4];

/// A boxed future, for the object-safe transport trait.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// How a callback body is sent; replaced in tests to deliver without I/O.
pub trait CallbackTransport: Send + Sync + 'static {
    /// POSTs `body` to `url`; `Ok(status)` when an answer came, `Err` for a transport failure.
    fn post(&self, url: String, body: Vec<u8>, timeout: Duration)
        -> BoxFuture<Result<u16, String>>;
}

/// The real transport: a reqwest client without any credential.
#[derive(Clone, Debug, Default)]
pub struct HttpTransport {
    client: reqwest::Client,
}

impl CallbackTransport for HttpTransport {
    fn post(
        &self,
        url: String,
        body: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<Result<u16, String>> {
        let request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .timeout(timeout)
            .body(body);
        Box::pin(async move {
            request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string())
        })
    }
}

/// What happened to one callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Attempts made (1 to 4).
    pub attempts: usize,
    /// Whether one got a 2xx.
    pub delivered: bool,
}

/// Sends `body` to `url` with the documented timeout and retries.
pub async fn deliver(
    transport: &dyn CallbackTransport,
    url: &str,
    body: Vec<u8>,
    timeout: Duration,
    time_scale: f64,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Delivery {
    let mut attempts = 0;
    for delay in std::iter::once(None).chain(RETRY_DELAYS_SECS.iter().map(Some)) {
        if let Some(seconds) = delay {
            if *stopping.borrow() {
                // The sandbox is stopping: the attempt just made was the last one.
                break;
            }
            let wait = tokio::time::sleep(Duration::from_secs(*seconds).mul_f64(time_scale));
            tokio::select! {
                _ = wait => {}
                // Stopping: make the next attempt now instead of after the backoff.
                _ = stopping.wait_for(|stop| *stop) => {}
            }
        }
        attempts += 1;
        match transport.post(url.to_string(), body.clone(), timeout).await {
            Ok(status) if (200..300).contains(&status) => {
                tracing::info!(url, attempts, status, "callback delivered");
                return Delivery {
                    attempts,
                    delivered: true,
                };
            }
            outcome => tracing::info!(url, attempts, ?outcome, "callback not accepted"),
        }
    }
    tracing::warn!(url, attempts, "callback given up");
    Delivery {
        attempts,
        delivered: false,
    }
}
