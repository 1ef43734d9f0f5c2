//! Everything the handlers share, in one struct behind an `Arc`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::callbacks::CallbackTransport;
use crate::config::{Fault, SandboxConfig};
use crate::rate_limit::RateLimiter;
use crate::store::Store;
use crate::uploads::Uploads;

/// Counters of what the sandbox did, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SandboxStats {
    /// Tasks created.
    pub creates: u64,
    /// Create calls answered with an error (no task created).
    pub creates_rejected: u64,
    /// Task queries answered.
    pub task_queries: u64,
    /// Result files served (whole or partial).
    pub file_downloads: u64,
    /// Callbacks delivered (a 2xx was received).
    pub callbacks_delivered: u64,
    /// Callbacks given up after all retries.
    pub callbacks_failed: u64,
    /// Images stored by the file service.
    pub uploads: u64,
    /// Upload calls answered with an error (nothing stored).
    pub uploads_rejected: u64,
    /// Finished tasks forgotten to keep the store within `max_tasks`.
    pub tasks_evicted: u64,
    /// Callbacks not sent because the sandbox stopped before their task ended.
    pub callbacks_dropped: u64,
    /// Callbacks still waiting for their task or a retry.
    pub callbacks_pending: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub creates: AtomicU64,
    pub creates_rejected: AtomicU64,
    pub task_queries: AtomicU64,
    pub file_downloads: AtomicU64,
    pub callbacks_delivered: AtomicU64,
    pub callbacks_failed: AtomicU64,
    pub uploads: AtomicU64,
    pub uploads_rejected: AtomicU64,
    pub tasks_evicted: AtomicU64,
    pub callbacks_dropped: AtomicU64,
    pub callbacks_pending: AtomicU64,
    pub next_id: AtomicU64,
    pub credits_reserved_millis: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) -> u64 {
        counter.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> SandboxStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SandboxStats {
            creates: get(&self.creates),
            creates_rejected: get(&self.creates_rejected),
            task_queries: get(&self.task_queries),
            file_downloads: get(&self.file_downloads),
            callbacks_delivered: get(&self.callbacks_delivered),
            callbacks_failed: get(&self.callbacks_failed),
            uploads: get(&self.uploads),
            uploads_rejected: get(&self.uploads_rejected),
            tasks_evicted: get(&self.tasks_evicted),
            callbacks_dropped: get(&self.callbacks_dropped),
            callbacks_pending: get(&self.callbacks_pending),
        }
    }
}

/// The shared state of one sandbox.
pub(crate) struct AppState {
    pub config: SandboxConfig,
    pub store: Store,
    pub uploads: Uploads,
    /// Set when the sandbox stops: pending callbacks make their last attempt now.
    pub stopping: tokio::sync::watch::Sender<bool>,
    pub limiter: Option<RateLimiter>,
    pub faults: Mutex<VecDeque<Fault>>,
    pub counters: Counters,
    pub callbacks: Arc<dyn CallbackTransport>,
    /// The address results are served from, known once the listener is bound.
    pub base_url: OnceLock<String>,
    /// The file service's address, known once its listener is bound.
    pub files_base_url: OnceLock<String>,
    /// Every request answered, bounded.
    pub journal: crate::journal::Journal,
    /// The creates' `Idempotency-Key`s, per API key.
    pub idempotency: crate::idempotency::IdempotencyKeys,
}

impl AppState {
    pub(crate) fn new(
        config: SandboxConfig,
        callbacks: Arc<dyn CallbackTransport>,
    ) -> std::io::Result<Self> {
        Ok(Self {
            limiter: config.rate_limit_per_sec.map(RateLimiter::new),
            faults: Mutex::new(config.faults.iter().cloned().collect()),
            store: Store::default(),
            uploads: Uploads::new()?,
            stopping: tokio::sync::watch::Sender::new(false),
            counters: Counters::default(),
            callbacks,
            base_url: OnceLock::new(),
            files_base_url: OnceLock::new(),
            journal: Default::default(),
            idempotency: Default::default(),
            config,
        })
    }

    pub(crate) fn files_base_url(&self) -> &str {
        self.files_base_url.get().map(String::as_str).unwrap_or("")
    }

    pub(crate) fn next_fault(&self) -> Option<Fault> {
        self.faults.lock().expect("faults").pop_front()
    }
}
