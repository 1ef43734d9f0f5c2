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

/// The real transport: a reqwest client without any credential, that connects only to public
/// addresses (any, with insecure callbacks allowed), judged after name resolution, and
/// follows no redirect.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    client: reqwest::Client,
    policy: crate::address_policy::AddressPolicy,
}

impl HttpTransport {
    /// The transport for a sandbox of `config`: its insecure-callback allowance and its
    /// [`dns_overrides`](crate::SandboxConfig::dns_overrides).
    pub fn new(config: &crate::SandboxConfig) -> std::io::Result<Self> {
        let policy =
            crate::address_policy::AddressPolicy::callbacks(config.allow_insecure_callbacks);
        let overrides = config.dns_overrides.clone().into();
        Ok(Self {
            client: crate::outbound::client(policy, overrides, None)?,
            policy,
        })
    }
}

impl Default for HttpTransport {
    /// Public addresses only. Panics if the TLS backend cannot start, as `reqwest::Client::new`.
    fn default() -> Self {
        Self::new(&crate::SandboxConfig::default()).expect("the callback client starts")
    }
}

impl CallbackTransport for HttpTransport {
    fn post(
        &self,
        url: String,
        body: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<Result<u16, String>> {
        let target = reqwest::Url::parse(&url)
            .map_err(|_| "not a URL".to_string())
            .and_then(|parsed| {
                crate::outbound::check_literal(self.policy, &parsed).map_err(|f| f.to_string())?;
                Ok(parsed)
            });
        let request = target.map(|url| {
            self.client
                .post(url)
                .header("content-type", "application/json")
                .timeout(timeout)
                .body(body)
        });
        Box::pin(async move {
            request?
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| reason(&e, timeout))
        })
    }
}

/// Why a callback got no answer, in words (reqwest's own text repeats the URL, whose query
/// may carry the receiver's secret).
fn reason(error: &reqwest::Error, timeout: Duration) -> String {
    if let Some(forbidden) = crate::outbound::forbidden_in(error) {
        forbidden.to_string()
    } else if error.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f64())
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "the connection failed before an answer".to_string()
    }
}

/// What happened to one callback.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// Attempts made (1 to 4).
    pub attempts: usize,
    /// Whether one got a 2xx.
    pub delivered: bool,
    /// The status of the last answer, when the last attempt got one.
    pub last_status: Option<u16>,
    /// Why the last attempt got no answer (a refused connection, a timeout), when it got none.
    pub last_error: Option<String>,
}

impl Delivery {
    /// What came of it, in a sentence: "delivered on attempt 2 of 4", "given up after 4
    /// attempts; the last was answered 500".
    pub fn outcome(&self) -> String {
        let most = RETRY_DELAYS_SECS.len() + 1;
        if self.delivered {
            return format!("delivered on attempt {} of {most}", self.attempts);
        }
        let last = match (&self.last_status, &self.last_error) {
            (Some(status), _) => format!("the last was answered {status}"),
            (None, Some(error)) => format!("the last got no answer: {error}"),
            (None, None) => "none was answered".to_string(),
        };
        let cut = if self.attempts < most {
            " (the sandbox was stopping)"
        } else {
            ""
        };
        format!(
            "given up after {} attempt{}{cut}; {last}",
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )
    }
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
    let (mut last_status, mut last_error) = (None, None);
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
                    last_status: Some(status),
                    last_error: None,
                };
            }
            outcome => {
                tracing::info!(url, attempts, ?outcome, "callback not accepted");
                (last_status, last_error) = match outcome {
                    Ok(status) => (Some(status), None),
                    Err(error) => (None, Some(error)),
                };
            }
        }
    }
    tracing::warn!(url, attempts, "callback given up");
    Delivery {
        attempts,
        delivered: false,
        last_status,
        last_error,
    }
}
