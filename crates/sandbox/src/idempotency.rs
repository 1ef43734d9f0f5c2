//! The gateway's idempotency ledger: the `Idempotency-Key`s of creates, per API key, kept
//! [`KEY_TTL`] and at most `max_tasks` of them (the oldest go first), like the task store. The
//! same key with an equal body gets the original answer back (a replay); another body, a 409
//! `idempotency_conflict`; a key whose first create is still being handled, a 409
//! `paid_outcome_unknown`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use nanobanana_api::types;
use serde_json::Value;
use tokio::time::Instant;

/// The request header.
pub(crate) const KEY_HEADER: &str = "idempotency-key";

/// The response header of a replayed answer.
pub(crate) const REPLAYED_HEADER: &str = "idempotency-replayed";

/// How long a key is remembered (Stripe's and Evolink's gateway's 24 h).
pub(crate) const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// (API key, idempotency key).
type Slot = (String, String);

#[derive(Debug)]
struct Record {
    /// The create's body, as JSON: "equal" means equal JSON values.
    body: Value,
    /// The answer, once the create was handled.
    answer: Option<types::ImageGenerationResponse>,
    at: Instant,
}

/// What a create carrying a key may do.
#[derive(Debug)]
pub(crate) enum Claim {
    /// The key is new: create the task, then [`IdempotencyKeys::finish`]. (The claim is made
    /// once the request passed every check: a refused request does not use its key up.)
    New,
    /// The key's create was handled with an equal body: answer this again.
    Replay(Box<types::ImageGenerationResponse>),
    /// The key was used for another body.
    Conflict,
    /// The key's first create is still being handled.
    InProgress,
}

/// Every key remembered, bounded.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyKeys {
    inner: Mutex<Keys>,
}

#[derive(Debug, Default)]
struct Keys {
    by_slot: HashMap<Slot, Record>,
    order: VecDeque<Slot>,
}

impl IdempotencyKeys {
    /// Claims `key` of `api_key` for a create with `body`, or says what it was used for.
    pub(crate) fn claim(&self, api_key: &str, key: &str, body: &Value, max_keys: usize) -> Claim {
        let slot = (api_key.to_string(), key.to_string());
        let mut keys = self.inner.lock().expect("idempotency keys");
        let now = Instant::now();
        if let Some(record) = keys.by_slot.get(&slot) {
            if now.saturating_duration_since(record.at) < KEY_TTL {
                return match (&record.answer, &record.body == body) {
                    (_, false) => Claim::Conflict,
                    (None, true) => Claim::InProgress,
                    (Some(answer), true) => Claim::Replay(Box::new(answer.clone())),
                };
            }
            keys.by_slot.remove(&slot);
            keys.order.retain(|s| s != &slot);
        }
        keys.by_slot.insert(
            slot.clone(),
            Record {
                body: body.clone(),
                answer: None,
                at: now,
            },
        );
        keys.order.push_back(slot);
        while keys.by_slot.len() > max_keys.max(1) {
            let Some(oldest) = keys.order.pop_front() else {
                break;
            };
            keys.by_slot.remove(&oldest);
        }
        Claim::New
    }

    /// Records the answer of the create that claimed `key`.
    pub(crate) fn finish(&self, api_key: &str, key: &str, answer: &types::ImageGenerationResponse) {
        let slot = (api_key.to_string(), key.to_string());
        if let Some(record) = self
            .inner
            .lock()
            .expect("idempotency keys")
            .by_slot
            .get_mut(&slot)
        {
            record.answer = Some(answer.clone());
        }
    }

    /// Forgets keys older than [`KEY_TTL`]; returns how many.
    pub(crate) fn evict(&self) -> usize {
        let mut keys = self.inner.lock().expect("idempotency keys");
        let now = Instant::now();
        let before = keys.by_slot.len();
        keys.by_slot
            .retain(|_, r| now.saturating_duration_since(r.at) < KEY_TTL);
        let Keys { by_slot, order } = &mut *keys;
        order.retain(|slot| by_slot.contains_key(slot));
        before - keys.by_slot.len()
    }

    /// How many keys are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().expect("idempotency keys").by_slot.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str) -> types::ImageGenerationResponse {
        serde_json::from_value(serde_json::json!({"id": id, "status": "pending"})).unwrap()
    }

    #[test]
    fn a_key_replays_an_equal_body_and_refuses_another() {
        let keys = IdempotencyKeys::default();
        let body = serde_json::json!({"model": "m", "prompt": "a cat"});
        assert!(matches!(keys.claim("sk-1", "k", &body, 10), Claim::New));
        assert!(matches!(
            keys.claim("sk-1", "k", &body, 10),
            Claim::InProgress
        ));
        keys.finish("sk-1", "k", &answer("task-unified-1"));
        match keys.claim("sk-1", "k", &body, 10) {
            Claim::Replay(a) => assert_eq!(a.id, "task-unified-1"),
            other => panic!("{other:?}"),
        }
        let other = serde_json::json!({"model": "m", "prompt": "a dog"});
        assert!(matches!(
            keys.claim("sk-1", "k", &other, 10),
            Claim::Conflict
        ));
        // Another API key's keys are its own.
        assert!(matches!(keys.claim("sk-2", "k", &other, 10), Claim::New));
    }

    #[test]
    fn the_oldest_keys_go_beyond_the_bound() {
        let keys = IdempotencyKeys::default();
        let body = serde_json::json!({});
        for i in 0..5 {
            keys.claim("sk", &format!("k{i}"), &body, 3);
        }
        assert_eq!(keys.len(), 3);
        assert!(matches!(
            keys.claim("sk", "k4", &body, 3),
            Claim::InProgress
        ));
        assert_eq!(keys.evict(), 0);
    }
}
