//! [`BatchStop`]: stopping a running batch without losing a task that is paid for.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Stops a running [`generate_many`](crate::NanoBanana::generate_many) (given with
/// [`BatchOptions::stopped_by`](crate::tasks::BatchOptions::stopped_by)) so that nothing paid
/// for is lost: after [`stop`](Self::stop) no create is sent; a create already sent is waited
/// for and its task recorded in the ledger; everything else ends at once (uploads, waits,
/// downloads), each unfinished request's result an [`Error::Stopped`](crate::Error::Stopped)
/// naming its task when it has one. A rerun with the same ledger resumes those tasks.
///
/// ```
/// use nanobanana_api::tasks::BatchStop;
/// let stop = BatchStop::new();
/// assert!(!stop.is_stopped());
/// stop.stop();
/// assert!(stop.is_stopped() && stop.creates_in_flight().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct BatchStop {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    stopped: AtomicBool,
    notify: Notify,
    /// Requests (by index) whose create was sent and not answered yet.
    in_flight: Mutex<BTreeSet<usize>>,
}

impl BatchStop {
    /// A handle not stopped yet; clone it to stop the batch from elsewhere.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the batch: no create is sent from now on (see the type's docs).
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// The requests (by index, ascending) whose create was sent and has not been answered yet:
    /// if the batch is abandoned now, their tasks may exist without being in the ledger.
    pub fn creates_in_flight(&self) -> Vec<usize> {
        self.in_flight().iter().copied().collect()
    }

    /// Resolves once the batch is stopped.
    pub(crate) async fn stopped(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }

    /// Marks request `index`'s create as sent; unmarked when the returned guard drops.
    pub(crate) fn create_sent(&self, index: usize) -> InFlight<'_> {
        self.in_flight().insert(index);
        InFlight { stop: self, index }
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, BTreeSet<usize>> {
        self.inner
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A create on its way, until dropped (answered and recorded).
pub(crate) struct InFlight<'a> {
    stop: &'a BatchStop,
    index: usize,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.stop.in_flight().remove(&self.index);
    }
}
