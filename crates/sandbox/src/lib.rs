//! A local server that behaves like the Nano Banana 2 API, so an integration can be built and
//! tested offline without spending credits.
//!
//! - **Same contract** as `spec/openapi.yaml`: its paths; request bodies parsed into the
//!   generated types and checked with the SDK's limits; error bodies taken from the spec's
//!   documented examples, with `param` set.
//! - **Tasks** move pending → processing → completed over `estimated_time × time_scale`.
//! - **Real images**: completed tasks link to PNGs served at `/files/<name>.png`, sized by
//!   `size` and `quality`, the same bytes for the same prompt; links expire after a TTL.
//! - **File service** on a second address, as Evolink's is on another host: both upload
//!   operations, files kept 72 h and served back, an upload quota; image-to-image accepts
//!   its own file URLs (and rejects expired ones).
//! - **Callbacks** with the documented timeout and retries; **faults** on demand (the
//!   `X-Sandbox-Fault` header or [`SandboxHandle::inject`]); a per-key rate limit.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use nanobanana_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("EVOLINK_BASE_URL={}", sandbox.base_url());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod address_policy;
mod answered_error;
mod api;
mod auth;
mod callback_schedule;
mod callback_target;
pub mod callbacks;
mod config;
pub mod contract;
mod faults;
mod file_service;
mod host_check;
mod idempotency;
pub mod images;
pub mod journal;
mod journal_body;
mod journal_http;
mod operation_layer;
mod operations;
mod outbound;
mod page;
mod rate_limit;
mod request_check;
pub mod request_id;
mod results;
mod routes;
mod server;
pub mod simulation;
mod state;
mod store;
mod task_factory;
mod task_list;
#[cfg(feature = "tls")]
mod tls;
#[cfg(not(feature = "tls"))]
#[path = "tls_unavailable.rs"]
mod tls;
pub mod uploads;

pub use config::{
    Fault, SandboxConfig, DEFAULT_MAX_TASKS, DEFAULT_MAX_UPLOADS, DEFAULT_UPLOAD_DISK_LIMIT,
};
pub use faults::FAULT_HEADER;
pub use images::ResultFormat;
pub use journal::JournalEntry;
pub use server::{Sandbox, SandboxHandle};
pub use state::SandboxStats;
pub use tls::{SandboxTls, SERVES_HTTPS};
