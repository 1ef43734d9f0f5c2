//! No silent waits: a line when an answer is slow in coming, and one for every retry, saying
//! what is awaited, from which address, and what happens next.

use std::time::Duration;

use indicatif::ProgressBar;
use nanobanana_api::RetryEvent;
use nanobanana_api::{Error, Event, Observer};

use crate::output::note;

/// How long a command waits in silence before it says what it is waiting for.
pub const QUIET_FOR: Duration = Duration::from_secs(2);
/// How often it says so again while the wait goes on.
const REPEAT_EVERY: Duration = Duration::from_secs(10);

/// Says what `event` means for the person waiting: which call failed, at which address, why,
/// and when the next attempt goes out.
pub fn retry_line(event: &RetryEvent<'_>) -> String {
    let why = match event.error {
        Error::Connection { .. } => "could not connect".to_string(),
        Error::Timeout { .. } => "no answer in time".to_string(),
        Error::RateLimited(_) => "rate limited (429)".to_string(),
        other => match other.status() {
            Some(status) => format!("answered {status}"),
            None => "failed".to_string(),
        },
    };
    format!(
        "{}: {why} at {}; attempt {} of {} in {:.1} s",
        event.operation.name(),
        event.base_url,
        event.attempt + 1,
        event.max_attempts,
        event.delay.as_secs_f64()
    )
}

/// Shows a retry on `bar` when it is drawn, else as a line on stderr.
pub fn show_retry(bar: Option<&ProgressBar>, event: &RetryEvent<'_>) {
    let line = retry_line(event);
    match bar {
        Some(bar) if !bar.is_hidden() => bar.println(crate::output::printable(&line)),
        _ => note!("{line}"),
    }
}

/// An observer that shows retries and nothing else, for commands without a progress display.
pub fn retries_only() -> Observer {
    Observer::new(|event| {
        if let Event::Retry(retry) = event {
            show_retry(None, retry);
        }
    })
}

/// While held, says after [`QUIET_FOR`] (and every few seconds more) that `what` is still
/// awaited from `from`, with the timeout that ends the wait.
pub struct SlowNotice(tokio::task::JoinHandle<()>);

impl SlowNotice {
    /// Starts counting; `timeout` is `--timeout` in seconds, which the notice names.
    pub fn start(what: &str, from: &str, timeout: u64) -> Self {
        let (what, from) = (what.to_string(), from.to_string());
        let started = tokio::time::Instant::now();
        Self(tokio::spawn(async move {
            tokio::time::sleep(QUIET_FOR).await;
            loop {
                note!(
                    "waiting for {what} from {from} ({:.0} s so far; gives up after {timeout} s without an answer, --timeout raises it)",
                    started.elapsed().as_secs_f64()
                );
                tokio::time::sleep(REPEAT_EVERY).await;
            }
        }))
    }
}

impl Drop for SlowNotice {
    fn drop(&mut self) {
        self.0.abort();
    }
}
