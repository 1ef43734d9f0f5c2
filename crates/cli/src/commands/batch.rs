//! `nanobanana batch FILE`: many generations from a JSON-lines file, one request a line.
//!
//! Every line is read and checked before anything is sent (a bad line is reported with its
//! number); then the SDK's `generate_many` runs them with bounded concurrency, the shared
//! rate-limit backoff and a ledger beside the images, so a batch killed at any point is rerun
//! with the same command and pays for nothing twice.

mod ledger;
mod lines;
mod summary;

use std::path::{Path, PathBuf};

use nanobanana_api::tasks::{BatchOptions, BatchStop};
use nanobanana_api::{Error, Event, Observer};

use self::ledger::earlier_runs;
use self::lines::{read_lines, Destination};
use self::summary::{abandon, summarize, Run};
use crate::args::BatchArgs;
use crate::connection::connect;
use crate::contact_sheet::{ContactSheet, SheetUpdates};
use crate::error::CliError;
use crate::output::note;
use crate::progress::BatchProgress;
use crate::settings::Settings;

/// The ledger's file name, in the output directory: a name no line's `output` can take (the
/// SDK reserves it, and it is not an image file name), beside the images so that an existing
/// batch folder resumes as it always did.
pub const LEDGER_FILE: &str = "nanobanana-batch.jsonl";

/// `nanobanana batch`.
pub async fn batch(args: BatchArgs, settings: &Settings) -> Result<(), CliError> {
    let out_dir = args
        .out_dir
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.file));
    let ledger_path = out_dir.join(LEDGER_FILE);
    let lines = read_lines(
        &args.file,
        &Destination {
            out_dir: &out_dir,
            ledger: &ledger_path,
            force: args.force,
        },
        settings.timeout_secs(),
    )
    .await?;
    let earlier = earlier_runs(&ledger_path);
    // A first line at once, before the sandbox starts or the balance is asked: what will run.
    let to_create = lines
        .iter()
        .filter(|l| !earlier.saved.contains(&l.index))
        .count();
    note!(
        "batch: {} line(s), {to_create} to create ({} saved by earlier runs); images in {}",
        lines.len(),
        lines.len() - to_create,
        out_dir.display()
    );
    let connection = connect(settings, true).await?;
    let client = &connection.client;
    // The balance before, to say what this run spent; not asked when the ledger's unfinished
    // tasks are another server's, which the batch refuses before sending anything.
    let credits_before = if earlier.elsewhere(&connection.base_url) {
        None
    } else {
        client.credits().await.ok()
    };
    let progress = BatchProgress::start(lines.len());
    let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
    // The contact sheet: every line waiting, then each card filled in as its item ends.
    std::fs::create_dir_all(&out_dir).map_err(|source| CliError::File {
        action: "cannot create the images' folder",
        path: out_dir.clone(),
        source,
    })?;
    let title = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into());
    let sheet = ContactSheet::new(
        &out_dir,
        title,
        lines.iter().map(|l| l.card.clone()).collect(),
    );
    sheet.write()?;
    let sheet = std::sync::Arc::new(std::sync::Mutex::new(SheetUpdates::new(sheet)));
    let sheet_dir = out_dir.clone();
    let stop = BatchStop::new();
    let mut options = BatchOptions::new(args.concurrency, &out_dir)
        .with_ledger(&ledger_path)
        .overwrite(args.force)
        .stopped_by(stop.clone());
    if let Some(max) = args.max_credits {
        options = options.max_credits(max);
    }
    let shown = progress.clone();
    let items = lines.into_iter().map(|l| l.item);
    let line_numbers = numbers.clone();
    let updates = std::sync::Arc::clone(&sheet);
    let timeout = settings.timeout_secs();
    let observed = client.observe(Observer::new(move |event| {
        let Event::BatchItem { index, result } = event else {
            return;
        };
        // A line the stop ended is neither done nor failed: its card stays as it was.
        if matches!(result, Err(Error::Stopped { .. })) {
            return;
        }
        let failure = result
            .as_ref()
            .err()
            .map(|e| crate::exit::in_cli_words(e, timeout));
        shown.item_done(line_numbers[*index], failure.as_deref());
        let mut updates = updates.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("line-{}", line_numbers[*index]);
        if let Some(card) = updates.sheet().card(&key).cloned() {
            let outcome = match result {
                Ok(saved) => Ok((saved.task.id.as_str(), saved.files.as_slice())),
                Err(e) => Err(crate::exit::in_cli_words(e, timeout)),
            };
            if let Err(e) = updates.set(card.ended(&sheet_dir, outcome)) {
                note!("{}", crate::exit::in_cli_words(&e, timeout));
            }
        }
    }));
    // Until now a signal stops the command at once (nothing was created); from here on the
    // first one stops the batch without losing a task: no create is sent any more, and those
    // on their way are waited for so their tasks are in the ledger.
    let mut signals = crate::signals::listen();
    let run = observed.generate_many(items, options);
    tokio::pin!(run);
    let mut interrupted = None;
    let results = tokio::select! {
        results = &mut run => results,
        signal = signals.next() => {
            stop.stop();
            interrupted = Some(signal);
            let waiting = stop.creates_in_flight().len();
            note!(
                "{signal}: stopping; no new request is sent. Waiting up to {timeout} s (--timeout) for the {waiting} create request(s) on their way, so their tasks are recorded in {}. Ctrl-C again abandons them.",
                ledger_path.display()
            );
            tokio::select! {
                results = &mut run => results,
                () = tokio::time::sleep(settings.timeout) => {
                    return Err(abandon(&stop, &numbers, &progress, &sheet, &format!("no answer within {timeout} s")));
                }
                signal = signals.next() => return Err(abandon(&stop, &numbers, &progress, &sheet, &format!("{signal} again"))),
            }
        }
    };
    progress.finish();
    if let Err(e) = sheet.lock().unwrap_or_else(|p| p.into_inner()).finish() {
        note!("{}", crate::exit::in_cli_words(&e, timeout));
    }
    let results = results?;
    summarize(Run {
        client,
        credits_before,
        results,
        numbers: &numbers,
        earlier: &earlier,
        interrupted,
        out_dir: &out_dir,
        ledger_path: &ledger_path,
        json: settings.json,
        max_credits: args.max_credits,
        timeout_secs: timeout,
    })
    .await
}

/// `images/` beside the batch file: `banners.jsonl` → `banners-images/`.
fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into());
    file.with_file_name(format!("{stem}-images"))
}
