//! Evolink's model index: the JSON its own clients (the `evolink-mcp` server and CLI) are built
//! from, "generated from the docs site OpenAPI files", one entry per model with every parameter
//! of its page. It is published as a TypeScript file holding the JSON in a string
//! (`export const MODEL_PARAMS_JSON: string = "<escaped JSON>"`); the JSON alone reads too.
//!
//! Every Nano Banana model of the index (its `docs` page under one of [`NANO_BANANA_DOCS`], or a
//! model our lineup lists) is held against its entry of `x-nanobanana-models`: sizes, qualities,
//! default quality, images, MB per image, real persons, prompt length, `model_params` fields and
//! the values they list (against the spec's enum of that name). The image limits are prose inside `params.image_urls.description`; a limit whose wording
//! cannot be read is reported as such, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::compare::{Finding, Findings, Group, MODEL_NOT_LISTED};
use crate::lineup::{ModelEntry, SpecEnum};
use crate::spec_diff::Class;

/// What the TypeScript form names its string.
const MARKER: &str = "MODEL_PARAMS_JSON";

/// Paths of documentation pages whose models are Nano Banana models (as `docs` links carry
/// them: `https://evolink.ai/docs/en/api-manual/image-series/nanobanana/<page>`).
pub const NANO_BANANA_DOCS: [&str; 3] = [
    "/image-series/nanobanana/",
    "/image-series/nano-banana/",
    "/image-series/nano-banana-2/",
];

/// The index, read.
#[derive(Debug)]
pub struct ModelIndex {
    /// `meta`: where and when it was generated (`source`, `commit`, `models`, …).
    pub meta: Value,
    /// Every model's entry, by id.
    pub models: BTreeMap<String, Value>,
}

impl ModelIndex {
    /// The report's title: `Evolink model index (docs commit 5b073dc1, 156 models)`.
    pub fn title(&self) -> String {
        let commit = self.meta["commit"].as_str().unwrap_or("unknown");
        format!(
            "Evolink model index (docs commit {commit}, {} models)",
            self.models.len()
        )
    }
}

/// The index in `text`, when `text` is one: `None` for any other page, `Some(Err)` for an index
/// that cannot be read (why).
pub fn recognise(text: &str) -> Option<Result<ModelIndex, String>> {
    if let Some(at) = text.find(MARKER) {
        return Some(from_typescript(&text[at + MARKER.len()..]));
    }
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(trimmed).ok()?;
    let is_index = value["models"]
        .as_object()
        .is_some_and(|m| m.values().any(|e| e.get("params").is_some()));
    is_index.then(|| from_json(value))
}

/// `: string = "<escaped JSON>"` (or `= {…}`), after the marker.
fn from_typescript(rest: &str) -> Result<ModelIndex, String> {
    let value_text = rest
        .split_once('=')
        .map(|(_, v)| v.trim_start())
        .ok_or_else(|| format!("the index names {MARKER} but assigns it nothing"))?;
    let json: Value = if value_text.starts_with('"') {
        let mut strings = serde_json::Deserializer::from_str(value_text).into_iter::<String>();
        let inner = strings
            .next()
            .ok_or_else(|| format!("{MARKER} holds no string"))?
            .map_err(|e| format!("{MARKER}'s string cannot be read: {e}"))?;
        serde_json::from_str(&inner).map_err(|e| format!("{MARKER}'s string is not JSON: {e}"))?
    } else if value_text.starts_with('{') {
        serde_json::Deserializer::from_str(value_text)
            .into_iter::<Value>()
            .next()
            .ok_or_else(|| format!("{MARKER} holds no object"))?
            .map_err(|e| format!("{MARKER}'s object is not JSON: {e}"))?
    } else {
        return Err(format!(
            "{MARKER} is assigned neither a double-quoted string nor an object (the index's \
             format changed: read it and update xtask/src/upstream/model_index.rs)"
        ));
    };
    from_json(json)
}

fn from_json(json: Value) -> Result<ModelIndex, String> {
    let models = json["models"]
        .as_object()
        .ok_or("the index has no `models` object")?
        .iter()
        .map(|(id, entry)| (id.clone(), entry.clone()))
        .collect();
    Ok(ModelIndex {
        meta: json["meta"].clone(),
        models,
    })
}

/// One limit as the index gives it, or why it could not be read.
type Read<T> = Result<T, String>;

/// A Nano Banana model's limits as the index gives them.
#[derive(Debug)]
pub struct IndexModel {
    /// The model id.
    pub model: String,
    /// Its documentation page.
    pub docs: String,
    /// `params.size.enum`.
    pub sizes: Read<Vec<String>>,
    /// `params.quality.enum`; empty when the model takes no `quality`.
    pub qualities: Read<Vec<String>>,
    /// `params.quality.default`, else what its description says the default is; `None` when
    /// the model takes no `quality`.
    pub default_quality: Read<Option<String>>,
    /// The most reference images: `params.image_urls.maxItems`, else its description.
    pub max_images: Read<u64>,
    /// The largest reference image in MB, from `params.image_urls.description`.
    pub max_image_mb: Read<u64>,
    /// The most images of real people, when the description says.
    pub max_real_persons: Read<Option<u64>>,
    /// `params.prompt.maxLength`.
    pub prompt_max_chars: Read<u64>,
    /// The fields of `params.model_params.properties`; empty when it has none.
    pub model_params: Vec<String>,
    /// The values each of those fields lists (`thinking_level`: `auto, min, high`), for the
    /// fields that list values.
    pub model_param_values: BTreeMap<String, Vec<String>>,
}

/// The entry `id` of the index, reduced to what our lineup says of a model.
pub fn index_model(id: &str, entry: &Value) -> IndexModel {
    let params = &entry["params"];
    let strings = |value: &Value| -> Option<Vec<String>> {
        value
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect()
    };
    let images = &params["image_urls"];
    let description = images["description"].as_str().unwrap_or("");
    let no_description = || {
        if images.is_null() {
            "the index gives no params.image_urls".to_string()
        } else {
            "params.image_urls has no description".to_string()
        }
    };
    let quality = &params["quality"];
    let qualities = if quality.is_null() {
        Ok(Vec::new())
    } else {
        strings(&quality["enum"])
            .ok_or_else(|| "params.quality lists no values (no `enum`)".to_string())
    };
    IndexModel {
        model: id.to_string(),
        docs: entry["docs"].as_str().unwrap_or("").to_string(),
        sizes: strings(&params["size"]["enum"])
            .ok_or_else(|| "params.size lists no values (no `enum`)".to_string()),
        default_quality: if quality.is_null() {
            Ok(None)
        } else {
            default_quality(quality, qualities.as_deref().unwrap_or_default()).map(Some)
        },
        qualities,
        max_images: match images["maxItems"].as_u64() {
            Some(n) => Ok(n),
            None if description.is_empty() => Err(no_description()),
            None => most_images(description),
        },
        max_image_mb: if description.is_empty() {
            Err(no_description())
        } else {
            largest_mb(description)
        },
        max_real_persons: real_persons(description),
        prompt_max_chars: params["prompt"]["maxLength"]
            .as_u64()
            .ok_or_else(|| "params.prompt has no maxLength".to_string()),
        model_params: params["model_params"]["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
        model_param_values: params["model_params"]["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(field, p)| Some((field.clone(), strings(&p["enum"])?)))
            .collect(),
    }
}

/// The clauses of a description (`;`- or line-separated), in lower case.
fn clauses(description: &str) -> Vec<String> {
    description
        .split([';', '\n'])
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Every whole number written in `text` (`1~16` gives 1 and 16; `0.5` gives nothing).
fn numbers(text: &str) -> Vec<u64> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let decimal = (i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit())
            || (start > 0 && bytes[start - 1] == b'.');
        if !decimal {
            found.extend(text[start..i].parse::<u64>().ok());
        }
    }
    found
}

/// The one value the candidates agree on, or why there is none.
fn agreed(candidates: BTreeSet<u64>, what: &str, description: &str) -> Read<u64> {
    let mut values = candidates.into_iter();
    match (values.next(), values.next()) {
        (Some(n), None) => Ok(n),
        (None, _) => Err(format!(
            "no {what} found in params.image_urls.description: \"{description}\""
        )),
        (Some(a), Some(b)) => Err(format!(
            "params.image_urls.description gives more than one {what} ({a}, {b}): \
             \"{description}\""
        )),
    }
}

/// "Maximum number of input images per request: 14", "Single request supports input image
/// quantity: 10 images", "Supports up to 4 reference images per request", "Number of input
/// images per request: 1~16" (the largest number of the clause).
fn most_images(description: &str) -> Read<u64> {
    let counts = [
        "per request",
        "quantity",
        "number of",
        "up to",
        "maximum",
        "at most",
    ];
    let candidates = clauses(description)
        .into_iter()
        .filter(|c| c.contains("image") && counts.iter().any(|w| c.contains(w)))
        .filter(|c| !c.contains("size") && !c.contains("person") && mb_values(c).is_empty())
        .filter_map(|c| numbers(&c).into_iter().max())
        .collect();
    agreed(candidates, "number of images", description)
}

/// "Image size: not exceeding 20MB", "no more than 10MB", "max 20 MB", "≤ 10 MB".
fn largest_mb(description: &str) -> Read<u64> {
    let candidates = clauses(description)
        .iter()
        .filter(|c| !c.contains("video") && !c.contains("audio"))
        .flat_map(|c| mb_values(c))
        .collect();
    agreed(candidates, "size in MB", description)
}

/// The numbers written right before `mb` (`20MB`, `10 mb`) in a lower-case clause.
fn mb_values(clause: &str) -> Vec<u64> {
    let mut found = Vec::new();
    for (at, _) in clause.match_indices("mb") {
        let after = clause[at + 2..].chars().next();
        if after.is_some_and(char::is_alphabetic) {
            continue;
        }
        let before = clause[..at].trim_end();
        let digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(n) = digits.parse() {
            found.push(n);
        }
    }
    found
}

/// "Maximum of 5 real person images can be uploaded": `None` when no clause speaks of real
/// persons, an error when one does without a number.
fn real_persons(description: &str) -> Read<Option<u64>> {
    let mentions: Vec<String> = clauses(description)
        .into_iter()
        .filter(|c| c.contains("real person") || c.contains("real people"))
        .collect();
    if mentions.is_empty() {
        return Ok(None);
    }
    let candidates = mentions
        .iter()
        .filter_map(|c| numbers(c).into_iter().max())
        .collect();
    agreed(candidates, "number of real persons", description).map(Some)
}

/// `quality.default`, else "default is 2K" / "defaults to 1K" / "default: 1K" in its
/// description, else the only value it lists.
fn default_quality(quality: &Value, listed: &[String]) -> Read<String> {
    if let Some(default) = quality["default"].as_str() {
        return Ok(default.to_string());
    }
    let description = quality["description"].as_str().unwrap_or("");
    let lower = description.to_lowercase();
    for phrase in [
        "default is ",
        "defaults to ",
        "default: ",
        "default value is ",
    ] {
        let Some(at) = lower.find(phrase) else {
            continue;
        };
        let word: String = lower[at + phrase.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let word = word.trim_end_matches('.');
        if let Some(value) = listed.iter().find(|v| v.to_lowercase() == word) {
            return Ok(value.clone());
        }
    }
    match listed {
        [only] => Ok(only.clone()),
        _ => Err(format!(
            "params.quality has no default and its description names none of its values: \
             \"{description}\""
        )),
    }
}

/// Whether the index entry is a Nano Banana model: its page is under one of
/// [`NANO_BANANA_DOCS`].
fn is_nano_banana(entry: &Value) -> bool {
    let docs = entry["docs"].as_str().unwrap_or("");
    NANO_BANANA_DOCS.iter().any(|d| docs.contains(d))
}

/// The Nano Banana models of the index: those under our pages, and those our lineup lists.
pub fn nano_banana_models(index: &ModelIndex, ours: &[ModelEntry]) -> Vec<IndexModel> {
    index
        .models
        .iter()
        .filter(|(id, entry)| is_nano_banana(entry) || ours.iter().any(|m| &m.model == *id))
        .map(|(id, entry)| index_model(id, entry))
        .collect()
}

/// The index's Nano Banana models, and every difference between them and our lineup. `enums`:
/// the spec's string enums, whose values the index's `model_params` fields are held against (the
/// enum a property of that name uses: `thinking_level` → `ThinkingLevel`).
pub fn compare_index(
    index: &ModelIndex,
    ours: &[ModelEntry],
    enums: &[SpecEnum],
) -> (Vec<IndexModel>, Vec<Finding>) {
    let theirs = nano_banana_models(index, ours);
    let mut out = Findings::default();
    for model in &theirs {
        let place = format!("model {}", model.model);
        match ours.iter().find(|m| m.model == model.model) {
            None => out.push(
                Group::UpstreamHas,
                Class::NonBreaking,
                place,
                MODEL_NOT_LISTED.into(),
            ),
            Some(entry) => compare_model(&mut out, &place, model, entry, enums),
        }
    }
    for entry in ours {
        if entry.listed_upstream && !theirs.iter().any(|m| m.model == entry.model) {
            out.push(
                Group::WeHave,
                Class::Breaking,
                format!("model {}", entry.model),
                "model (the index does not list it: calls naming it may be refused; if it is \
                 still sendable, mark it `listed_upstream: false` and say why in its summary)"
                    .into(),
            );
        }
    }
    let mut findings = out.0;
    findings.sort_by(|a, b| (a.group, a.class, &a.place).cmp(&(b.group, b.class, &b.place)));
    findings.dedup();
    (theirs, findings)
}

/// One model of the index against its entry of our lineup.
fn compare_model(
    out: &mut Findings,
    place: &str,
    theirs: &IndexModel,
    ours: &ModelEntry,
    enums: &[SpecEnum],
) {
    let unread = |out: &mut Findings, field: &str, what: &str, why: &str| {
        out.push(
            Group::Disagree,
            Class::NonBreaking,
            format!("{place} {field}"),
            format!(
                "{what}: not read from the index ({why}); ours is kept: check the index by hand"
            ),
        );
    };
    if !ours.listed_upstream {
        out.push(
            Group::Disagree,
            Class::NonBreaking,
            place.to_string(),
            "model marked `listed_upstream: false`, but the index lists it".into(),
        );
    }
    if theirs.docs != ours.page {
        out.push(
            Group::Disagree,
            Class::NonBreaking,
            place.to_string(),
            format!("page: upstream {}, ours {}", theirs.docs, ours.page),
        );
    }
    match &theirs.sizes {
        Ok(sizes) => out.model_values(place, "size", &sizes.iter().cloned().collect(), &ours.sizes),
        Err(why) => unread(out, ".size", "sizes", why),
    }
    match &theirs.qualities {
        Ok(qualities) => out.model_values(
            place,
            "quality",
            &qualities.iter().cloned().collect(),
            &ours.qualities,
        ),
        Err(why) => unread(out, ".quality", "qualities", why),
    }
    match &theirs.default_quality {
        Ok(upstream) if *upstream != ours.default_quality => {
            let say = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            out.push(
                Group::Disagree,
                Class::NonBreaking,
                format!("{place} .quality"),
                format!(
                    "default quality: upstream {}, ours {}",
                    say(upstream),
                    say(&ours.default_quality)
                ),
            );
        }
        Ok(_) => {}
        Err(why) => unread(out, ".quality", "default quality", why),
    }
    let limits = [
        (
            ".prompt",
            "maxLength",
            &theirs.prompt_max_chars,
            ours.prompt_max_chars,
        ),
        (".image_urls", "images", &theirs.max_images, ours.max_images),
        (
            ".image_urls",
            "MB per image",
            &theirs.max_image_mb,
            ours.max_image_mb,
        ),
    ];
    for (field, limit, upstream, ours) in limits {
        match upstream {
            Ok(upstream) => out.model_limit(place, field, limit, Some(*upstream), Some(ours)),
            Err(why) => unread(out, field, limit, why),
        }
    }
    match &theirs.max_real_persons {
        Ok(Some(upstream)) => out.model_limit(
            place,
            ".image_urls",
            "real persons",
            Some(*upstream),
            ours.max_real_persons,
        ),
        Ok(None) => {
            if let Some(o) = ours.max_real_persons {
                out.push(
                    Group::Disagree,
                    Class::NonBreaking,
                    format!("{place} .image_urls"),
                    format!("real persons: upstream does not say, ours {o}"),
                );
            }
        }
        Err(why) => unread(out, ".image_urls", "real persons", why),
    }
    let upstream: BTreeSet<&String> = theirs.model_params.iter().collect();
    let listed: BTreeSet<&String> = ours.model_params.iter().collect();
    let missing: Vec<&String> = upstream.difference(&listed).copied().collect();
    if !missing.is_empty() {
        out.push(
            Group::UpstreamHas,
            Class::NonBreaking,
            format!("{place} .model_params"),
            format!(
                "fields {} (documented upstream, we refuse them for this model)",
                join(missing)
            ),
        );
    }
    let extra: Vec<&String> = listed.difference(&upstream).copied().collect();
    if !extra.is_empty() {
        out.push(
            Group::WeHave,
            Class::Breaking,
            format!("{place} .model_params"),
            format!(
                "fields {} (we send them, the index does not list them for this model)",
                join(extra)
            ),
        );
    }
    for (field, values) in &theirs.model_param_values {
        if let Some(spec_enum) = enums.iter().find(|e| &e.label == field) {
            out.model_values(
                place,
                &format!("model_params.{field}"),
                &values.iter().cloned().collect(),
                &spec_enum.values,
            );
        }
    }
}

fn join<'a>(values: impl IntoIterator<Item = &'a String>) -> String {
    values
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NB2: &str = "Reference image URL list for image-to-image and image editing functions \
        Note: Maximum number of input images per request: 14; Image size: not exceeding 20MB; \
        Supported file formats: .jpeg, .jpg, .png, .webp; Image URLs must be directly \
        accessible by the server (typically these URLs end with image file extensions, such as \
        .png, .jpg); Maximum of 4 real person images can be uploaded";
    const PRO_BETA: &str = "Reference image URL list for image-to-image and image editing \
        features Note: Single request supports input image quantity: 10 images; Image size: no \
        more than 10MB; Supported file formats: .jpeg, .jpg, .png, .webp; Maximum 5 real person \
        images can be uploaded";

    #[test]
    fn both_wordings_of_the_image_limits_read() {
        assert_eq!(most_images(NB2), Ok(14));
        assert_eq!(largest_mb(NB2), Ok(20));
        assert_eq!(real_persons(NB2), Ok(Some(4)));
        assert_eq!(most_images(PRO_BETA), Ok(10));
        assert_eq!(largest_mb(PRO_BETA), Ok(10));
        assert_eq!(real_persons(PRO_BETA), Ok(Some(5)));
    }

    #[test]
    fn other_wordings_read_and_unreadable_ones_say_so() {
        let text = "Note: Number of input images per request: 1~16; Size of a single image: \
                    not exceeding 50 MB";
        assert_eq!(most_images(text), Ok(16));
        assert_eq!(largest_mb(text), Ok(50));
        assert_eq!(real_persons(text), Ok(None));
        let vague = "Reference images; keep them small; a few real person images at most";
        assert!(most_images(vague)
            .unwrap_err()
            .contains("no number of images"));
        assert!(largest_mb(vague).unwrap_err().contains("no size in MB"));
        assert!(real_persons(vague)
            .unwrap_err()
            .contains("no number of real persons"));
        let twice = "Maximum number of input images per request: 14; Image size: 20MB; \
                     Images per request with 4K output: at most 10";
        let why = most_images(twice).unwrap_err();
        assert!(
            why.contains("more than one number of images (10, 14)"),
            "{why}"
        );
    }

    #[test]
    fn the_default_quality_comes_from_default_or_the_description() {
        let listed = ["1K".to_string(), "2K".to_string(), "4K".to_string()];
        let q = json!({"description": "Quality of the generated image, default is 2K Note: x"});
        assert_eq!(default_quality(&q, &listed), Ok("2K".into()));
        let q = json!({"description": "x, defaults to 1k.", "default": "4K"});
        assert_eq!(default_quality(&q, &listed), Ok("4K".into()));
        let q = json!({"description": "x, defaults to 1k."});
        assert_eq!(default_quality(&q, &listed), Ok("1K".into()));
        let q = json!({"description": "Quality of the generated image"});
        assert!(default_quality(&q, &listed).is_err());
        assert_eq!(default_quality(&q, &listed[..1]), Ok("1K".into()));
    }

    #[test]
    fn the_typescript_form_and_the_json_alone_are_recognised_and_pages_are_not() {
        let json = r#"{"meta":{"commit":"abc"},"models":{"m":{"model":"m","params":{}}}}"#;
        let ts = format!(
            "// Generated\nexport const {MARKER}: string = {};\n",
            serde_json::to_string(json).unwrap()
        );
        for text in [json.to_string(), ts] {
            let index = recognise(&text).unwrap().unwrap();
            assert_eq!(
                index.title(),
                "Evolink model index (docs commit abc, 1 models)"
            );
        }
        assert!(recognise("# A page\n\n````yaml x\nopenapi: 3.1.0\n````\n").is_none());
        assert!(recognise(r#"{"openapi": "3.1.0"}"#).is_none());
        let broken = format!("export const {MARKER}: string = \"{{not json\";");
        assert!(recognise(&broken)
            .unwrap()
            .unwrap_err()
            .contains("not JSON"));
    }

    #[test]
    fn decimals_are_not_whole_numbers() {
        assert_eq!(numbers("0.5K, 1K and 2~4 at 10.5 MB"), vec![1, 2, 4]);
    }
}
