//! [`Observer`]: one place to watch what the client is doing, for every long job alike (uploads,
//! waiting for a task, retries, a batch), instead of a callback parameter on each method; the
//! [`Event`]s it hears and their payloads ([`UploadEvent`], [`WaitEvent`], [`RetryEvent`]), all
//! at the crate root.
//!
//! ```no_run
//! # async fn run() -> Result<(), nanobanana_api::Error> {
//! use nanobanana_api::{Event, ImageRequest, NanoBanana, Observer};
//!
//! let client = NanoBanana::from_env()?.observe(Observer::new(|event| match event {
//!     Event::Upload(upload) => eprintln!("upload: {upload:?}"),
//!     Event::Wait(poll) => eprintln!("task {}: {} ({:?}%)", poll.task_id, poll.status, poll.progress),
//!     Event::BatchItem { index, .. } => eprintln!("batch line {index} done"),
//!     _ => {}
//! }));
//! client.generate(ImageRequest::new("gemini-3.1-flash-image-preview", "a cat"), "out").await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Operation};
use crate::tasks::saved::Saved;
use crate::types;

/// Receives every [`Event`] of the client it is given to ([`NanoBanana::observe`](crate::NanoBanana::observe)).
/// Called from the tasks doing the work, so it should return quickly (update a progress bar,
/// send on a channel). Cheap to clone.
#[derive(Clone)]
pub struct Observer(Arc<dyn Fn(&Event<'_>) + Send + Sync>);

impl Observer {
    /// An observer that calls `on_event` with every event.
    pub fn new(on_event: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(on_event))
    }

    pub(crate) fn notify(&self, event: &Event<'_>) {
        (self.0)(event)
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// Something the client did or saw.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A local image is being uploaded, or was stored.
    Upload(UploadEvent<'a>),
    /// A task query answered while waiting.
    Wait(&'a WaitEvent),
    /// A call failed in a way that is safe to repeat, and is tried again after a wait.
    Retry(RetryEvent<'a>),
    /// A create was answered with the task an earlier submission with the same
    /// `Idempotency-Key` created (`Idempotency-Replayed: true`): nothing new was created or
    /// billed.
    Replayed(&'a crate::idempotency::CreatedTask),
    /// A request of [`NanoBanana::generate_many`](crate::NanoBanana::generate_many) ended.
    BatchItem {
        /// Its position in the batch.
        index: usize,
        /// How it ended.
        result: &'a Result<Saved, Error>,
    },
}

/// What happens to a request's local files (or one [`Files::upload`](crate::files::Files::upload) stores), for progress displays.
/// `index` is the file's position among the inputs.
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadEvent<'a> {
    /// An upload of `path` has handed `sent` of its `total` bytes to the connection. Every
    /// attempt starts at 0, so a retried file counts up again.
    Sending {
        /// The file's position among the inputs.
        index: usize,
        /// The local file.
        path: &'a Path,
        /// Bytes handed to the connection so far in this attempt.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// The file service stored `path` as `file`.
    Stored {
        /// The file's position among the inputs.
        index: usize,
        /// The local file.
        path: &'a Path,
        /// What the file service answered; `file.file_url` goes into `image_urls`.
        file: &'a types::UploadedFile,
    },
}

/// A call that is tried again: which, where to, how often so far, and why.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The call.
    pub operation: Operation,
    /// The base URL it is sent to (the API's, or the file service's for uploads and the quota).
    pub base_url: &'a str,
    /// The attempt that failed (1 = the first).
    pub attempt: usize,
    /// Attempts in all the retry policy allows.
    pub max_attempts: usize,
    /// The wait before the next attempt.
    pub delay: Duration,
    /// Why the attempt failed.
    pub error: &'a Error,
}

/// What one task query found while waiting.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct WaitEvent {
    /// The task.
    pub task_id: String,
    /// Which query this was (1-based).
    pub poll: u32,
    /// The status reported.
    pub status: types::TaskStatus,
    /// The progress reported, 0–100.
    pub progress: Option<i64>,
    /// Time since waiting started.
    pub elapsed: Duration,
    /// The whole task as reported.
    pub task: types::TaskDetail,
}
