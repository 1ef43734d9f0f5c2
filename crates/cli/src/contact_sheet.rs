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
            Ok(bytes) => String::from_utf8_lossy(&bytes).contains(DATA_START),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
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

    /// Writes the page (to a temporary file renamed over the old one: a reader never sees half).
    pub fn write(&self) -> Result<(), Error> {
        let count = |state: &str| self.cards.iter().filter(|c| c.state == state).count();
        let data = script_json(&self.cards);
        let mut env = minijinja::Environment::new();
        env.add_filter("href", href);
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

/// `cards` as JSON to put inside `<script>`: `<`, `>` and `&` (which appear only inside JSON
/// strings) written `\u003c`, `\u003e`, `\u0026`, so no `</script>` or `<!--` can occur.
fn script_json(cards: &[Card]) -> String {
    let json = serde_json::to_string(cards).expect("cards serialize");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The characters of a path segment kept as they are in a link: RFC 3986's unreserved ones.
/// Everything else is percent-encoded: `:` (a scheme), `#`, `?`, `%`, spaces, quotes…
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A card's image path (relative to the sheet, `/`-separated) as an `href`/`src`: `./` then
/// each segment percent-encoded, so it is always a relative path within the folder. Only
/// letters, digits, `-._~%/` remain: safe in an attribute as it is (not HTML-escaped again).
fn href(relative: String) -> minijinja::Value {
    minijinja::Value::from_safe_string(link(&relative))
}

/// See [`href`].
fn link(relative: &str) -> String {
    let segments: Vec<String> = relative
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
        .collect();
    format!("./{}", segments.join("/"))
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
        assert!(html.contains("src=\"./fox.png\""), "{html}");
        let read = ContactSheet::existing(dir.path()).unwrap();
        assert_eq!(read.title, "banners");
        let card = read.card("line-1").unwrap();
        assert_eq!(card.prompt, "a </script> <b>fox</b>");
        assert_eq!(card.images, ["fox.png"]);
    }

    #[test]
    fn no_name_becomes_a_scheme_or_a_fragment_and_no_text_ends_the_script() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["javascript:alert(3).png", "a b#c?d%e.png", "\"><img>.png"];
        let cards: Vec<Card> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                Card::waiting(
                    format!("line-{i}"),
                    "<!-- </script> <script>",
                    "m",
                    None,
                    None,
                )
                .ended(dir.path(), Ok(("task-1", &[dir.path().join(name)][..])))
            })
            .collect();
        ContactSheet::new(dir.path(), "t".into(), cards)
            .write()
            .unwrap();
        let html = std::fs::read_to_string(dir.path().join(SHEET_FILE)).unwrap();
        let links: Vec<&str> = [" href=\"", " src=\""]
            .iter()
            .flat_map(|attribute| html.split(attribute).skip(1))
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        assert!(links.len() >= 6, "{html}");
        for link in &links {
            assert!(link.starts_with("./"), "{link}");
            assert!(
                !link[2..].contains([':', '#', '?', ' ', '<', '>', '"']),
                "{link}"
            );
        }
        assert!(
            links.contains(&"./javascript%3Aalert%283%29.png"),
            "{links:?}"
        );
        assert!(links.contains(&"./a%20b%23c%3Fd%25e.png"), "{links:?}");
        // The JSON block: one `</script>` (its own end), no `<!--`, and the text intact.
        let data = html.split(DATA_START).nth(1).unwrap();
        let data = data.split(DATA_END).next().unwrap();
        assert!(!data.contains('<'), "{data}");
        let read = ContactSheet::existing(dir.path()).unwrap();
        assert_eq!(
            read.card("line-0").unwrap().prompt,
            "<!-- </script> <script>"
        );
        assert_eq!(read.card("line-1").unwrap().images, ["a b#c?d%e.png"]);
    }

    #[test]
    fn a_batch_writes_the_sheet_once_a_fifth_of_it_changed_and_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let cards: Vec<Card> = (0..100)
            .map(|i| Card::waiting(format!("line-{i}"), "p", "m", None, None))
            .collect();
        let mut updates = SheetUpdates::new(ContactSheet::new(dir.path(), "t".into(), cards));
        // As if the last write were long ago: the time rule allows a write, the count decides.
        updates.last_write -= MIN_INTERVAL;
        let path = dir.path().join(SHEET_FILE);
        for i in 0..19 {
            let card = updates.sheet().card(&format!("line-{i}")).unwrap().clone();
            updates
                .set(card.ended(dir.path(), Err("no".into())))
                .unwrap();
        }
        assert!(!path.exists(), "19 of 100 changed: not yet written");
        let card = updates.sheet().card("line-19").unwrap().clone();
        updates
            .set(card.ended(dir.path(), Err("no".into())))
            .unwrap();
        assert!(path.exists(), "20 of 100 changed: written");
        std::fs::remove_file(&path).unwrap();
        // Within the second after a write, no other write, however many changed.
        for i in 20..50 {
            let card = updates.sheet().card(&format!("line-{i}")).unwrap().clone();
            updates
                .set(card.ended(dir.path(), Err("no".into())))
                .unwrap();
        }
        assert!(!path.exists());
        updates.finish().unwrap();
        let read = ContactSheet::existing(dir.path()).unwrap();
        assert_eq!(read.card("line-49").unwrap().state, "failed");
    }
}
