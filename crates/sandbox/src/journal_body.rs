//! What the journal keeps of a request's body: its JSON with long strings cut and image data
//! replaced by its type and size, bounded to a few KB. The handlers that read a body note it
//! in the request's [`SentBody`] slot (they know what they read: JSON, or a form's fields and
//! file); the journal's middleware takes it from there once the answer is out.

use std::sync::{Arc, Mutex};

use nanobanana_api::files::ImageFormat;
use serde_json::{Map, Value};

/// The longest body the journal keeps, serialized; a longer one is kept as its first part.
pub(crate) const BODY_LIMIT: usize = 4 * 1024;

/// The longest string kept whole inside a body (a prompt of the longest the API takes, 2000
/// ASCII characters, fits); longer ones are cut, saying their length.
const STRING_LIMIT: usize = 2048;

/// The most items kept of an array (or fields of an object); the rest are counted.
const ITEMS_LIMIT: usize = 16;

/// How deep a body is followed; deeper values are summarized.
const DEPTH_LIMIT: usize = 6;

/// The request's body as the journal keeps it, filled by the handler that read it.
#[derive(Clone, Debug, Default)]
pub(crate) struct SentBody(Arc<Mutex<Option<Value>>>);

impl SentBody {
    /// Notes a body read whole: JSON when it is JSON, else its text, bounded either way.
    pub(crate) fn note_bytes(&self, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let raw = serde_json::from_slice::<Value>(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        self.note(raw);
    }

    /// Notes a body the handler describes itself (a form, a body it did not read), bounded.
    pub(crate) fn note(&self, body: Value) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(bounded(&body));
        }
    }

    /// What was noted, if anything.
    pub(crate) fn take(&self) -> Option<Value> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// A callback URL as the journal keeps it: its query, which may carry the receiver's secret,
/// is shown as `?…` (and the fragment, never sent, dropped).
pub(crate) fn without_query(url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    match url.split_once('?') {
        Some((before, _)) => format!("{before}?…"),
        None => url.to_string(),
    }
}

/// An uploaded file as the journal shows it: `<photo.png: image/png, 48213 bytes>`.
pub(crate) fn file_summary(name: &str, bytes: u64, head: &[u8]) -> Value {
    Value::String(format!("<{name}: {}, {bytes} bytes>", image_type(head)))
}

/// `value` with long strings cut, image data described, long arrays and objects shortened, and
/// in all at most [`BODY_LIMIT`] serialized (a longer one becomes its first part, as text).
fn bounded(value: &Value) -> Value {
    let kept = shorten(value, None, 0);
    let text = kept.to_string();
    if text.len() <= BODY_LIMIT {
        kept
    } else {
        Value::String(cut_at(&text, BODY_LIMIT))
    }
}

fn shorten(value: &Value, key: Option<&str>, depth: usize) -> Value {
    if depth > DEPTH_LIMIT {
        return Value::String("<…>".into());
    }
    match value {
        Value::String(text) if key == Some("callback_url") => {
            Value::String(cut(&without_query(text)))
        }
        Value::String(text) => match image_data(key, text) {
            Some(described) => Value::String(described),
            None => Value::String(cut(text)),
        },
        Value::Array(items) => {
            let mut kept: Vec<Value> = items
                .iter()
                .take(ITEMS_LIMIT)
                .map(|item| shorten(item, None, depth + 1))
                .collect();
            if items.len() > ITEMS_LIMIT {
                kept.push(Value::String(format!(
                    "<{} more>",
                    items.len() - ITEMS_LIMIT
                )));
            }
            Value::Array(kept)
        }
        Value::Object(fields) => {
            let mut kept: Map<String, Value> = fields
                .iter()
                .take(ITEMS_LIMIT)
                .map(|(k, v)| (k.clone(), shorten(v, Some(k), depth + 1)))
                .collect();
            if fields.len() > ITEMS_LIMIT {
                kept.insert(
                    "<more>".into(),
                    Value::String(format!("{} more fields", fields.len() - ITEMS_LIMIT)),
                );
            }
            Value::Object(kept)
        }
        other => other.clone(),
    }
}

/// Image bytes as base64 (the `base64_data` field, or a `data:` URL anywhere), described by
/// their type and size instead of kept.
fn image_data(key: Option<&str>, text: &str) -> Option<String> {
    let data = match text.split_once(";base64,") {
        Some((prefix, data)) if prefix.starts_with("data:") => data,
        _ if key == Some("base64_data") => text,
        _ => return None,
    };
    use base64::Engine as _;
    // Bytes, not a `str` slice: the text came from the network and need not be ASCII.
    let head_len = data.len().min(24) / 4 * 4;
    let head = base64::engine::general_purpose::STANDARD
        .decode(&data.as_bytes()[..head_len])
        .unwrap_or_default();
    let padding = data.bytes().rev().take_while(|b| *b == b'=').count();
    let bytes = (data.trim().len() / 4 * 3).saturating_sub(padding);
    Some(format!("<{}, {bytes} bytes as base64>", image_type(&head)))
}

/// The image type its first bytes say, or that it is not one the file service takes.
fn image_type(head: &[u8]) -> &'static str {
    ImageFormat::sniff(head).map_or("not an image", ImageFormat::mime_type)
}

fn cut(text: &str) -> String {
    cut_at(text, STRING_LIMIT)
}

/// `text` up to `limit` bytes (at a character boundary), saying how long it was.
fn cut_at(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_data_is_described_long_strings_cut_and_the_whole_bounded() {
        let png = "iVBORw0KGgoAAAANSUhEUgAA".repeat(1000);
        let body = json!({
            "base64_data": png,
            "image_urls": ["data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==", "https://x/y.png"],
            "prompt": "é".repeat(1100),
            "callback_url": "https://hooks.example.com/nb?token=s3cret#top",
            "many": (0..40).collect::<Vec<_>>(),
        });
        let kept = bounded(&body);
        assert_eq!(kept["base64_data"], "<image/png, 18000 bytes as base64>");
        assert_eq!(kept["image_urls"][0], "<image/jpeg, 13 bytes as base64>");
        assert_eq!(kept["image_urls"][1], "https://x/y.png");
        let prompt = kept["prompt"].as_str().unwrap();
        assert!(prompt.ends_with("… (2200 bytes in all)"), "{prompt}");
        assert_eq!(kept["many"].as_array().unwrap().len(), ITEMS_LIMIT + 1);
        assert_eq!(kept["many"][ITEMS_LIMIT], "<24 more>");
        assert_eq!(kept["callback_url"], "https://hooks.example.com/nb?…");

        let huge = json!((0..16)
            .map(|i| format!("{i}{}", "x".repeat(500)))
            .collect::<Vec<_>>());
        let kept = bounded(&huge);
        let text = kept.as_str().unwrap();
        assert!(text.len() < BODY_LIMIT + 40 && text.ends_with("bytes in all)"));
    }

    #[test]
    fn base64_data_that_is_not_ascii_is_described_without_panicking() {
        // Found by schemathesis: a slice of the first 4 bytes split the `\u{800}`.
        let kept = bounded(&json!({"base64_data": "00\u{800}", "file_name": "avatar.png"}));
        assert_eq!(kept["base64_data"], "<not an image, 3 bytes as base64>");
        for text in [
            "é",
            "ééé",
            "€€€€€€€€€€€€€€€€€€€€€€€€",
            "data:image/png;base64,€€",
        ] {
            image_data(Some("base64_data"), text);
        }
    }

    #[test]
    fn a_body_that_is_not_json_is_kept_as_text_cut() {
        let slot = SentBody::default();
        slot.note_bytes(&b"model=x&".repeat(300));
        let kept = slot.take().unwrap();
        assert!(kept.as_str().unwrap().starts_with("model=x&model=x&"));
        assert!(kept.as_str().unwrap().ends_with("(2400 bytes in all)"));
        assert_eq!(slot.take(), None);
    }
}
