//! Ctrl-C (SIGINT) and, on Unix, SIGTERM, handled from the first moment of every command.
//!
//! [`install`] takes the signals over as the process starts. A command that has something to
//! say when stopped (a task id to keep, a ledger to point at) holds a [`Signals`] while it
//! does and returns its own interrupted outcome; a signal that arrives while nobody holds one
//! is [`unanswered`], which `main` races the command against: the command is dropped at once
//! and the process ends with the interrupted code.

use std::sync::OnceLock;

use tokio::sync::{broadcast, watch};

/// The signals for commands that answer them.
static SIGNALS: OnceLock<broadcast::Sender<&'static str>> = OnceLock::new();
/// The first signal nobody answered.
static UNANSWERED: OnceLock<watch::Sender<Option<&'static str>>> = OnceLock::new();

/// Takes over SIGINT and SIGTERM for the rest of the process. Call once, first thing.
pub fn install() {
    let (sender, _) = broadcast::channel(8);
    let sender = SIGNALS.get_or_init(|| sender).clone();
    let unanswered = UNANSWERED.get_or_init(|| watch::channel(None).0).clone();
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
                // Nothing in flight that needs a last word: `main` stops the command.
                unanswered.send_replace(Some(name));
            }
        }
    });
}

/// The name of the first signal that arrived while no command listened (`interrupted` or
/// `terminated`); pending until one does.
pub async fn unanswered() -> &'static str {
    let mut heard = UNANSWERED
        .get()
        .expect("signals::install runs first")
        .subscribe();
    let name = match heard.wait_for(Option::is_some).await {
        Ok(name) => (*name).unwrap_or("interrupted"),
        Err(_) => return std::future::pending().await,
    };
    name
}

/// The signals that arrive from now on, for a command that answers them itself.
pub struct Signals(broadcast::Receiver<&'static str>);

/// Starts hearing signals: until the [`Signals`] is dropped, a signal no longer stops the
/// command by itself.
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
