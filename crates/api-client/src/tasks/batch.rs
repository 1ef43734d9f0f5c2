//! Many generations at once: a bounded number in flight, one rate-limit gate for all of them,
//! results in input order, and an optional ledger so an interrupted batch resumes without
//! paying twice, and a finished one reruns without a single call.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::client::NanoBanana;
use crate::error::Error;
use crate::image_input::ImageInput;
use crate::observer::Event;
use crate::request::ImageRequest;
use crate::tasks::batch_stop::BatchStop;
use crate::tasks::budget::Budget;
use crate::tasks::output_name::{candidates, check_names, NameContext, NameRefusal};
use crate::tasks::saved::{SaveTo, Saved};
use crate::tasks::waiting::TaskHandle;
use crate::types;

/// Results are kept this long after generation; older ledger entries are not resumed.
pub const RESULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// How [`NanoBanana::generate_many`] runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BatchOptions {
    /// At most this many generations in flight.
    pub concurrency: usize,
    /// Where images are saved.
    pub dir: PathBuf,
    /// A JSON-lines file recording each submitted task; rerunning the same batch with it
    /// resumes those tasks instead of creating them again.
    pub ledger: Option<PathBuf>,
    /// Replace files in `dir` that items are named after and that this batch did not save
    /// (default: refuse the batch before anything is sent).
    pub overwrite: bool,
    /// Stops the batch without losing a created task (see [`BatchStop`]).
    pub stop: Option<BatchStop>,
    /// Creates no task that would bring the credits this run reserves past this (see
    /// [`max_credits`](Self::max_credits)).
    pub max_credits: Option<f64>,
}

impl BatchOptions {
    /// `concurrency` in flight, images saved in `dir`, no ledger.
    pub fn new(concurrency: usize, dir: impl Into<PathBuf>) -> Self {
        Self {
            concurrency: concurrency.max(1),
            dir: dir.into(),
            ledger: None,
            overwrite: false,
            stop: None,
            max_credits: None,
        }
    }

    /// A budget: before each create the batch counts what it will reserve (learned from an
    /// earlier create's `usage.credits_reserved` for the same model and quality; until one is
    /// seen, one create of that kind at a time) and creates nothing that would bring this run's
    /// reserved credits past `credits`. Requests not created end in [`Error::OverBudget`]; a
    /// rerun with the same ledger and a larger budget creates them.
    pub fn max_credits(mut self, credits: f64) -> Self {
        self.max_credits = Some(credits);
        self
    }

    /// Replace files in `dir` that items are named after and that this batch did not save,
    /// instead of refusing the batch (default: refuse).
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Lets `stop` stop the batch without losing a created task (see [`BatchStop`]).
    pub fn stopped_by(mut self, stop: BatchStop) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Records submitted tasks in `path` and resumes those it already lists.
    pub fn with_ledger(mut self, path: impl Into<PathBuf>) -> Self {
        self.ledger = Some(path.into());
        self
    }
}

/// One request of a batch, and optionally the file name its image is saved under (in the
/// batch's directory; a second image gets `-1`, and so on). Without a name, images are saved as
/// `<task_id>-<n>.<ext>`. With the `convert` feature, `banner.png` is a PNG even when the
/// service returned a JPEG; without it the extension is the image's real type (`banner.jpg`).
/// Any [`ImageRequest`] (or what converts into one) is a batch request without a name.
#[derive(Clone, Debug)]
pub struct BatchRequest {
    request: ImageRequest,
    name: Option<String>,
}

impl BatchRequest {
    /// `request`, saved under `name`.
    pub fn named(request: impl Into<ImageRequest>, name: impl Into<String>) -> Self {
        Self {
            request: request.into(),
            name: Some(name.into()),
        }
    }
}

impl<R: Into<ImageRequest>> From<R> for BatchRequest {
    fn from(request: R) -> Self {
        Self {
            request: request.into(),
            name: None,
        }
    }
}

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
struct Ledger {
    path: PathBuf,
    known: HashMap<usize, LedgerEntry>,
    writer: Mutex<std::fs::File>,
    /// `<ledger>.lock`, locked (an OS lock, released when the process ends, even by kill -9)
    /// while this batch runs, with its process id in it: one batch per ledger.
    _lock: std::fs::File,
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
    fn resumable(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
        self.recent(index, fingerprint)
            .filter(|entry| !entry.task_id.is_empty())
    }

    /// A create sent for this request whose answer the ledger never got (the batch was killed
    /// or the answer lost): sent again with its key, it answers the task it created, if any.
    fn unanswered(&self, index: usize, fingerprint: &str) -> Option<&LedgerEntry> {
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
    fn completed(&self, index: usize, fingerprint: &str) -> Option<Saved> {
        let entry = self.entry(index, fingerprint)?;
        let done = entry.completed.as_ref()?;
        done.files.iter().all(|f| f.is_file()).then(|| Saved {
            task: done.task.clone(),
            files: done.files.clone(),
        })
    }

    /// Refuses a ledger whose unfinished tasks were created on another server than `current`.
    fn check_server(&self, current: &str) -> Result<(), Error> {
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
fn fingerprint_of(
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

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl NanoBanana {
    /// Generates every request, at most `options.concurrency` at a time, and returns one result
    /// per request in input order; each is reported to the observer as it ends
    /// ([`Event::BatchItem`]). All calls share this client's rate-limit gate: a 429 holds back
    /// every request of the batch for the wait the server asked for. The outer error is for the
    /// batch itself (the ledger cannot be read or created).
    ///
    /// With a ledger, a request whose images the ledger records as saved (and whose files are
    /// still there) is not sent again: rerunning a finished batch makes no call at all; local
    /// files of a resumed or finished request are not uploaded again.
    pub async fn generate_many<R>(
        &self,
        requests: impl IntoIterator<Item = R>,
        options: BatchOptions,
    ) -> Result<Vec<Result<Saved, Error>>, Error>
    where
        R: Into<BatchRequest>,
    {
        let ledger = options.ledger.as_deref().map(Ledger::open).transpose()?;
        let ledger = ledger.as_ref();
        if let Some(ledger) = ledger {
            ledger.check_server(self.base_url())?;
        }
        let dir = options.dir.as_path();
        let requests: Vec<BatchRequest> = requests.into_iter().map(Into::into).collect();
        let names: Vec<Option<&str>> = requests.iter().map(|r| r.name.as_deref()).collect();
        let no_entries = HashMap::new();
        let refused =
            names_against_ledger(&names, &options, ledger.map_or(&no_entries, |l| &l.known));
        if !refused.is_empty() {
            return Err(names_refused(&refused));
        }
        let stop = options.stop.as_ref();
        let budget = options.max_credits.map(Budget::new);
        let budget = budget.as_ref();
        let mut results: Vec<Option<Result<Saved, Error>>> =
            requests.iter().map(|_| None).collect();
        let mut finished = futures_util::stream::iter(requests.into_iter().enumerate())
            .map(|(index, item)| async move {
                let result = match stop {
                    // Not started before the stop: nothing to wait for.
                    Some(stop) if stop.is_stopped() => Err(Error::Stopped { task_id: None }),
                    _ => {
                        self.generate_one(index, item, ledger, dir, stop, budget)
                            .await
                    }
                };
                (index, result)
            })
            .buffer_unordered(options.concurrency.max(1));
        while let Some((index, result)) = finished.next().await {
            self.notify(&Event::BatchItem {
                index,
                result: &result,
            });
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
        item: BatchRequest,
        ledger: Option<&Ledger>,
        dir: &Path,
        stop: Option<&BatchStop>,
        budget: Option<&Budget>,
    ) -> Result<Saved, Error> {
        // Resolves when the batch is stopped (never without a stop handle).
        let stopped = || async move {
            match stop {
                Some(stop) => stop.stopped().await,
                None => std::future::pending().await,
            }
        };
        let BatchRequest { request, name } = item;
        let checked = request.checked().await?;
        let fingerprint = fingerprint_of(&checked.request, &checked.images, name.as_deref());
        if let Some(done) = ledger.and_then(|l| l.completed(index, &fingerprint)) {
            tracing::info!(index, "already saved, per the ledger");
            return Ok(done);
        }
        let (handle, created_at, resumed, request, key, credits) =
            match ledger.and_then(|l| l.resumable(index, &fingerprint)) {
                Some(entry) => {
                    tracing::info!(
                        index,
                        task_id = entry.task_id,
                        "resuming a task from the ledger"
                    );
                    (
                        TaskHandle::from(entry.task_id.as_str()),
                        entry.created_at,
                        true,
                        entry.request.clone(),
                        entry.idempotency_key.clone(),
                        entry.credits_reserved,
                    )
                }
                None => {
                    let unanswered = ledger.and_then(|l| l.unanswered(index, &fingerprint));
                    let (request, key) = match unanswered {
                        // Sent before without an answer: the same body (its uploads as they
                        // were) and the same key, so the service answers the task it created.
                        Some(entry) => {
                            tracing::info!(index, "sending a create again with its recorded key");
                            (
                                entry.request.clone(),
                                entry.idempotency_key.clone().unwrap_or_default(),
                            )
                        }
                        None => {
                            // The request's own key, else a new one for this submission.
                            let key = checked
                                .idempotency_key
                                .clone()
                                .unwrap_or_else(crate::idempotency::new_idempotency_key);
                            // Uploads end at a stop: nothing is created for this request.
                            let request = tokio::select! {
                                request = self.with_uploads(checked) => request?,
                                () = stopped() => return Err(Error::Stopped { task_id: None }),
                            };
                            (request, key)
                        }
                    };
                    // Nothing is created past the budget (the request stays for a rerun).
                    let allowance = match budget {
                        Some(budget) => Some(budget.allow(&request).await?),
                        None => None,
                    };
                    // From the moment the create is sent it runs to its answer, stop or not:
                    // its task is recorded before this request ends.
                    let in_flight = match stop {
                        Some(stop) if stop.is_stopped() => {
                            if let (Some(budget), Some(allowance)) = (budget, allowance) {
                                budget.settle(allowance, None, false);
                            }
                            return Err(Error::Stopped { task_id: None });
                        }
                        Some(stop) => Some(stop.create_sent(index)),
                        None => None,
                    };
                    let entry = |task_id: String, created_at, credits_reserved| LedgerEntry {
                        index,
                        request: request.clone(),
                        task_id,
                        created_at,
                        base_url: Some(self.base_url().to_string()),
                        fingerprint: Some(fingerprint.clone()),
                        idempotency_key: Some(key.clone()),
                        credits_reserved,
                        completed: None,
                    };
                    // The key is in the ledger before the create leaves: a batch killed with
                    // the create on the wire sends it again, on rerun, with this key.
                    if let (Some(ledger), None) = (ledger, unanswered) {
                        if let Err(e) = ledger.record(&entry(String::new(), now_unix(), None)) {
                            if let (Some(budget), Some(allowance)) = (budget, allowance) {
                                budget.settle(allowance, None, false);
                            }
                            return Err(e);
                        }
                    }
                    let created = self.send_create(request.clone(), key.clone()).await;
                    if let (Some(budget), Some(allowance)) = (budget, allowance) {
                        let answer = created.as_ref().ok();
                        budget.settle(
                            allowance,
                            answer.and_then(|c| c.usage.as_ref()?.credits_reserved),
                            answer.is_some_and(|c| c.replayed),
                        );
                    }
                    let created = created?;
                    let created_at = now_unix();
                    let credits = created.usage.as_ref().and_then(|u| u.credits_reserved);
                    if let Some(ledger) = ledger {
                        ledger.record(&entry(created.id.clone(), created_at, credits))?;
                    }
                    drop(in_flight);
                    (
                        TaskHandle::from(&created),
                        created_at,
                        false,
                        request,
                        Some(key),
                        credits,
                    )
                }
            };
        let task_id = handle.id.clone();
        let stopped_here = || Error::Stopped {
            task_id: Some(task_id.clone()),
        };
        if stop.is_some_and(BatchStop::is_stopped) {
            return Err(stopped_here());
        }
        // Waiting and downloading end at a stop: the ledger has the task to resume.
        let waited = async {
            let task = self.wait(handle).await?;
            // A resumed task's images may be saved already, in part or whole: they are its own.
            let files = self
                .download(&task, SaveTo::from(dir).overwrite(resumed))
                .await?;
            Ok::<_, Error>((task, files))
        };
        let (task, files) = tokio::select! {
            waited = waited => waited?,
            () = stopped() => return Err(stopped_here()),
        };
        let files = match &name {
            Some(name) => name_files(files, dir, name)?,
            None => files,
        };
        if let Some(ledger) = ledger {
            ledger.record(&LedgerEntry {
                index,
                request,
                task_id,
                created_at,
                base_url: Some(self.base_url().to_string()),
                fingerprint: Some(fingerprint),
                idempotency_key: key,
                credits_reserved: credits,
                completed: Some(CompletedEntry {
                    task: task.clone(),
                    files: files.clone(),
                }),
            })?;
        }
        Ok(Saved { task, files })
    }
}

/// Checks every item's name of a batch before anything is sent: each on its own
/// ([`check_output_name`](crate::tasks::check_output_name)), not the batch's ledger, not a name
/// another item takes (each of them named), and not a file already in `options.dir` that is not
/// an image this batch saved (per its ledger), unless `options.overwrite`. Every problem is
/// returned, in item order. [`NanoBanana::generate_many`] runs the same checks and refuses the
/// batch if any fails; this lets a caller report them first, in its own words.
pub fn check_output_names<'a>(
    names: impl IntoIterator<Item = Option<&'a str>>,
    options: &BatchOptions,
) -> Vec<NameRefusal> {
    let mut known = HashMap::new();
    if let Some(text) = options
        .ledger
        .as_deref()
        .and_then(|path| std::fs::read_to_string(path).ok())
    {
        for entry in text
            .lines()
            .filter_map(|l| serde_json::from_str::<LedgerEntry>(l).ok())
        {
            known.insert(entry.index, entry);
        }
    }
    let names: Vec<Option<&str>> = names.into_iter().collect();
    names_against_ledger(&names, options, &known)
}

/// [`check_output_names`] with the ledger's entries read.
fn names_against_ledger(
    names: &[Option<&str>],
    options: &BatchOptions,
    ledger: &HashMap<usize, LedgerEntry>,
) -> Vec<NameRefusal> {
    // What earlier runs of this batch saved, or were saving, by file name.
    let saved_by_batch = ledger
        .values()
        .flat_map(|entry| {
            let files = entry
                .completed
                .iter()
                .flat_map(|done| done.files.iter())
                .filter_map(|f| f.file_name().and_then(|n| n.to_str()))
                .map(str::to_lowercase);
            let named = entry
                .fingerprint
                .as_deref()
                .and_then(name_in_fingerprint)
                .into_iter()
                .flat_map(|name| candidates(Path::new(""), &name))
                .filter_map(|p| p.to_str().map(str::to_lowercase));
            files.chain(named).collect::<Vec<_>>()
        })
        .collect();
    check_names(
        names,
        &NameContext {
            dir: &options.dir,
            ledger: options.ledger.as_deref(),
            overwrite: options.overwrite,
            saved_by_batch,
        },
    )
}

/// The item's name recorded in a ledger fingerprint (`[request, images, name]`).
fn name_in_fingerprint(fingerprint: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(fingerprint).ok()?;
    value.get(2)?.as_str().map(str::to_string)
}

/// The batch refused for its names, every refusal listed.
fn names_refused(refused: &[NameRefusal]) -> Error {
    let listed: Vec<String> = refused.iter().map(ToString::to_string).collect();
    Error::Validation(crate::error::ValidationError::new(
        "the requests' file names",
        format!(
            "{} refused; nothing was sent: {}",
            if refused.len() == 1 {
                "1 name is".to_string()
            } else {
                format!("{} names are", refused.len())
            },
            listed.join("; ")
        ),
        "a plain file name ending in .png, .jpg, .jpeg or .webp (or no extension), at most 255 bytes, no control characters, not a Windows device name, each item's own, not a file already in the folder (tasks::check_output_name)",
    ))
}

/// Moves `files` to `dir/name` (then `name-1`, …). With the `convert` feature an image whose
/// type differs from what `name`'s extension says is converted; without it, each keeps its own
/// type's extension.
fn name_files(files: Vec<PathBuf>, dir: &Path, name: &str) -> Result<Vec<PathBuf>, Error> {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let asked = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned());
    let mut named = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let own = file
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = if cfg!(feature = "convert") {
            asked.clone().unwrap_or(own)
        } else {
            own
        };
        let target = if i == 0 {
            dir.join(format!("{stem}.{ext}"))
        } else {
            dir.join(format!("{stem}-{i}.{ext}"))
        };
        #[cfg(feature = "convert")]
        crate::convert::save_as(&file, &target)?;
        #[cfg(not(feature = "convert"))]
        std::fs::rename(&file, &target).map_err(|source| Error::Io {
            action: "cannot move the saved image to",
            path: target.clone(),
            source,
        })?;
        named.push(target);
    }
    Ok(named)
}
