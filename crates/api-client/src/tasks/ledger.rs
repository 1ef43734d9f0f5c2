//! The batch ledger: one JSON line per submitted task (and per saved result), read once when
//! a batch starts, appended and synced as it runs, locked while it runs, so an interrupted
//! batch resumes without paying twice.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::image_input::ImageInput;
use crate::tasks::saved::Saved;
use crate::types;

/// Results are kept this long after generation; older ledger entries are not resumed.
pub const RESULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// One line of the ledger: a task submitted for a request, or (with `completed`) its images
/// saved. A later line for the same index replaces an earlier one.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct LedgerEntry {
    /// The request's position in the batch.
    pub index: usize,
    /// The request as sent; a changed request is not resumed.
    pub request: types::ImageGenerationRequest,
    /// The task created for it; empty while its create is on the wire (the entry then holds
    /// the create's `idempotency_key`, and a rerun sends the create again with that key).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// Unix seconds when it was created.
    pub created_at: u64,
    /// The base URL of the API that created it (absent in ledgers written before 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The request and inputs as given, when they differ from `request` (local images are
    /// uploaded anew each run); compared instead of `request` when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The `Idempotency-Key` its create was sent with, recorded before the create is sent
    /// (absent in ledgers written before 0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// The credits the service reserved for its task (`usage.credits_reserved`), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_reserved: Option<f64>,
    /// Set once its images are saved: the completed task and where its images are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<CompletedEntry>,
}

/// A request whose images are saved.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct CompletedEntry {
    /// The completed task.
    pub task: types::TaskDetail,
    /// The saved images.
    pub files: Vec<PathBuf>,
}

/// The ledger file: read once, appended (and synced) after every create.
pub(crate) struct Ledger {
    path: PathBuf,
    pub(crate) known: HashMap<usize, LedgerEntry>,
    writer: Mutex<std::fs::File>,
    /// `<ledger>.lock`, locked (an OS lock, released when the process ends, even by kill -9)
    /// while this batch runs, with its process id in it: one batch per ledger.
    _lock: std::fs::File,
}

impl Ledger {
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let io = |action| {
            let path = path.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io("cannot create the ledger's directory"))?;
        }
        let lock = lock_ledger(path)?;
        let mut known = HashMap::new();
        let mut unfinished_line = false;
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(io("cannot read the ledger"))?;
            // A line cut by a crash is skipped; its task is created again.
            for entry in text
                .lines()
                .filter_map(|l| serde_json::from_str::<LedgerEntry>(l).ok())
            {
                known.insert(entry.index, entry);
            }
            unfinished_line = !text.is_empty() && !text.ends_with('\n');
        }
        let mut writer = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io("cannot open the ledger"))?;
        if unfinished_line {
            // End the cut line so the next entry starts on a line of its own.
            writer
                .write_all(b"\n")
                .map_err(io("cannot write the ledger"))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            known,
            writer: Mutex::new(writer),
            _lock: lock,
        })
    }

    /// The entry for this request: same index, same request and inputs (an entry written
    /// before fingerprints, by its request alone).
    fn entry(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
        self.known.get(&index).filter(|e| match &e.fingerprint {
            Some(recorded) => recorded == fingerprint,
            None => fingerprint_of(&e.request, &[], None) == fingerprint,
        })
    }

    /// The task already submitted for this request, if it is recent enough to resume.
    pub(crate) fn resumable(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
        self.recent(index, fingerprint)
            .filter(|entry| !entry.task_id.is_empty())
    }

    /// A create sent for this request whose answer the ledger never got (the batch was killed
    /// or the answer lost): sent again with its key, it answers the task it created, if any.
    pub(crate) fn unanswered(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
        self.recent(index, fingerprint)
            .filter(|entry| entry.task_id.is_empty() && entry.idempotency_key.is_some())
    }

    /// This request's entry, if it was written within the results' (and keys') lifetime.
    fn recent(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
        let entry = self.entry(index, fingerprint)?;
        let age = now_unix().saturating_sub(entry.created_at);
        (age < RESULT_LIFETIME.as_secs()).then_some(entry)
    }

    /// The saved result of this request, if the ledger records one and its files are there.
    pub(crate) fn completed(&self, index: usize, fingerprint: &str) -> Option<Saved> {
        let entry = self.entry(index, fingerprint)?;
        let done = entry.completed.as_ref()?;
        done.files.iter().all(|f| f.is_file()).then(|| Saved {
            task: done.task.clone(),
            files: done.files.clone(),
        })
    }

    /// Refuses a ledger whose unfinished tasks were created on another server than `current`.
    pub(crate) fn check_server(&self, current: &str) -> Result<(), Error> {
        let elsewhere: Vec<&str> = self
            .known
            .values()
            .filter(|e| e.completed.is_none())
            .filter_map(|e| e.base_url.as_deref())
            .filter(|url| *url != current)
            .collect();
        match elsewhere.first() {
            None => Ok(()),
            Some(recorded) => Err(Error::LedgerElsewhere {
                ledger: self.path.clone(),
                recorded: recorded.to_string(),
                current: current.to_string(),
                unfinished: elsewhere.len(),
            }),
        }
    }

    pub(crate) fn record(&self, entry: &LedgerEntry) -> Result<(), Error> {
        let mut line = serde_json::to_string(entry).expect("ledger entries serialize");
        line.push('\n');
        let mut file = self.writer.lock().expect("ledger lock");
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|source| Error::Io {
                action: "cannot write the ledger",
                path: self.path.clone(),
                source,
            })
    }
}

/// Takes the ledger's lock file, or says which process holds it. Two batches on one ledger
/// would both create (and pay for) the tasks neither has recorded yet.
fn lock_ledger(ledger: &Path) -> Result<std::fs::File, Error> {
    use std::io::{Read, Seek};
    let mut name = ledger.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let io = |action| {
        let path = path.clone();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io("cannot open the ledger's lock file"))?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| write!(file, "{}", std::process::id()))
                .map_err(io("cannot write the ledger's lock file"))?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            Err(Error::LedgerInUse {
                ledger: ledger.to_path_buf(),
                holder: holder.trim().parse().ok(),
            })
        }
        Err(std::fs::TryLockError::Error(source)) => {
            Err(io("cannot lock the ledger's lock file")(source))
        }
    }
}

/// The request, its input images as given and its file name, as one comparable string.
pub(crate) fn fingerprint_of(
    request: &types::ImageGenerationRequest,
    images: &[ImageInput],
    name: Option<&str>,
) -> String {
    let images: Vec<String> = images
        .iter()
        .map(|i| match i {
            ImageInput::Url(url) => url.clone(),
            ImageInput::File(path) => format!("file:{}", path.display()),
        })
        .collect();
    serde_json::to_string(&(request, images, name)).expect("requests serialize")
}

pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
