//! The request journal: every request the sandbox answered, newest last in memory, bounded, so
//! a test can ask what its code sent (as WireMock's `received_requests`) and a person can see
//! why a call was refused. Read it with [`SandboxHandle::requests`](crate::SandboxHandle::requests),
//! as JSON at `GET /__sandbox/requests` (newest first; `?operation=`, `?status=`, `?task=`), or
//! line by line as it happens with [`SandboxHandle::watch_requests`](crate::SandboxHandle::watch_requests).
//!
//! Every callback the sandbox sent is there too, once its delivery ended (delivered or given
//! up), with the operation [`CALLBACK_OPERATION`].
//!
//! Of the API key only a hint is kept (its last four characters, as dashboards show a key);
//! of a body, its JSON with long strings cut and image data replaced by type and size (see
//! `journal_body`). An error's `type`, `param` and `message` are what the sandbox's own answer
//! said (handed on with it, see `answered_error`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// How many requests the journal keeps (the oldest go first).
pub const JOURNAL_CAPACITY: usize = 1000;

/// The operation of a journal entry that is a callback the sandbox sent, not a request it
/// answered.
pub const CALLBACK_OPERATION: &str = "callback";

/// Where the sandbox's own endpoints live, apart from every path of the API.
pub const SANDBOX_PREFIX: &str = "/__sandbox";

/// One request the sandbox answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// When it arrived, in milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query; for a callback, the URL it went to, its query shown as `?…`.
    pub path: String,
    /// The spec's operationId it was routed to (`create_image_generation`), when it was one;
    /// [`CALLBACK_OPERATION`] for a callback the sandbox sent.
    pub operation: Option<String>,
    /// The status answered; for a callback, the receiver's last answer, or 0 when it gave none.
    pub status: u16,
    /// How long the answer took, in milliseconds; for a callback, from its first attempt to
    /// its last.
    pub duration_ms: u64,
    /// The task it concerns: the one queried, the one a create made, or the one a callback
    /// carried.
    pub task_id: Option<String>,
    /// When refused: the error's `type` (API) as answered.
    pub error_type: Option<String>,
    /// When refused: the request field the error names.
    pub param: Option<String>,
    /// When refused: the error's message (`error.message`, or the file service's `msg`); for
    /// a callback, what came of it ("delivered on attempt 1 of 4", "given up after 4 …").
    pub message: Option<String>,
    /// The fault injected into this call, if any (`Status(503)`, `Slow`, …).
    pub fault: Option<String>,
    /// What the request's body held, as far as it was read: its JSON with strings over 2 KB
    /// cut, image data as `<image/png, 48213 bytes as base64>`, at most 4 KB in all; an
    /// upload form as its fields and `<name: type, size>` of the file. `None` without a body,
    /// or when it was refused before its body was read (a missing key).
    pub body: Option<serde_json::Value>,
    /// The API key's last four characters (`…a1b2`), to tell keys apart; never the key.
    pub key_hint: Option<String>,
    /// The request id answered in `x-request-id` (what a user quotes to support).
    pub request_id: Option<String>,
    /// A create's `Idempotency-Key`, as sent.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// The create was answered with the task an earlier create with the same key made
    /// (`Idempotency-Replayed: true`): nothing new was created.
    #[serde(default)]
    pub replayed: bool,
}

/// The journal: a bounded queue of entries, and a channel for whoever watches them live.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    live: broadcast::Sender<JournalEntry>,
}

impl Default for Journal {
    fn default() -> Self {
        Self {
            entries: Mutex::new(VecDeque::with_capacity(64)),
            live: broadcast::channel(256).0,
        }
    }
}

impl Journal {
    /// Keeps `entry` (the oldest goes past [`JOURNAL_CAPACITY`]) and tells the watchers.
    pub(crate) fn record(&self, entry: JournalEntry) {
        let _ = self.live.send(entry.clone());
        let mut entries = self.entries.lock().expect("journal");
        if entries.len() == JOURNAL_CAPACITY {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Records a callback whose delivery ended: `started` when its first attempt began.
    pub(crate) fn record_callback(
        &self,
        task_id: &str,
        url: &str,
        started: (u64, Instant),
        delivery: &crate::callbacks::Delivery,
    ) {
        self.record(JournalEntry {
            at_unix_ms: started.0,
            method: "POST".into(),
            // Its query may carry the receiver's secret: kept out, as a key is.
            path: crate::journal_body::without_query(url),
            operation: Some(CALLBACK_OPERATION.into()),
            status: delivery.last_status.unwrap_or(0),
            duration_ms: started.1.elapsed().as_millis() as u64,
            task_id: Some(task_id.to_string()),
            error_type: None,
            param: None,
            message: Some(delivery.outcome()),
            fault: None,
            body: None,
            key_hint: None,
            request_id: None,
            idempotency_key: None,
            replayed: false,
        });
    }

    /// Every entry kept, oldest first.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries
            .lock()
            .expect("journal")
            .iter()
            .cloned()
            .collect()
    }

    /// Entries as they are recorded from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<JournalEntry> {
        self.live.subscribe()
    }
}

/// Now, in milliseconds since the Unix epoch (0 on a clock set before it).
pub(crate) fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
