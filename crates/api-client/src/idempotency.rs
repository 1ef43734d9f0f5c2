//! Idempotency keys: one per submission of a create, sent as `Idempotency-Key` and kept across
//! every retry of it, so a create whose answer was lost can be sent again without creating (and
//! paying for) a second task; [`CreatedTask`] says whether the answer was such a replay.

use std::ops::Deref;

use crate::error::validation::ValidationError;
use crate::types;

/// The response header of an answer that is an earlier submission's task (`true`).
pub(crate) const REPLAYED_HEADER: &str = "idempotency-replayed";

/// The longest key accepted (Stripe's limit; Evolink documents none).
pub(crate) const MAX_KEY_CHARS: usize = 255;

/// A new random key: a UUID v4 (`0b7c6f7e-2d4c-4f3e-9a57-1f0e3c1d2a6b`), from the operating
/// system's randomness. Keep it with a request to send that request again later without paying
/// twice ([`ImageRequest::idempotency_key`](crate::ImageRequest::idempotency_key)).
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never on supported systems): the clock and a counter still make
        // keys that differ between calls and processes.
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for half in bytes.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            half.copy_from_slice(&hasher.finish().to_le_bytes());
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A key given by the caller: 1 to 255 visible ASCII characters (it travels as a header).
pub(crate) fn check_key(key: &str) -> Result<(), ValidationError> {
    let fits = !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key.bytes().all(|b| b.is_ascii_graphic());
    if fits {
        return Ok(());
    }
    Err(ValidationError::new(
        "idempotency_key",
        format!(
            "is `{}` ({} characters)",
            key.chars().take(80).collect::<String>(),
            key.chars().count()
        ),
        format!("1 to {MAX_KEY_CHARS} visible ASCII characters (letters, digits, - _ . and the like; no spaces)"),
    ))
}

/// A task a create made, with the key it was sent with and whether the answer was a replay.
/// Reads as the create's answer ([`types::ImageGenerationResponse`]): `created.id`,
/// `created.task_info`, …; [`NanoBanana::wait`](crate::NanoBanana::wait) takes `&created`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreatedTask {
    /// The create's answer.
    pub task: types::ImageGenerationResponse,
    /// The `Idempotency-Key` it was sent with: send the same request with this key again to
    /// get this task back rather than a new one.
    pub idempotency_key: String,
    /// `true` when the service answered with the task an earlier submission with the same
    /// key created (`Idempotency-Replayed: true`): nothing new was created or billed.
    pub replayed: bool,
}

impl CreatedTask {
    /// The create's answer alone.
    pub fn into_inner(self) -> types::ImageGenerationResponse {
        self.task
    }
}

impl Deref for CreatedTask {
    type Target = types::ImageGenerationResponse;

    fn deref(&self) -> &Self::Target {
        &self.task
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuid_v4_and_differ() {
        let (a, b) = (new_idempotency_key(), new_idempotency_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{a}");
        check_key(&a).unwrap();
    }

    #[test]
    fn a_key_that_cannot_be_a_header_is_refused_naming_the_field() {
        for bad in ["", "has space", "é", &"k".repeat(256)] {
            let err = check_key(bad).unwrap_err();
            assert_eq!(err.field, "idempotency_key");
            assert!(err.limit.contains("255"), "{err}");
        }
        check_key(&"k".repeat(255)).unwrap();
    }
}
