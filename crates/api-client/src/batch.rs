//! Many generations at once: a bounded number in flight, one rate-limit gate for all of them,
//! results in input order, and an optional ledger so an interrupted batch resumes without
//! paying twice.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::classify::conversion_error;
use crate::error::Error;
use crate::nanobanana::Generated;
use crate::waiting::TaskHandle;
use crate::{types, NanoBanana};

/// Results are kept this long after generation; older ledger entries are not resumed.
pub const RESULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// How [`NanoBanana::generate_many`] runs.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// At most this many generations in flight.
    pub concurrency: usize,
    /// Where images are saved.
    pub dir: PathBuf,
    /// A JSON-lines file recording each submitted task; rerunning the same batch with it
    /// resumes those tasks instead of creating them again.
    pub ledger: Option<PathBuf>,
}

impl BatchOptions {
    /// `concurrency` in flight, images saved in `dir`, no ledger.
    pub fn new(concurrency: usize, dir: impl Into<PathBuf>) -> Self {
        Self {
            concurrency: concurrency.max(1),
            dir: dir.into(),
            ledger: None,
        }
    }

    /// Records submitted tasks in `path` and resumes those it already lists.
    pub fn ledger(mut self, path: impl Into<PathBuf>) -> Self {
        self.ledger = Some(path.into());
        self
    }
}

/// One line of the ledger.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LedgerEntry {
    /// The request's position in the batch.
    pub index: usize,
    /// The request as sent; a changed request is not resumed.
    pub request: types::ImageGenerationRequest,
    /// The task created for it.
    pub task_id: String,
    /// Unix seconds when it was created.
    pub created_at: u64,
}

/// The ledger file: read once, appended (and synced) after every create.
struct Ledger {
    path: PathBuf,
    known: HashMap<usize, LedgerEntry>,
    writer: Mutex<std::fs::File>,
}

impl Ledger {
    fn open(path: &Path) -> Result<Self, Error> {
        let io = |action| {
            let path = path.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
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
        })
    }

    /// The task already submitted for this request, if it is recent enough to resume.
    fn resumable(&self, index: usize, request: &types::ImageGenerationRequest) -> Option<&str> {
        let entry = self.known.get(&index)?;
        let age = now_unix().saturating_sub(entry.created_at);
        (entry.request == *request && age < RESULT_LIFETIME.as_secs())
            .then_some(entry.task_id.as_str())
    }

    fn record(&self, entry: &LedgerEntry) -> Result<(), Error> {
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

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl NanoBanana {
    /// Generates every request, at most `options.concurrency` at a time, and returns one result
    /// per request in input order. All calls share this client's rate-limit gate: a 429 holds
    /// back every request of the batch for the wait the server asked for. The outer error is
    /// for the batch itself (the ledger cannot be read or created).
    pub async fn generate_many<R>(
        &self,
        requests: impl IntoIterator<Item = R>,
        options: BatchOptions,
    ) -> Result<Vec<Result<Generated, Error>>, Error>
    where
        R: TryInto<types::ImageGenerationRequest>,
        R::Error: std::fmt::Display,
    {
        let ledger = options.ledger.as_deref().map(Ledger::open).transpose()?;
        let ledger = ledger.as_ref();
        let dir = options.dir.as_path();
        let requests: Vec<_> = requests
            .into_iter()
            .map(|r| r.try_into().map_err(|e| conversion_error(e.to_string())))
            .collect();
        let mut results: Vec<Option<Result<Generated, Error>>> =
            requests.iter().map(|_| None).collect();
        let mut finished = futures_util::stream::iter(requests.into_iter().enumerate())
            .map(|(index, request)| async move {
                let result = match request {
                    Ok(request) => self.generate_one(index, request, ledger, dir).await,
                    Err(invalid) => Err(invalid),
                };
                (index, result)
            })
            .buffer_unordered(options.concurrency.max(1));
        while let Some((index, result)) = finished.next().await {
            results[index] = Some(result);
        }
        Ok(results
            .into_iter()
            .map(|r| r.expect("every request yields a result"))
            .collect())
    }

    async fn generate_one(
        &self,
        index: usize,
        request: types::ImageGenerationRequest,
        ledger: Option<&Ledger>,
        dir: &Path,
    ) -> Result<Generated, Error> {
        if let Some(task_id) = ledger.and_then(|l| l.resumable(index, &request)) {
            tracing::info!(index, task_id, "resuming a task from the ledger");
            return self.finish(TaskHandle::from(task_id), dir).await;
        }
        let created = self.create(request.clone()).await?;
        if let Some(ledger) = ledger {
            ledger.record(&LedgerEntry {
                index,
                request,
                task_id: created.id.clone(),
                created_at: now_unix(),
            })?;
        }
        self.finish(TaskHandle::from(&created), dir).await
    }
}
