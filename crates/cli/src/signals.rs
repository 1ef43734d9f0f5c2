//! Ctrl-C (SIGINT) and, on Unix, SIGTERM, handled from the first moment of every command.
//!
//! [`install`] takes the signals over as the process starts. A command that has something to
//! say when stopped (a task id to keep, a ledger to point at) holds a [`Signals`] while it
//! does; a signal that arrives while nobody holds one stops the process at once, exit 130.

use std::sync::OnceLock;

use tokio::sync::broadcast;

use crate::output::note;

static SIGNALS: OnceLock<broadcast::Sender<&'static str>> = OnceLock::new();

/// Takes over SIGINT and SIGTERM for the rest of the process. Call once, first thing.
pub fn install() {
    let (sender, _) = broadcast::channel(8);
    let sender = SIGNALS.get_or_init(|| sender).clone();
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::spawn(async move {
        loop {
            #[cfg(unix)]
            let name = match terminate.as_mut() {
                Some(terminate) => tokio::select! {
                    _ = tokio::signal::ctrl_c() => "interrupted",
                    _ = terminate.recv() => "terminated",
                },
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                    "interrupted"
                }
            };
            #[cfg(not(unix))]
            let name = {
                let _ = tokio::signal::ctrl_c().await;
                "interrupted"
            };
            if sender.send(name).is_err() {
                // Nothing in flight that needs a last word.
                note!("{name}: stopped");
                std::process::exit(crate::exit::INTERRUPTED);
            }
        }
    });
}

/// The signals that arrive from now on, for a command that answers them itself.
pub struct Signals(broadcast::Receiver<&'static str>);

/// Starts hearing signals: until the [`Signals`] is dropped, a signal no longer stops the
/// process by itself.
pub fn listen() -> Signals {
    let sender = SIGNALS.get().expect("signals::install runs first");
    Signals(sender.subscribe())
}

impl Signals {
    /// The next signal's name for messages: `interrupted` (Ctrl-C) or `terminated`.
    pub async fn next(&mut self) -> &'static str {
        loop {
            match self.0.recv().await {
                Ok(name) => return name,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => {
                    return std::future::pending().await;
                }
            }
        }
    }
}
