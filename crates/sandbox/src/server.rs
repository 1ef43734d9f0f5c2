//! Starting and stopping a sandbox: on an ephemeral loopback port for tests and the CLI's
//! embedded default, or on a fixed port for `nanobanana sandbox`.

use std::sync::Arc;
use std::time::Duration;

use nanobanana_api::{config::ClientConfig, config::ConfigError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::callbacks::{CallbackTransport, HttpTransport};
use crate::config::{Fault, SandboxConfig};
use crate::routes::{api_router, files_router};
use crate::state::{AppState, SandboxStats};

/// Starts sandboxes.
pub struct Sandbox;

/// A running sandbox. Dropping it (or [`shutdown`](Self::shutdown)) stops it gracefully.
pub struct SandboxHandle {
    base_url: String,
    files_base_url: String,
    state: Arc<AppState>,
    stop: Option<watch::Sender<bool>>,
    server: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `config.addr` and serves in the background of the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
        let transport = HttpTransport::new(&config)?;
        Self::start_with_transport(config, Arc::new(transport)).await
    }

    /// [`start`](Self::start) with another way to deliver callbacks (tests deliver in memory).
    pub async fn start_with_transport(
        config: SandboxConfig,
        callbacks: Arc<dyn CallbackTransport>,
    ) -> std::io::Result<SandboxHandle> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let files_listener = tokio::net::TcpListener::bind(config.files_addr).await?;
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let base_url = format!("{scheme}://{}", listener.local_addr()?);
        let files_base_url = format!("{scheme}://{}", files_listener.local_addr()?);
        let tls = config.tls.clone();
        let state = Arc::new(AppState::new(config, callbacks)?);
        state.base_url.set(base_url.clone()).expect("set once");
        state
            .files_base_url
            .set(files_base_url.clone())
            .expect("set once");

        let (stop, stopped) = watch::channel(false);
        let plain_stopped = stopped.clone();
        let until_stopped = move || {
            let mut stopped = plain_stopped.clone();
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }
        };
        let serve = |listener: tokio::net::TcpListener, router: axum::Router| {
            let (tls, stopped, until_stopped) = (tls.clone(), stopped.clone(), until_stopped());
            async move {
                match tls {
                    Some(tls) => crate::tls::serve(listener, router, &tls, stopped).await,
                    None => {
                        axum::serve(listener, router)
                            .with_graceful_shutdown(until_stopped)
                            .await
                    }
                }
            }
        };
        let api = serve(listener, api_router(state.clone()));
        let files = serve(files_listener, files_router(state.clone()));
        let sweeper_state = state.clone();
        let server = tokio::spawn(async move {
            let sweeper = tokio::spawn(async move {
                let mut tick = tokio::time::interval(sweep_interval(&sweeper_state));
                loop {
                    tick.tick().await;
                    let config = &sweeper_state.config;
                    let evicted = sweeper_state.store.evict(config.task_ttl, config.link_ttl)
                        + sweeper_state.uploads.evict(config.upload_ttl)
                        + sweeper_state.idempotency.evict();
                    if evicted > 0 {
                        tracing::debug!(evicted, "expired tasks and files evicted");
                    }
                }
            });
            let (api, files) = tokio::join!(api, files);
            sweeper.abort();
            for served in [api, files] {
                if let Err(e) = served {
                    tracing::error!(error = %e, "sandbox server stopped");
                }
            }
        });
        tracing::info!(%base_url, %files_base_url, "sandbox listening");
        Ok(SandboxHandle {
            base_url,
            files_base_url,
            state,
            stop: Some(stop),
            server: Some(server),
        })
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`: the base URL for clients.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:<port>`: the file service's base URL (uploads), another address as
    /// Evolink's file service is another host.
    pub fn files_base_url(&self) -> &str {
        &self.files_base_url
    }

    /// A client configuration for this sandbox: the API and the file service at their two
    /// addresses, authenticated with `api_key` (any well-formed key, unless the sandbox was
    /// started with one it requires).
    pub fn client_config(&self, api_key: &str) -> Result<ClientConfig, ConfigError> {
        let config = ClientConfig::new(api_key)?
            .with_base_url(&self.base_url)?
            .with_files_base_url(&self.files_base_url)?;
        match self.ca_pem() {
            Some(ca) => config.with_root_certificate(ca.as_bytes()),
            None => Ok(config),
        }
    }

    /// The folder the uploads are kept in, removed when the sandbox stops (or, after a kill,
    /// when the next sandbox starts).
    pub fn uploads_dir(&self) -> &std::path::Path {
        self.state.uploads.dir()
    }

    /// The CA clients must trust when the sandbox serves HTTPS with a self-signed certificate.
    pub fn ca_pem(&self) -> Option<&str> {
        self.state.config.tls.as_ref().and_then(|tls| tls.ca_pem())
    }

    /// Makes the next call fail with `fault` (queued after any already queued).
    pub fn inject(&self, fault: Fault) {
        self.state.faults.lock().expect("faults").push_back(fault);
    }

    /// Every request the sandbox answered, oldest first (the last
    /// [`JOURNAL_CAPACITY`](crate::journal::JOURNAL_CAPACITY)): what a client sent, and why a
    /// call was refused, for a test to assert on.
    pub fn requests(&self) -> Vec<crate::JournalEntry> {
        self.state.journal.entries()
    }

    /// Each request as the sandbox answers it, from now on (a slow reader misses entries
    /// rather than holding the sandbox back).
    pub fn watch_requests(&self) -> tokio::sync::broadcast::Receiver<crate::JournalEntry> {
        self.state.journal.subscribe()
    }

    /// What the sandbox has done so far.
    pub fn stats(&self) -> SandboxStats {
        self.state.counters.snapshot()
    }

    /// Credits reserved by the tasks created so far.
    pub fn credits_reserved(&self) -> f64 {
        self.state
            .counters
            .credits_reserved_millis
            .load(std::sync::atomic::Ordering::Relaxed) as f64
            / 1000.0
    }

    /// Tasks currently held in memory.
    pub fn tasks_held(&self) -> usize {
        self.state.store.task_count()
    }

    /// Stops accepting connections and waits for open requests to finish.
    pub async fn shutdown(self) {
        self.shutdown_within(Duration::ZERO).await;
    }

    /// Stops gracefully: stops accepting connections, lets open requests finish, has every
    /// pending callback of an ended task make its next attempt now, and waits up to `grace` for
    /// them. Callbacks of tasks that had not ended are dropped (there is no true state to send);
    /// the stats say how many.
    pub async fn shutdown_within(mut self, grace: Duration) -> SandboxStats {
        self.state.stopping.send_replace(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let deadline = tokio::time::Instant::now() + grace;
        while self.stats().callbacks_pending > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.stats()
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

/// How often expired tasks and files are swept.
fn sweep_interval(state: &AppState) -> Duration {
    state
        .config
        .link_ttl
        .min(state.config.task_ttl)
        .min(Duration::from_secs(60))
        .max(Duration::from_millis(10))
}
