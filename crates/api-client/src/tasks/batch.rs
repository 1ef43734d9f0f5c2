//! Many generations at once: a bounded number in flight, one rate-limit gate for all of them,
//! results in input order, and an optional ledger so an interrupted batch resumes without
//! paying twice, and a finished one reruns without a single call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;

use crate::client::NanoBanana;
use crate::error::Error;
use crate::observer::Event;
use crate::request::ImageRequest;
use crate::tasks::batch_names::{name_files, names_against_ledger, names_refused};
use crate::tasks::batch_stop::BatchStop;
use crate::tasks::budget::Budget;
use crate::tasks::bulk_wait::BulkWait;
use crate::tasks::ledger::{fingerprint_of, now_unix, CompletedEntry, Ledger, LedgerEntry};
use crate::tasks::output_name::NameRefusal;
use crate::tasks::saved::{SaveTo, Saved};
use crate::tasks::waiting::TaskHandle;

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

/// What every item of a running batch shares.
#[derive(Clone, Copy)]
struct Batch<'a> {
    ledger: Option<&'a Ledger>,
    dir: &'a Path,
    stop: Option<&'a BatchStop>,
    budget: Option<&'a Budget>,
    bulk: &'a BulkWait<'a>,
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
    ///
    /// The batch's tasks are waited for in bulk: one batch task query
    /// ([`Tasks::get_many`](crate::tasks::Tasks::get_many)'s `POST /v1/tasks/batch`) per 50
    /// unfinished tasks a round, each round when the earliest of them is due by its own
    /// schedule (the estimate and creation time its create's answer gave); each task's answer
    /// is reported as [`Event::Wait`], as [`wait`](Self::wait) reports it. A gateway answering
    /// the batch query 404 or 405 is queried one task at a time for the rest of the batch; a
    /// task absent from a batch answer is queried on its own once.
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
        let refused = names_against_ledger(
            &names,
            (&options.dir, options.ledger.as_deref(), options.overwrite),
            ledger.map_or(&no_entries, |l| &l.known),
        );
        if !refused.is_empty() {
            return Err(names_refused(&refused));
        }
        let stop = options.stop.as_ref();
        let budget = options.max_credits.map(Budget::new);
        let budget = budget.as_ref();
        let mut results: Vec<Option<Result<Saved, Error>>> =
            requests.iter().map(|_| None).collect();
        // The batch's tasks are waited for together: one batch query per 50 unfinished tasks.
        let (bulk, rounds) = BulkWait::new(self);
        let bulk = &bulk;
        let mut finished = futures_util::stream::iter(requests.into_iter().enumerate())
            .map(|(index, item)| async move {
                let result = match stop {
                    // Not started before the stop: nothing to wait for.
                    Some(stop) if stop.is_stopped() => Err(Error::Stopped { task_id: None }),
                    _ => {
                        let on = Batch {
                            ledger,
                            dir,
                            stop,
                            budget,
                            bulk,
                        };
                        self.generate_one(index, item, &on).await
                    }
                };
                (index, result)
            })
            .buffer_unordered(options.concurrency.max(1));
        let collected = async {
            while let Some((index, result)) = finished.next().await {
                self.notify(&Event::BatchItem {
                    index,
                    result: &result,
                });
                results[index] = Some(result);
            }
        };
        tokio::select! {
            () = collected => {}
            () = rounds.run() => {}
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
        on: &Batch<'_>,
    ) -> Result<Saved, Error> {
        let Batch {
            ledger,
            dir,
            stop,
            budget,
            bulk,
        } = *on;
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
            let task = bulk.wait(handle).await?;
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
    names_against_ledger(
        &names,
        (&options.dir, options.ledger.as_deref(), options.overwrite),
        &known,
    )
}
