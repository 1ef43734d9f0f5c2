//! `nanobanana batch FILE`: many generations from a JSON-lines file, one request a line.
//!
//! Every line is read and checked before anything is sent (a bad line is reported with its
//! number); then the SDK's `generate_many` runs them with bounded concurrency, the shared
//! rate-limit backoff and a ledger beside the images, so a batch killed at any point is rerun
//! with the same command and pays for nothing twice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use nanobanana_api::error::ValidationError;
use nanobanana_api::tasks::{
    check_output_names, BatchOptions, BatchRequest, BatchStop, LedgerEntry, NameProblem,
};
use nanobanana_api::{types, Error, Event, ImageInput, ImageRequest, Observer};
use serde::Deserialize;

use crate::args::BatchArgs;
use crate::connection::connect;
use crate::contact_sheet::{Card, ContactSheet, SheetUpdates};
use crate::output::{self, note};
use crate::progress::BatchProgress;

/// The ledger's file name, in the output directory: a name no line's `output` can take (the
/// SDK reserves it, and it is not an image file name), beside the images so that an existing
/// batch folder resumes as it always did.
pub const LEDGER_FILE: &str = "nanobanana-batch.jsonl";

/// One line of the batch file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    /// What to draw.
    prompt: String,
    /// The model (default: the CLI's default model).
    #[serde(default)]
    model: Option<types::ImageModel>,
    #[serde(default)]
    size: Option<types::ImageSize>,
    #[serde(default)]
    quality: Option<types::ImageQuality>,
    /// Input images: URLs, or local files (relative to the batch file's directory).
    #[serde(default)]
    images: Vec<String>,
    /// The file name to save the image under, in the output directory.
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    model_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// `model_params.thinking_level`, as `generate --thinking`: auto, min or high.
    #[serde(default)]
    thinking: Option<types::ThinkingLevel>,
    /// `model_params.web_search`, as `generate --web-search`.
    #[serde(default)]
    web_search: Option<bool>,
    /// `model_params.image_search`, as `generate --image-search`.
    #[serde(default)]
    image_search: Option<bool>,
}

/// A line read and checked: its number, the request, its inputs and its name.
struct CheckedLine {
    number: usize,
    /// Its position among the file's requests (blank lines skipped), as the ledger counts.
    index: usize,
    /// The file name its image is saved under, if the line gives one.
    output: Option<String>,
    item: BatchRequest,
    /// Its card on the contact sheet.
    card: Card,
}

/// A line that is not a request, by number.
fn bad_line(file: &Path, number: usize, problem: impl std::fmt::Display) -> Error {
    Error::Validation(ValidationError {
        field: format!("line {number} of {}", file.display()),
        problem: format!("is not a request ({problem})"),
        limit: "one JSON object per line: {\"prompt\": \"…\", \"model\"?, \"size\"?, \"quality\"?, \"images\"?: [URL or path], \"output\"?: \"name.png\", \"thinking\"?: \"high\", \"web_search\"?: true, \"image_search\"?: true, \"model_params\"?: {…}} (see `nanobanana batch --help`)".into(),
    })
}

/// A request the API would refuse, by line number: the SDK's own message, placed.
fn refused_line(file: &Path, number: usize, error: ValidationError) -> Error {
    Error::Validation(ValidationError {
        field: format!("line {number} of {}: {}", file.display(), error.field),
        ..error
    })
}

/// The most bad lines reported in one pass.
const MAX_BAD_LINES: usize = 20;

/// Where a batch's files go and what it may replace: for checking the lines' names.
pub struct Destination<'a> {
    /// The images' folder.
    pub out_dir: &'a Path,
    /// The ledger.
    pub ledger: &'a Path,
    /// `--force`: replace files already in the folder.
    pub force: bool,
}

/// Reads and checks every line of `file`, their output names included. Every bad line (up to
/// [`MAX_BAD_LINES`]) is reported on stderr with its number and field; the error counts them.
async fn read_lines(file: &Path, to: &Destination<'_>) -> Result<Vec<CheckedLine>, Error> {
    let bytes = std::fs::read(file).map_err(|source| Error::Io {
        action: "cannot read the batch file",
        path: file.to_path_buf(),
        source,
    })?;
    // A byte-order mark (Windows editors write one) is not part of line 1.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut lines = Vec::new();
    let mut bad: Vec<(usize, Error)> = Vec::new();
    let mut index = 0;
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = i + 1;
        let raw = match std::str::from_utf8(raw) {
            Ok(raw) => raw,
            Err(e) => {
                let column = String::from_utf8_lossy(&raw[..e.valid_up_to()])
                    .chars()
                    .count()
                    + 1;
                bad.push((
                    number,
                    Error::Validation(ValidationError {
                        field: format!("line {number}, column {column} of {}", file.display()),
                        problem: "is not UTF-8 text".into(),
                        limit: "a batch file in UTF-8: save it as UTF-8 in your editor".into(),
                    }),
                ));
                index += 1;
                continue;
            }
        };
        if raw.trim().is_empty() {
            continue;
        }
        match check_line(file, number, index, raw).await {
            Ok(line) => lines.push(line),
            Err(e) => bad.push((number, e)),
        }
        index += 1;
    }
    if bad.is_empty() && lines.is_empty() {
        return Err(bad_line(file, 1, "the file has no requests"));
    }
    bad.extend(refused_names(file, &lines, index, to));
    bad.sort_by_key(|(number, _)| *number);
    let mut bad: Vec<Error> = bad.into_iter().map(|(_, e)| e).collect();
    match bad.len() {
        0 => Ok(lines),
        1 => Err(bad.remove(0)),
        count => {
            for error in bad.iter().take(MAX_BAD_LINES) {
                note!("{}", crate::exit::in_cli_words(error));
            }
            if count > MAX_BAD_LINES {
                note!("… and {} more bad lines", count - MAX_BAD_LINES);
            }
            Err(Error::Validation(ValidationError {
                field: file.display().to_string(),
                problem: format!("has {count} lines that are not valid requests (listed above); nothing was sent"),
                limit: "every line a valid request: fix them and run again".into(),
            }))
        }
    }
}

/// The lines whose `output` cannot be used (the SDK's rule: a plain image file name, each
/// line's own, not the ledger's or the sheet's, not a file already in the folder unless
/// `--force`), each as the error of its line; and the folder's own `index.html`, if it is not a
/// sheet nanobanana wrote, unless `--force`.
fn refused_names(
    file: &Path,
    lines: &[CheckedLine],
    requests: usize,
    to: &Destination<'_>,
) -> Vec<(usize, Error)> {
    let mut names: Vec<Option<&str>> = vec![None; requests];
    let mut number_of = vec![0; requests];
    for line in lines {
        names[line.index] = line.output.as_deref();
        number_of[line.index] = line.number;
    }
    let options = BatchOptions::new(1, to.out_dir)
        .with_ledger(to.ledger)
        .overwrite(to.force);
    let mut refused: Vec<(usize, Error)> = check_output_names(names, &options)
        .into_iter()
        .map(|refusal| {
            let problem = match &refusal.problem {
                NameProblem::SameAs(others) => {
                    let others: Vec<String> =
                        others.iter().map(|i| number_of[*i].to_string()).collect();
                    format!("is also the output of line {}", others.join(", "))
                }
                NameProblem::Exists(path) => format!(
                    "names {}, which already exists and is not an image this batch saved; add --force to replace it",
                    path.display()
                ),
                other => other.to_string(),
            };
            let number = number_of[refusal.index];
            (
                number,
                Error::Validation(ValidationError {
                    field: format!("line {number} of {}: output", file.display()),
                    problem: format!("`{}` {problem}", output::printable(&refusal.name)),
                    limit: "a plain image file name (e.g. fox.png), each line's own, saved in the images' folder".into(),
                }),
            )
        })
        .collect();
    if !to.force && !ContactSheet::is_ours_or_absent(to.out_dir) {
        let sheet = to.out_dir.join(crate::contact_sheet::SHEET_FILE);
        refused.push((
            0,
            Error::Validation(ValidationError {
                field: sheet.display().to_string(),
                problem: "is a page nanobanana did not write, and the batch's contact sheet would replace it; nothing was sent".into(),
                limit: "add --force to replace it, or choose another --out-dir".into(),
            }),
        ));
    }
    refused
}

/// Line `number` is not JSON the batch reads: where in the line (the parser reads the line
/// alone, so its own "line 1" is meaningless), and what is wrong.
fn bad_json(file: &Path, number: usize, error: &serde_json::Error) -> Error {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    match bad_line(file, number, message) {
        Error::Validation(mut refused) => {
            refused.field = format!(
                "line {number}, column {} of {}",
                error.column(),
                file.display()
            );
            Error::Validation(refused)
        }
        other => other,
    }
}

/// Reads and checks line `number` of `file`, the request at `index`.
async fn check_line(
    file: &Path,
    number: usize,
    index: usize,
    raw: &str,
) -> Result<CheckedLine, Error> {
    let base = file.parent().unwrap_or(Path::new("."));
    let line: BatchLine = serde_json::from_str(raw).map_err(|e| bad_json(file, number, &e))?;
    let model = line
        .model
        .unwrap_or_else(|| crate::args::DEFAULT_MODEL.into());
    let card = Card {
        line: Some(number),
        ..Card::waiting(
            format!("line-{number}"),
            &line.prompt,
            model.as_str(),
            line.size.as_ref().map(ToString::to_string),
            line.quality.as_ref().map(ToString::to_string),
        )
    };
    let inputs: Vec<ImageInput> = line
        .images
        .iter()
        .map(|text| match ImageInput::parse(text) {
            ImageInput::File(path) if path.is_relative() => ImageInput::File(base.join(path)),
            other => other,
        })
        .collect();
    let mut request = ImageRequest::new(model, line.prompt).images(inputs);
    if let Some(size) = line.size {
        request = request.size(size);
    }
    if let Some(quality) = line.quality {
        request = request.quality(quality);
    }
    if let Some(params) = line.model_params {
        request = request.model_params(params);
    }
    if let Some(level) = line.thinking {
        request = request.thinking(level);
    }
    if let Some(enabled) = line.web_search {
        request = request.web_search(enabled);
    }
    if let Some(enabled) = line.image_search {
        request = request.image_search(enabled);
    }
    request.check().await.map_err(|e| match e {
        // The file's own key for the images is `images`.
        Error::Validation(mut refused) => {
            if refused.field == "image_urls" {
                refused.field = "images".into();
            }
            refused_line(file, number, refused)
        }
        other => bad_line(file, number, other),
    })?;
    // Files are uploaded only when the line is about to be created.
    let item = match &line.output {
        Some(name) => BatchRequest::named(request, name.clone()),
        None => BatchRequest::from(request),
    };
    Ok(CheckedLine {
        number,
        index,
        output: line.output,
        item,
        card,
    })
}

/// `nanobanana batch`.
pub async fn run(args: BatchArgs) -> Result<(), Error> {
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
    )
    .await?;
    let earlier = earlier_runs(&ledger_path);
    let connection = connect(&args.connection, true).await?;
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
    std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
        action: "cannot create the output directory",
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
    let observed = client.observe(Observer::new(move |event| {
        let Event::BatchItem { index, result } = event else {
            return;
        };
        // A line the stop ended is neither done nor failed: its card stays as it was.
        if matches!(result, Err(Error::Stopped { .. })) {
            return;
        }
        shown.item_done(line_numbers[*index], result);
        let mut updates = updates.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("line-{}", line_numbers[*index]);
        if let Some(card) = updates.sheet().card(&key).cloned() {
            let outcome = match result {
                Ok(saved) => Ok((saved.task.id.as_str(), saved.files.as_slice())),
                Err(e) => Err(crate::exit::in_cli_words(e)),
            };
            if let Err(e) = updates.set(card.ended(&sheet_dir, outcome)) {
                note!("{}", crate::exit::in_cli_words(&e));
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
            let timeout = crate::timeout::secs();
            let waiting = stop.creates_in_flight().len();
            note!(
                "{signal}: stopping; no new request is sent. Waiting up to {timeout} s (--timeout) for the {waiting} create request(s) on their way, so their tasks are recorded in {}. Ctrl-C again abandons them.",
                ledger_path.display()
            );
            tokio::select! {
                results = &mut run => results,
                () = tokio::time::sleep(Duration::from_secs(timeout)) => {
                    abandon(&stop, &numbers, &progress, &sheet, &format!("no answer within {timeout} s"))
                }
                signal = signals.next() => abandon(&stop, &numbers, &progress, &sheet, &format!("{signal} again")),
            }
        }
    };
    progress.finish();
    if let Err(e) = sheet.lock().unwrap_or_else(|p| p.into_inner()).finish() {
        note!("{}", crate::exit::in_cli_words(&e));
    }
    let results = results?;
    let credits_after = client.credits().await.ok();
    let used = match (credits_before, credits_after) {
        (Some(before), Some(after)) => {
            let used =
                |c: &types::CreditsResponse| c.data.user.as_ref().and_then(|u| u.used_credits);
            used(&after).zip(used(&before)).map(|(a, b)| a - b)
        }
        _ => None,
    };
    let done = results.iter().filter(|r| r.is_ok()).count();
    // Lines whose images an earlier run saved (the ledger answered them, nothing was sent).
    let from_earlier = results
        .iter()
        .enumerate()
        .filter(|(index, r)| r.is_ok() && earlier.saved.contains(index))
        .count();
    let this_run = done - from_earlier;
    let stopped = |e: &Error| matches!(e, Error::Stopped { .. } | Error::OverBudget { .. });
    // Lines the budget left uncreated (a rerun with a larger --max-credits creates them).
    let over_budget = results
        .iter()
        .filter(|r| matches!(r, Err(Error::OverBudget { .. })))
        .count();
    let failed: Vec<(usize, &Error)> = results
        .iter()
        .zip(&numbers)
        .filter_map(|(r, n)| r.as_ref().err().map(|e| (*n, e)))
        .filter(|(_, e)| !stopped(e))
        .collect();
    // Lines the stop ended whose task runs on (recorded in the ledger), and lines not sent.
    let running = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Stopped { task_id: Some(_) })))
        .count();
    let not_sent = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Stopped { task_id: None })))
        .count();
    if args.json {
        let items: Vec<serde_json::Value> = results
            .iter()
            .zip(&numbers)
            .map(|(r, n)| match r {
                Ok(g) => serde_json::json!({"line": n, "status": "done", "task_id": g.task.id, "files": g.files}),
                Err(Error::Stopped { task_id }) => serde_json::json!({"line": n, "status": "interrupted", "task_id": task_id}),
                Err(Error::OverBudget { .. }) => serde_json::json!({"line": n, "status": "not_created", "reason": "max_credits"}),
                Err(e) => serde_json::json!({"line": n, "status": "failed", "error": crate::exit::in_cli_words(e)}),
            })
            .collect();
        let mut summary = serde_json::json!({
            "done": done,
            "done_earlier": from_earlier,
            "done_this_run": this_run,
            "failed": failed.len(),
            "not_created_over_budget": over_budget,
            "credits_used": used,
            "out_dir": out_dir,
            "items": items,
        });
        if interrupted.is_some() {
            summary["interrupted"] = serde_json::json!({
                "running": running,
                "not_sent": not_sent,
                "ledger": ledger_path,
            });
        }
        output::print_json(&summary)?;
    } else {
        let mut text = format!("{done} of {} done", results.len());
        if from_earlier > 0 {
            text.push_str(&format!(
                " ({this_run} by this run, {from_earlier} by earlier runs)"
            ));
        }
        text.push_str(&format!(", {} failed", failed.len()));
        match used {
            Some(used) if this_run > 0 || used > 0.0 => {
                text.push_str(&format!(", {used:.1} credits used by this run"))
            }
            _ => {}
        }
        text.push_str(&format!(
            "; images in {} (contact sheet: {})\n",
            out_dir.display(),
            out_dir.join(crate::contact_sheet::SHEET_FILE).display()
        ));
        for (number, error) in &failed {
            text.push_str(&format!(
                "line {number}: {}\n",
                crate::exit::in_cli_words(error)
            ));
        }
        output::print(&text)?;
    }
    if over_budget > 0 {
        note!(
            "{over_budget} line(s) not created: the next create would pass --max-credits {}. They stay for later: run the same command with a larger --max-credits to create them, without paying twice for what is done.",
            args.max_credits.unwrap_or_default()
        );
    }
    if let Some(signal) = interrupted {
        note!(
            "{signal}: stopped; {running} task(s) already created keep running and are recorded in {}, {not_sent} line(s) were not sent. Run the same command again to finish the batch without paying twice.",
            ledger_path.display()
        );
        std::process::exit(crate::exit::INTERRUPTED);
    }
    match failed.first() {
        None if over_budget > 0 => std::process::exit(i32::from(crate::exit::OVER_BUDGET)),
        None => Ok(()),
        Some(_) => {
            // The first failure decides the exit code; every one is listed above.
            let (_, first) = failed[0];
            std::process::exit(i32::from(crate::exit::code_for(first)));
        }
    }
}

/// Gives up on the creates still on their way (a second signal, or no answer in time): names
/// their lines, whose tasks may exist without being in the ledger, and exits.
fn abandon(
    stop: &BatchStop,
    numbers: &[usize],
    progress: &BatchProgress,
    sheet: &std::sync::Mutex<SheetUpdates>,
    why: &str,
) -> ! {
    progress.finish();
    let _ = sheet.lock().unwrap_or_else(|p| p.into_inner()).finish();
    let lines: Vec<String> = stop
        .creates_in_flight()
        .iter()
        .map(|index| numbers[*index].to_string())
        .collect();
    if lines.is_empty() {
        note!("{why}: stopped; every task created is recorded in the ledger. Run the same command again to finish the batch without paying twice.");
    } else {
        note!(
            "{why}: abandoned the create requests of line(s) {}: their tasks may exist and be billed without being in the ledger (a rerun creates them again). Every other task created is recorded; run the same command again to finish the batch.",
            lines.join(", ")
        );
    }
    std::process::exit(crate::exit::INTERRUPTED)
}

/// What earlier runs left in the ledger.
#[derive(Default)]
struct Earlier {
    /// Lines (by position among the requests) whose images were saved.
    saved: std::collections::HashSet<usize>,
    /// The servers the unfinished tasks were created on.
    unfinished_on: std::collections::HashSet<String>,
}

impl Earlier {
    /// Whether unfinished tasks were created on another server than `base_url`.
    fn elsewhere(&self, base_url: &str) -> bool {
        let this = base_url.trim_end_matches('/');
        self.unfinished_on
            .iter()
            .any(|url| url.trim_end_matches('/') != this)
    }
}

/// Reads what the ledger at `path` records, if there is one (the SDK reads it again, under its
/// lock, to resume; this is for the summary).
fn earlier_runs(path: &Path) -> Earlier {
    let mut by_index = std::collections::HashMap::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        for entry in text
            .lines()
            .filter_map(|l| serde_json::from_str::<LedgerEntry>(l).ok())
        {
            by_index.insert(entry.index, entry);
        }
    }
    let mut earlier = Earlier::default();
    for (index, entry) in by_index {
        match (&entry.completed, entry.base_url) {
            (Some(_), _) => {
                earlier.saved.insert(index);
            }
            (None, Some(url)) => {
                earlier.unfinished_on.insert(url);
            }
            (None, None) => {}
        }
    }
    earlier
}

/// `images/` beside the batch file: `banners.jsonl` → `banners-images/`.
fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into());
    file.with_file_name(format!("{stem}-images"))
}
