//! `--timeout` of this command, for the messages that name it. Set once when the command
//! connects; a module of its own so that what prints messages need not reach the connection.

use std::sync::OnceLock;

/// `--timeout` of this command (seconds), once connected.
static TIMEOUT_SECS: OnceLock<u64> = OnceLock::new();

/// Records `--timeout` (the first call wins).
pub fn set(secs: u64) {
    let _ = TIMEOUT_SECS.set(secs);
}

/// The seconds this command waits for each answer (`--timeout`; 60 before it connects).
pub fn secs() -> u64 {
    TIMEOUT_SECS.get().copied().unwrap_or(60)
}
