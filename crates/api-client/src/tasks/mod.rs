//! Following tasks: what a create made ([`CreatedTask`], its [`new_idempotency_key`]), waiting ([`TaskHandle`], [`WaitEvent`]), where results are saved
//! ([`SaveTo`], [`Saved`]), batches ([`BatchOptions`], [`BatchRequest`], the ledger), and
//! callbacks ([`parse_callback`], [`verify_callback`]).

pub(crate) mod batch;
pub(crate) mod callback;
pub(crate) mod download;
pub(crate) mod known;
pub(crate) mod saved;
pub(crate) mod waiting;

pub use crate::idempotency::{new_idempotency_key, CreatedTask};
pub use crate::observer::WaitEvent;
pub use batch::{BatchOptions, BatchRequest, CompletedEntry, LedgerEntry, RESULT_LIFETIME};
pub use callback::{parse_callback, verify_callback};
pub use saved::{SaveTo, Saved};
pub use waiting::TaskHandle;
