//! The contact sheet: `index.html` beside the images of a batch (and of `generate --out-dir`
//! into a folder that has one), one card per request with its image, prompt, model,
//! size × quality, and for a failed one its reason. Links are relative, so the folder can be
//! zipped and shared. The cards are also kept as JSON inside the page, so a later command can
//! add to it.

use std::path::{Path, PathBuf};

use nanobanana_api::Error;
use serde::{Deserialize, Serialize};

/// The sheet's file name, in the images' folder.
pub const SHEET_FILE: &str = "index.html";

const TEMPLATE: &str = include_str!("../templates/contact-sheet.html");
/// Where the cards' JSON starts and ends inside the page.
const DATA_START: &str = "<script type=\"application/json\" id=\"nanobanana-cards\">";
const DATA_END: &str = "</script>";

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
}

impl ContactSheet {
    /// The sheet of `dir` with `cards` (replacing any earlier one).
    pub fn new(dir: &Path, title: String, cards: Vec<Card>) -> Self {
        Self {
            path: dir.join(SHEET_FILE),
            title,
            cards,
        }
    }

    /// The sheet already in `dir`, if nanobanana wrote one there.
    pub fn existing(dir: &Path) -> Option<Self> {
        let path = dir.join(SHEET_FILE);
        let text = std::fs::read_to_string(&path).ok()?;
        let start = text.find(DATA_START)? + DATA_START.len();
        let end = start + text[start..].find(DATA_END)?;
        let cards: Vec<Card> = serde_json::from_str(&text[start..end]).ok()?;
        let title = text
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or("nanobanana images")
            .to_string();
        Some(Self { path, title, cards })
    }

    /// Puts `card` on the sheet, replacing the one with its key.
    pub fn set(&mut self, card: Card) {
        match self.cards.iter_mut().find(|c| c.key == card.key) {
            Some(slot) => *slot = card,
            None => self.cards.push(card),
        }
    }

    /// The card with `key`.
    pub fn card(&self, key: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.key == key)
    }

    /// Writes the page (to a temporary file renamed over the old one: a reader never sees half).
    pub fn write(&self) -> Result<(), Error> {
        let count = |state: &str| self.cards.iter().filter(|c| c.state == state).count();
        // Inside <script>, `</` would end the element: JSON may write it `<\/`.
        let data = serde_json::to_string(&self.cards)
            .expect("cards serialize")
            .replace("</", "<\\/");
        let mut env = minijinja::Environment::new();
        let html = env
            .add_template("contact-sheet.html", TEMPLATE)
            .and_then(|()| {
                env.get_template("contact-sheet.html")?
                    .render(minijinja::context! {
                        title => self.title,
                        cards => self.cards,
                        done => count("done"),
                        failed => count("failed"),
                        waiting => count("waiting"),
                        data => data,
                    })
            })
            .map_err(|e| Error::Io {
                action: "cannot draw the contact sheet",
                path: self.path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        let partial = self.path.with_extension("html.partial");
        std::fs::write(&partial, html)
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|source| Error::Io {
                action: "cannot write the contact sheet",
                path: self.path.clone(),
                source,
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cards_survive_a_round_trip_through_the_page_even_with_markup_in_a_prompt() {
        let dir = tempfile::tempdir().unwrap();
        let card = Card::waiting(
            "line-1".into(),
            "a </script> <b>fox</b>",
            "nano-banana-2-lite",
            Some("16:9".into()),
            None,
        )
        .ended(
            dir.path(),
            Ok(("task-unified-1", &[dir.path().join("fox.png")][..])),
        );
        ContactSheet::new(dir.path(), "banners".into(), vec![card])
            .write()
            .unwrap();
        let html = std::fs::read_to_string(dir.path().join(SHEET_FILE)).unwrap();
        assert!(
            html.contains("&lt;b&gt;fox&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;fox&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("src=\"fox.png\""), "{html}");
        let read = ContactSheet::existing(dir.path()).unwrap();
        assert_eq!(read.title, "banners");
        let card = read.card("line-1").unwrap();
        assert_eq!(card.prompt, "a </script> <b>fox</b>");
        assert_eq!(card.images, ["fox.png"]);
    }
}
