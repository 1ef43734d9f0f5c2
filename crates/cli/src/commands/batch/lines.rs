//! A batch file's lines, read and checked before anything is sent: each a request the API
//! would take, with an output name of its own; every bad line reported with its number.

use std::path::Path;

use nanobanana_api::error::ValidationError;
use nanobanana_api::tasks::{check_output_names, BatchOptions, BatchRequest, NameProblem};
use nanobanana_api::{types, Error, ImageInput, ImageRequest};
use serde::Deserialize;

use crate::contact_sheet::{Card, ContactSheet};
use crate::error::CliError;
use crate::output::{self, note};

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
pub struct CheckedLine {
    pub number: usize,
    /// Its position among the file's requests (blank lines skipped), as the ledger counts.
    pub index: usize,
    /// The file name its image is saved under, if the line gives one.
    pub output: Option<String>,
    /// The request, as the SDK's batch takes it.
    pub item: BatchRequest,
    /// Its card on the contact sheet.
    pub card: Card,
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
/// `timeout_secs` is `--timeout`, for the SDK's words.
pub async fn read_lines(
    file: &Path,
    to: &Destination<'_>,
    timeout_secs: u64,
) -> Result<Vec<CheckedLine>, CliError> {
    let bytes = std::fs::read(file).map_err(|source| CliError::File {
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
        return Err(bad_line(file, 1, "the file has no requests").into());
    }
    bad.extend(refused_names(file, &lines, index, to));
    bad.sort_by_key(|(number, _)| *number);
    let mut bad: Vec<Error> = bad.into_iter().map(|(_, e)| e).collect();
    match bad.len() {
        0 => Ok(lines),
        1 => Err(bad.remove(0).into()),
        count => {
            for error in bad.iter().take(MAX_BAD_LINES) {
                note!("{}", crate::exit::in_cli_words(error, timeout_secs));
            }
            if count > MAX_BAD_LINES {
                note!("… and {} more bad lines", count - MAX_BAD_LINES);
            }
            Err(CliError::Api(Error::Validation(ValidationError {
                field: file.display().to_string(),
                problem: format!("has {count} lines that are not valid requests (listed above); nothing was sent"),
                limit: "every line a valid request: fix them and run again".into(),
            })))
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
