//! Following tasks: finding them again ([`Tasks`], [`ListTasks`], [`TaskPage`]), what a create made ([`CreatedTask`], its [`new_idempotency_key`]), waiting ([`TaskHandle`]; its progress is [`WaitEvent`](crate::WaitEvent)), where results are saved
//! ([`SaveTo`], [`Saved`]), batches ([`BatchOptions`], [`BatchRequest`], the ledger), and
//! callbacks ([`parse_callback`], [`verify_callback`]).

pub(crate) mod batch;
pub(crate) mod batch_names;
pub(crate) mod batch_stop;
pub(crate) mod budget;
pub(crate) mod bulk_wait;
pub(crate) mod callback;
pub(crate) mod download;
pub(crate) mod known;
pub(crate) mod ledger;
pub(crate) mod listing;
pub(crate) mod output_name;
pub(crate) mod saved;
pub(crate) mod waiting;

pub use crate::idempotency::{new_idempotency_key, CreatedTask};
pub use batch::{check_output_names, BatchOptions, BatchRequest};
pub use batch_stop::BatchStop;
pub use callback::{parse_callback, verify_callback};
pub use ledger::{CompletedEntry, LedgerEntry, RESULT_LIFETIME};
pub use listing::{
    ListTasks, TaskPage, Tasks, DEFAULT_TASK_PAGE_SIZE, MAX_BATCH_IDS, MAX_TASK_PAGE_SIZE,
};
pub use output_name::{
    check_output_name, NameProblem, NameRefusal, IMAGE_EXTENSIONS, MAX_NAME_BYTES, RESERVED_NAMES,
};
pub use saved::{SaveTo, Saved};
pub use waiting::TaskHandle;
