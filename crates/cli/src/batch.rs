//! `nanobanana batch FILE`: many generations from a JSON-lines file, one request a line.
//!
//! Every line is read and checked before anything is sent (a bad line is reported with its
//! number); then the SDK's `generate_many` runs them with bounded concurrency, the shared
//! rate-limit backoff and a ledger beside the images, so a batch killed at any point is rerun
//! with the same command and pays for nothing twice.

use std::path::{Path, PathBuf};

use nanobanana_api::error::ValidationError;
use nanobanana_api::tasks::{BatchOptions, BatchRequest, LedgerEntry};
use nanobanana_api::{types, Error, Event, ImageInput, ImageRequest, Observer};
use serde::Deserialize;

use crate::args::BatchArgs;
use crate::connection::connect;
use crate::contact_sheet::{Card, ContactSheet};
use crate::output::{self, note};
use crate::progress::BatchProgress;

/// The ledger's file name, in the output directory.
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

/// Reads and checks every line of `file`. Every bad line (up to [`MAX_BAD_LINES`]) is reported
/// on stderr with its number and field; the error counts them.
async fn read_lines(file: &Path) -> Result<Vec<CheckedLine>, Error> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        action: "cannot read the batch file",
        path: file.to_path_buf(),
        source,
    })?;
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        match check_line(file, i + 1, raw).await {
            Ok(line) => lines.push(line),
            Err(e) => bad.push(e),
        }
    }
    match bad.len() {
        0 if lines.is_empty() => Err(bad_line(file, 1, "the file has no requests")),
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

/// Reads and checks line `number` of `file`.
async fn check_line(file: &Path, number: usize, raw: &str) -> Result<CheckedLine, Error> {
    let base = file.parent().unwrap_or(Path::new("."));
    let line: BatchLine = serde_json::from_str(raw).map_err(|e| bad_line(file, number, e))?;
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
    Ok(CheckedLine { number, item, card })
}

/// `nanobanana batch`.
pub async fn run(args: BatchArgs) -> Result<(), Error> {
    let lines = read_lines(&args.file).await?;
    let out_dir = args
        .out_dir
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.file));
    let ledger_path = out_dir.join(LEDGER_FILE);
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
    let sheet = std::sync::Arc::new(std::sync::Mutex::new(sheet));
    let sheet_dir = out_dir.clone();
    let options = BatchOptions::new(args.concurrency, &out_dir).with_ledger(&ledger_path);
    let shown = progress.clone();
    let items = lines.into_iter().map(|l| l.item);
    let line_numbers = numbers.clone();
    let observed = client.observe(Observer::new(move |event| {
        if let Event::BatchItem { index, result } = event {
            shown.item_done(line_numbers[*index], result);
            let mut sheet = sheet.lock().unwrap_or_else(|p| p.into_inner());
            let key = format!("line-{}", line_numbers[*index]);
            if let Some(card) = sheet.card(&key).cloned() {
                let outcome = match result {
                    Ok(saved) => Ok((saved.task.id.as_str(), saved.files.as_slice())),
                    Err(e) => Err(crate::exit::in_cli_words(e)),
                };
                sheet.set(card.ended(&sheet_dir, outcome));
                if let Err(e) = sheet.write() {
                    note!("{}", crate::exit::in_cli_words(&e));
                }
            }
        }
    }));
    // Until now a signal stops the command at once (nothing was created); from here on it is
    // answered with where the ledger is.
    let mut signals = crate::signals::listen();
    let run = observed.generate_many(items, options);
    let results = tokio::select! {
        results = run => results,
        signal = signals.next() => {
            progress.finish();
            note!("{signal}: stopped; tasks already created keep running and are recorded in {}. Run the same command again to finish the batch without paying twice.", ledger_path.display());
            std::process::exit(crate::exit::INTERRUPTED);
        }
    };
    progress.finish();
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
    let failed: Vec<(usize, &Error)> = results
        .iter()
        .zip(&numbers)
        .filter_map(|(r, n)| r.as_ref().err().map(|e| (*n, e)))
        .collect();
    if args.json {
        let items: Vec<serde_json::Value> = results
            .iter()
            .zip(&numbers)
            .map(|(r, n)| match r {
                Ok(g) => serde_json::json!({"line": n, "status": "done", "task_id": g.task.id, "files": g.files}),
                Err(e) => serde_json::json!({"line": n, "status": "failed", "error": e.to_string()}),
            })
            .collect();
        output::print_json(&serde_json::json!({
            "done": done,
            "done_earlier": from_earlier,
            "done_this_run": this_run,
            "failed": failed.len(),
            "credits_used": used,
            "out_dir": out_dir,
            "items": items,
        }))?;
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
            text.push_str(&format!("line {number}: {error}\n"));
        }
        output::print(&text)?;
    }
    match failed.first() {
        None => Ok(()),
        Some(_) => {
            // The first failure decides the exit code; every one is listed above.
            let (_, first) = failed[0];
            std::process::exit(i32::from(crate::exit::code_for(first)));
        }
    }
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
