//! The contact sheet: `index.html` beside the images of a batch (and of `generate --out-dir`
//! into a folder that has one), one card per request with its image, prompt, model,
//! size × quality, and for a failed one its reason. Links are relative, so the folder can be
//! zipped and shared: each is `./` and the file's path percent-encoded, so no name can become
//! a scheme (`javascript:`) or a fragment. The cards are also kept as JSON inside the page (its
//! `<` written `\u003c`, so no text can end the script), so a later command can add to it.
//! A batch updates it through [`SheetUpdates`]: at most about once a second, and only after a
//! fifth of its cards changed, so a batch of any size writes it about seven times in all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nanobanana_api::tasks::LedgerEntry;
use nanobanana_api::Error;
use serde::{Deserialize, Serialize};

mod render;
#[cfg(test)]
mod tests;

/// The sheet's file name, in the images' folder.
pub const SHEET_FILE: &str = "index.html";

/// One request on the sheet.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Card {
    /// What identifies it: `line-N` in a batch, the task id for `generate`.
    pub key: String,
    /// `waiting`, `done` or `failed`.
    pub state: String,
    pub prompt: String,
    pub model: String,
    pub size: String,
    pub quality: String,
    /// The batch file's line, when it came from one.
    pub line: Option<usize>,
    pub task_id: Option<String>,
    /// Its images, relative to the sheet.
    pub images: Vec<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The credits its task reserved (from the batch's ledger), once known.
    #[serde(default)]
    pub credits_reserved: Option<f64>,
}

impl Card {
    /// A card for a request not sent yet.
    pub fn waiting(
        key: String,
        prompt: &str,
        model: &str,
        size: Option<String>,
        quality: Option<String>,
    ) -> Self {
        Self {
            key,
            state: "waiting".into(),
            prompt: prompt.into(),
            model: model.into(),
            size: size.unwrap_or_else(|| "auto".into()),
            quality: quality.unwrap_or_else(|| "2K".into()),
            ..Self::default()
        }
    }

    /// The card of a request that ended: its images (relative to `dir`), or why it failed.
    pub fn ended(mut self, dir: &Path, outcome: Result<(&str, &[PathBuf]), String>) -> Self {
        match outcome {
            Ok((task_id, files)) => {
                self.state = "done".into();
                self.task_id = Some(task_id.into());
                self.images = files.iter().map(|f| relative(dir, f)).collect();
                self.error = None;
            }
            Err(reason) => {
                self.state = "failed".into();
                self.error = Some(reason);
            }
        }
        self
    }
}

/// A sheet being written.
pub struct ContactSheet {
    path: PathBuf,
    title: String,
    cards: Vec<Card>,
    /// Each card's position, by key.
    positions: HashMap<String, usize>,
}

/// Where each card is, by key.
fn positions(cards: &[Card]) -> HashMap<String, usize> {
    cards
        .iter()
        .enumerate()
        .map(|(i, card)| (card.key.clone(), i))
        .collect()
}

impl ContactSheet {
    /// The sheet of `dir` with `cards` (replacing any earlier one).
    pub fn new(dir: &Path, title: String, cards: Vec<Card>) -> Self {
        Self {
            path: dir.join(SHEET_FILE),
            title,
            positions: positions(&cards),
            cards,
        }
    }

    /// Whether the file at `dir`'s sheet name is a page nanobanana wrote (or there is none):
    /// anything else there is the user's own and is not replaced without `--force`.
    pub fn is_ours_or_absent(dir: &Path) -> bool {
        let path = dir.join(SHEET_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).contains(render::DATA_START),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        }
    }

    /// The sheet already in `dir`, if nanobanana wrote one there.
    pub fn existing(dir: &Path) -> Option<Self> {
        let path = dir.join(SHEET_FILE);
        let text = std::fs::read_to_string(&path).ok()?;
        let start = text.find(render::DATA_START)? + render::DATA_START.len();
        let end = start + text[start..].find(render::DATA_END)?;
        let cards: Vec<Card> = serde_json::from_str(&text[start..end]).ok()?;
        let title = text
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or("nanobanana images")
            .to_string();
        Some(Self {
            path,
            title,
            positions: positions(&cards),
            cards,
        })
    }

    /// Puts `card` on the sheet, replacing the one with its key.
    pub fn set(&mut self, card: Card) {
        match self.positions.get(&card.key) {
            Some(&i) => self.cards[i] = card,
            None => {
                self.positions.insert(card.key.clone(), self.cards.len());
                self.cards.push(card);
            }
        }
    }

    /// The card with `key`.
    pub fn card(&self, key: &str) -> Option<&Card> {
        self.positions.get(key).map(|&i| &self.cards[i])
    }

    /// Writes the page (to a temporary file renamed over the old one: a reader never sees
    /// half). A card whose task the batch's ledger in the same folder records with its
    /// reserved credits shows them.
    pub fn write(&self) -> Result<(), Error> {
        let mut cards = self.cards.clone();
        if let Some(dir) = self.path.parent() {
            let credits = credits_in_ledger(&dir.join(LEDGER_FILE));
            for card in cards.iter_mut().filter(|c| c.credits_reserved.is_none()) {
                if let Some(task_id) = &card.task_id {
                    card.credits_reserved = credits.get(task_id).copied();
                }
            }
        }
        let html = render::page(&self.title, &cards).map_err(|e| Error::Io {
            action: "cannot draw the contact sheet",
            path: self.path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let partial = self.path.with_extension("html.partial");
        tracing::debug!(bytes = html.len(), "writing the contact sheet");
        std::fs::write(&partial, html)
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|source| Error::Io {
                action: "cannot write the contact sheet",
                path: self.path.clone(),
                source,
            })
    }
}

/// The batch ledger's file name (the CLI's `batch::LEDGER_FILE`), in the images' folder.
const LEDGER_FILE: &str = "nanobanana-batch.jsonl";

/// The credits reserved for each task the ledger at `path` records, by task id (none when
/// there is no ledger; lines that do not read as entries are skipped).
fn credits_in_ledger(path: &Path) -> HashMap<String, f64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<LedgerEntry>(line).ok())
        .filter_map(|entry| Some((entry.task_id.clone(), entry.credits_reserved?)))
        .filter(|(task_id, credits)| !task_id.is_empty() && credits.is_finite())
        .collect()
}

/// The least time between two writes of a batch's sheet.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// A batch's sheet, written as its cards change: at most once per [`MIN_INTERVAL`], and only
/// once a fifth of the cards changed since the last write (or at [`finish`](Self::finish)).
/// A batch of any size (or a rerun that reports every finished line at once) so writes the
/// page about seven times in all (a few times its final size), never once per line.
pub struct SheetUpdates {
    sheet: ContactSheet,
    last_write: Instant,
    /// Cards changed since the last write.
    changed: usize,
    /// How many changes make a write due.
    step: usize,
}

impl SheetUpdates {
    /// Updates of `sheet`, which was just written.
    pub fn new(sheet: ContactSheet) -> Self {
        let step = (sheet.cards.len() / 5).max(1);
        Self {
            sheet,
            last_write: Instant::now(),
            changed: 0,
            step,
        }
    }

    /// The sheet as it is now.
    pub fn sheet(&self) -> &ContactSheet {
        &self.sheet
    }

    /// Puts `card` on the sheet; writes it if a write is due.
    pub fn set(&mut self, card: Card) -> Result<(), Error> {
        self.sheet.set(card);
        self.changed += 1;
        if self.changed >= self.step && self.last_write.elapsed() >= MIN_INTERVAL {
            self.write()?;
        }
        Ok(())
    }

    /// Writes what changed since the last write, if anything did.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.changed > 0 {
            self.write()?;
        }
        Ok(())
    }

    fn write(&mut self) -> Result<(), Error> {
        self.changed = 0;
        self.last_write = Instant::now();
        self.sheet.write()
    }
}

/// `file` as a link from `dir`: its path below `dir`, with `/` separators.
fn relative(dir: &Path, file: &Path) -> String {
    let below = file.strip_prefix(dir).unwrap_or(file);
    let below = if below.is_absolute() {
        Path::new(file.file_name().unwrap_or_default())
    } else {
        below
    };
    below
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
