//! The tasks a client created, remembered by id (bounded): a wait that starts from a bare id
//! (`client.wait(&created.id)`) is scheduled from the create's estimate and moment, as one
//! given the create's answer is, instead of polling to find them out.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How many created tasks a client remembers (the oldest are forgotten first): a few hundred
/// kilobytes at most.
pub(crate) const REMEMBERED_TASKS: usize = 4096;

/// What a create's answer told about a task.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Known {
    /// The server's estimate of the task's whole time.
    pub estimate: Option<Duration>,
    /// When the answer arrived.
    pub created_at: Instant,
}

/// The created tasks of one client, the newest [`REMEMBERED_TASKS`].
#[derive(Debug, Default)]
pub(crate) struct KnownTasks {
    inner: Mutex<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    by_id: HashMap<String, Known>,
    order: VecDeque<String>,
}

impl KnownTasks {
    /// Remembers a task just created.
    pub(crate) fn remember(&self, id: &str, known: Known) {
        let mut inner = self.inner.lock().expect("known tasks");
        if inner.by_id.insert(id.to_string(), known).is_none() {
            inner.order.push_back(id.to_string());
        }
        while inner.order.len() > REMEMBERED_TASKS {
            if let Some(oldest) = inner.order.pop_front() {
                inner.by_id.remove(&oldest);
            }
        }
    }

    /// What is known of `id`, if this client created it.
    pub(crate) fn get(&self, id: &str) -> Option<Known> {
        self.inner
            .lock()
            .expect("known tasks")
            .by_id
            .get(id)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_are_forgotten_beyond_the_bound() {
        let known = KnownTasks::default();
        let entry = Known {
            estimate: Some(Duration::from_secs(9)),
            created_at: Instant::now(),
        };
        for i in 0..=REMEMBERED_TASKS {
            known.remember(&format!("task-unified-{i}"), entry);
        }
        assert_eq!(known.get("task-unified-0"), None);
        assert_eq!(known.get("task-unified-1"), Some(entry));
        assert_eq!(
            known.get(&format!("task-unified-{REMEMBERED_TASKS}")),
            Some(entry)
        );
        // Remembering the same id again does not grow the order.
        known.remember("task-unified-1", entry);
        assert_eq!(known.inner.lock().unwrap().order.len(), REMEMBERED_TASKS);
    }
}
