//! What the server remembers while it runs: the tasks it created (for `list_tasks`), and each
//! idempotency key with its request and task, so an agent repeating a call gets the original
//! task back instead of paying again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use nanobanana_api::ImageRequest;

/// The most idempotency keys kept (the oldest are forgotten beyond it).
const MAX_KEYS: usize = 1000;
/// The most tasks listed by `list_tasks` (the oldest are forgotten beyond it).
const MAX_TASKS: usize = 1000;

/// A task this server created.
#[derive(Clone, Debug)]
pub struct Created {
    /// The task id.
    pub task_id: String,
    /// The model it was sent to.
    pub model: String,
    /// Its prompt, cut to 200 characters.
    pub prompt: String,
    /// What the service reserved for it, when it said.
    pub credits_reserved: Option<f64>,
}

/// One idempotency key: the request it was first used with and, once created, its task.
pub struct Keyed {
    /// The request the key was first given with.
    pub request: ImageRequest,
    /// The task, once created (concurrent calls with the key wait for the first one's).
    pub task: tokio::sync::OnceCell<Created>,
    /// The files saved for it, once saved (held while a call saves them).
    pub files: tokio::sync::Mutex<Vec<PathBuf>>,
}

/// What a key finds.
pub enum KeyLookup {
    /// The key is new, or was used for this same request: its slot.
    Slot(Arc<Keyed>),
    /// The key was used for another request.
    Conflict,
}

/// The server's memory.
#[derive(Default)]
pub struct Session {
    tasks: Mutex<Vec<Created>>,
    keys: Mutex<Keys>,
}

/// The keys, and the order they came in (to forget the oldest).
#[derive(Default)]
struct Keys {
    slots: HashMap<String, Arc<Keyed>>,
    order: Vec<String>,
}

impl Session {
    /// Records a created task.
    pub fn created(&self, task: Created) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        if tasks.len() >= MAX_TASKS {
            tasks.remove(0);
        }
        tasks.push(task);
    }

    /// The tasks created so far, newest first.
    pub fn tasks(&self) -> Vec<Created> {
        let tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.iter().rev().cloned().collect()
    }

    /// The slot of `key` for `request`: new, the same request's, or a conflict.
    pub fn key(&self, key: &str, request: &ImageRequest) -> KeyLookup {
        let mut guard = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let Keys { slots, order } = &mut *guard;
        if let Some(slot) = slots.get(key) {
            return if &slot.request == request {
                KeyLookup::Slot(Arc::clone(slot))
            } else {
                KeyLookup::Conflict
            };
        }
        if order.len() >= MAX_KEYS {
            let oldest = order.remove(0);
            slots.remove(&oldest);
        }
        let slot = Arc::new(Keyed {
            request: request.clone(),
            task: tokio::sync::OnceCell::new(),
            files: tokio::sync::Mutex::default(),
        });
        slots.insert(key.to_string(), Arc::clone(&slot));
        order.push(key.to_string());
        KeyLookup::Slot(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_finds_its_own_request_and_refuses_another() {
        let session = Session::default();
        let cat = ImageRequest::new("gemini-3.1-flash-image-preview", "a cat");
        let dog = ImageRequest::new("gemini-3.1-flash-image-preview", "a dog");
        let KeyLookup::Slot(first) = session.key("k1", &cat) else {
            panic!("a new key has a slot")
        };
        let KeyLookup::Slot(again) = session.key("k1", &cat) else {
            panic!("the same request finds its slot")
        };
        assert!(Arc::ptr_eq(&first, &again));
        assert!(matches!(session.key("k1", &dog), KeyLookup::Conflict));
        assert!(matches!(session.key("k2", &dog), KeyLookup::Slot(_)));
    }
}
