//! The second generated file, `crates/api-client/src/generated_lineup.rs`: what the spec says
//! beyond the types progenitor generates.
//!
//! - every string enum of `components/schemas` as a Rust enum with names a reader can say
//!   (`ImageSize::Ratio16x9`, `ImageQuality::Res0_5K`) and `FromStr` from the wire strings;
//!   open enums (`x-nanobanana-open-enum`, written `anyOf: [{enum}, {type: string}]`) keep
//!   unknown values as `Unknown(String)`;
//! - `MODELS`, each model's limits, from `ImageModel`'s `x-nanobanana-models`;
//! - `TASK_ERROR_CODES`, the documented task failure codes, from `TaskError`'s
//!   `x-nanobanana-task-error-codes`.
//!
//! progenitor is told to use these enums in place of its own (`codegen::settings`), so the
//! request types, the table and the SDK share one definition of each value.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::spec_source::{LoadedSpec, SpecError};

use spec_support::extension::{
    MODELS as MODELS_EXTENSION, OPEN_ENUM as OPEN_ENUM_EXTENSION,
    TASK_ERROR_CODES as TASK_ERROR_CODES_EXTENSION,
};
/// Where the generated enums live in the api-client crate.
pub const MODULE: &str = "crate::generated_lineup";

/// A string enum of the spec's component schemas.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecEnum {
    /// The schema's name, also the Rust type's.
    pub name: String,
    /// The listed wire values, in spec order.
    pub values: Vec<String>,
    /// Unknown values are kept rather than rejected.
    pub open: bool,
    /// The schema's description (its first paragraph becomes the type's doc).
    pub description: String,
    /// What messages call a value: the property that uses the schema (`size`), else the name.
    pub label: String,
}

/// The enum's values: `enum`, or for an open enum the `enum` of its first `anyOf` branch.
pub fn enum_values(schema: &Value) -> Option<Vec<String>> {
    let listed = schema.get("enum").or_else(|| {
        schema["anyOf"]
            .as_array()?
            .iter()
            .find_map(|branch| branch.get("enum"))
    })?;
    listed
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Every string enum of `components/schemas`, in name order.
pub fn spec_enums(document: &Value) -> Vec<SpecEnum> {
    let mut found: Vec<SpecEnum> = document["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            let open = schema[OPEN_ENUM_EXTENSION] == Value::Bool(true);
            let plain = schema["type"] == "string" && schema.get("enum").is_some();
            if !open && !plain {
                return None;
            }
            Some(SpecEnum {
                name: name.clone(),
                values: enum_values(schema)?,
                open,
                description: schema["description"].as_str().unwrap_or("").to_string(),
                label: property_using(document, name).unwrap_or_else(|| name.clone()),
            })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The first property (in schema name order) whose schema is `$ref` to component `name`.
fn property_using(document: &Value, name: &str) -> Option<String> {
    let target = format!("#/components/schemas/{name}");
    document["components"]["schemas"]
        .as_object()?
        .values()
        .filter_map(|schema| schema["properties"].as_object())
        .flatten()
        .find(|(_, property)| property["$ref"] == target.as_str())
        .map(|(property, _)| property.clone())
}

/// The Rust variant for a wire value: `16:9` → `Ratio16x9`, `0.5K` → `Res0_5K`, `per_call` →
/// `PerCall`, `gemini-3.1-flash-image-preview` → `Gemini31FlashImagePreview`.
pub fn variant_name(wire: &str) -> String {
    if let Some((w, h)) = wire.split_once(':') {
        if !w.is_empty()
            && !h.is_empty()
            && (w.chars().chain(h.chars())).all(|c| c.is_ascii_digit())
        {
            return format!("Ratio{w}x{h}");
        }
    }
    if let Some(number) = wire.strip_suffix('K') {
        if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return format!("Res{}K", number.replace('.', "_"));
        }
    }
    let mut name = String::new();
    for word in wire.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert(0, 'V');
    }
    name
}

/// One model's limits as the spec lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    /// The model name sent as `model`.
    pub model: String,
    /// One line about it.
    pub summary: String,
    /// The documentation page its limits come from (the model index's `docs` link).
    pub page: String,
    /// Where the limits come from: `index` (Evolink's model index), `page` or `assumed`.
    pub source: String,
    /// The longest prompt, in characters.
    pub prompt_max_chars: u64,
    /// Accepted `size` values.
    pub sizes: Vec<String>,
    /// Accepted `quality` values; empty when the model takes no `quality`.
    pub qualities: Vec<String>,
    /// The quality the service uses when none is sent; `None` when it takes no `quality`.
    pub default_quality: Option<String>,
    /// The most reference images per request.
    pub max_images: u64,
    /// The largest reference image, in MB (MiB).
    pub max_image_mb: u64,
    /// The most images of real people, when the page says.
    pub max_real_persons: Option<u64>,
    /// The `model_params` fields it takes (values of `ModelParamName`); empty: none.
    pub model_params: Vec<String>,
    /// Whether a current documentation page lists the model (`listed_upstream`, true when
    /// absent): a model no page lists any more stays sendable, marked as such.
    pub listed_upstream: bool,
}

/// A documented task failure code.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskErrorEntry {
    /// The `error.code` value.
    pub code: String,
    /// What it means.
    pub meaning: String,
    /// `same`, `changed` or `no`.
    pub resubmit: String,
    /// What to do.
    pub advice: String,
}

/// Everything `generated_lineup.rs` is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Lineup {
    /// String enums of the component schemas.
    pub enums: Vec<SpecEnum>,
    /// The models with their limits, in spec order.
    pub models: Vec<ModelEntry>,
    /// The task failure codes, in spec order.
    pub task_error_codes: Vec<TaskErrorEntry>,
    /// What every model shares, for a model the spec does not list: the request schema's
    /// `maxLength` of `prompt` and `maxItems` of `image_urls`, every size and quality, and the
    /// largest image any listed model takes.
    pub any_model: ModelEntry,
}

/// Reads the lineup from the spec and checks that it agrees with the schemas it refers to.
pub fn read(spec: &LoadedSpec) -> Result<Lineup, SpecError> {
    let doc = &spec.document;
    let fail = |place: &str, message: String| SpecError {
        path: spec.path.clone(),
        place: Some(place.to_string()),
        message,
    };
    let enums = spec_enums(doc);
    for e in &enums {
        let mut seen = BTreeSet::new();
        for value in &e.values {
            if !seen.insert(variant_name(value)) {
                return Err(fail(
                    &format!("components.schemas.{}", e.name),
                    format!(
                        "two values of `{}` give the Rust variant `{}`: rename one",
                        e.name,
                        variant_name(value)
                    ),
                ));
            }
        }
    }
    let listed = |name: &str| -> Vec<String> {
        enums
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.values.clone())
            .unwrap_or_default()
    };
    let schemas = &doc["components"]["schemas"];
    let place = format!("components.schemas.ImageModel.{MODELS_EXTENSION}");
    let mut models = Vec::new();
    for (here, entry) in entries(&schemas["ImageModel"][MODELS_EXTENSION], &place) {
        let text = |key: &str| string_field(entry, key).map_err(|m| fail(&here, m));
        let number = |key: &str| -> Result<u64, SpecError> {
            entry[key]
                .as_u64()
                .ok_or_else(|| fail(&here, format!("`{key}` must be a whole number")))
        };
        let list = |key: &str| -> Result<Vec<String>, SpecError> {
            entry[key]
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .ok_or_else(|| fail(&here, format!("`{key}` must be a list of strings")))
        };
        let model = ModelEntry {
            model: text("model")?,
            summary: text("summary")?,
            page: text("page")?,
            source: text("source")?,
            prompt_max_chars: number("prompt_max_chars")?,
            sizes: list("sizes")?,
            qualities: list("qualities")?,
            default_quality: entry["default_quality"].as_str().map(str::to_string),
            max_images: number("max_images")?,
            max_image_mb: number("max_image_mb")?,
            max_real_persons: entry["max_real_persons"].as_u64(),
            model_params: list("model_params")?,
            listed_upstream: entry["listed_upstream"] != Value::Bool(false),
        };
        if !["index", "page", "assumed"].contains(&model.source.as_str()) {
            return Err(fail(
                &here,
                format!(
                    "`source` is `{}`: one of index, page, assumed",
                    model.source
                ),
            ));
        }
        match (&model.default_quality, model.qualities.is_empty()) {
            (None, false) => {
                return Err(fail(
                    &here,
                    format!(
                        "`{}` takes a quality: give its `default_quality`",
                        model.model
                    ),
                ))
            }
            (Some(default), _) if !model.qualities.contains(default) => {
                return Err(fail(
                    &here,
                    format!(
                    "`default_quality` of `{}` is `{default}`, which its `qualities` do not list",
                    model.model
                ),
                ))
            }
            _ => {}
        }
        for (key, values, schema) in [
            ("sizes", &model.sizes, "ImageSize"),
            ("qualities", &model.qualities, "ImageQuality"),
            ("model_params", &model.model_params, "ModelParamName"),
        ] {
            let known = listed(schema);
            if let Some(v) = values.iter().find(|v| !known.contains(v)) {
                return Err(fail(
                    &here,
                    format!(
                        "{key} of `{}` lists `{v}`, which `{schema}` does not: add it to `{schema}`",
                        model.model
                    ),
                ));
            }
        }
        let request = &schemas["ImageGenerationRequest"]["properties"];
        for (key, value, limit) in [
            (
                "prompt_max_chars",
                model.prompt_max_chars,
                request["prompt"]["maxLength"].as_u64(),
            ),
            (
                "max_images",
                model.max_images,
                request["image_urls"]["maxItems"].as_u64(),
            ),
        ] {
            if limit.is_some_and(|limit| value > limit) {
                return Err(fail(
                    &here,
                    format!(
                        "{key} of `{}` is {value}, above the request schema's {}: the schema \
                         must carry the widest limit of any model",
                        model.model,
                        limit.unwrap_or_default()
                    ),
                ));
            }
        }
        models.push(model);
    }
    let names: Vec<String> = models.iter().map(|m| m.model.clone()).collect();
    let known_models = listed("ImageModel");
    if !models.is_empty() && names != known_models {
        return Err(fail(
            &place,
            format!(
                "the models with limits ({}) must be the models `ImageModel` lists, in the same \
                 order ({})",
                names.join(", "),
                known_models.join(", ")
            ),
        ));
    }
    let place = format!("components.schemas.TaskError.{TASK_ERROR_CODES_EXTENSION}");
    let mut task_error_codes = Vec::new();
    for (here, entry) in entries(&schemas["TaskError"][TASK_ERROR_CODES_EXTENSION], &place) {
        let text = |key: &str| string_field(entry, key).map_err(|m| fail(&here, m));
        let resubmit = text("resubmit")?;
        if !["same", "changed", "no"].contains(&resubmit.as_str()) {
            return Err(fail(
                &here,
                format!("`resubmit` is `{resubmit}`: one of same, changed, no"),
            ));
        }
        task_error_codes.push(TaskErrorEntry {
            code: text("code")?,
            meaning: text("meaning")?,
            resubmit,
            advice: text("advice")?,
        });
    }
    let request = &schemas["ImageGenerationRequest"]["properties"];
    let any_model = ModelEntry {
        model: String::new(),
        summary: "A model the spec does not list: only the limits every model shares".into(),
        page: "spec/openapi.yaml (ImageGenerationRequest)".into(),
        source: "page".into(),
        prompt_max_chars: request["prompt"]["maxLength"].as_u64().unwrap_or(u64::MAX),
        sizes: listed("ImageSize"),
        qualities: listed("ImageQuality"),
        default_quality: None,
        max_images: request["image_urls"]["maxItems"]
            .as_u64()
            .unwrap_or(u64::MAX),
        max_image_mb: models
            .iter()
            .map(|m| m.max_image_mb)
            .max()
            .unwrap_or(u64::MAX),
        max_real_persons: None,
        model_params: listed("ModelParamName"),
        listed_upstream: true,
    };
    Ok(Lineup {
        enums,
        models,
        task_error_codes,
        any_model,
    })
}

/// The entries of an extension's list, each with its place (`place[i]`) for messages.
fn entries<'a>(list: &'a Value, place: &str) -> Vec<(String, &'a Value)> {
    list.as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, entry)| (format!("{place}[{i}]"), entry))
        .collect()
}

/// `entry[key]` as a string, or what is wrong with it.
fn string_field(entry: &Value, key: &str) -> Result<String, String> {
    entry[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{key}` must be a string"))
}

/// The types of the generated tables, written out with them so that the tables and their types
/// live in one file (`lineup` re-exports them and adds their methods; nothing imports back).
const TABLE_TYPES: &str = r#"/// One model's limits, as its documentation page gives them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ModelLimits {
    /// The model, as sent in `model`.
    pub model: ImageModel,
    /// One line about it.
    pub summary: &'static str,
    /// The documentation page the limits come from (the model index's `docs` link).
    pub page: &'static str,
    /// Where the limits come from: `index` (Evolink's model index, generated from the
    /// documentation's OpenAPI files), `page` (a stored documentation page) or `assumed`.
    pub source: &'static str,
    /// The longest prompt, in characters.
    pub prompt_max_chars: usize,
    /// The `size` values it accepts.
    pub sizes: &'static [ImageSize],
    /// The `quality` values it accepts; empty when it takes no `quality`.
    pub qualities: &'static [ImageQuality],
    /// The quality the service uses when the request sends none; `None` when the model takes
    /// no `quality` (or, for a model the spec does not list, when nothing says).
    pub default_quality: Option<ImageQuality>,
    /// The most reference images per request.
    pub max_images: usize,
    /// The largest reference image, in MB (2^20 bytes).
    pub max_image_mb: u64,
    /// The most images of real people, when the page says (nothing can check this before
    /// sending: it is for people reading the table).
    pub max_real_persons: Option<u64>,
    /// The `model_params` fields it takes; empty when it takes none.
    pub model_params: &'static [ModelParamName],
    /// Whether a current documentation page lists it. A model no page lists any more stays
    /// sendable (removing it would break callers); its limits are those of the page that last
    /// listed it.
    pub listed_upstream: bool,
}

/// Whether resubmitting a failed task can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resubmit {
    /// The same request may succeed later (the service recovers by itself).
    Same,
    /// Only a changed request can succeed (another prompt, image or parameter).
    Changed,
    /// Resubmitting does not help (e.g. the task id does not exist).
    No,
}

/// A documented `error.code` of a failed task.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskErrorCode {
    /// The code, as in `error.code`.
    pub code: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Whether resubmitting can help.
    pub resubmit: Resubmit,
    /// What to do, in the documentation's words.
    pub advice: &'static str,
}
"#;

/// The text of `generated_lineup.rs`, under `header`.
pub fn render(lineup: &Lineup, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str(
        "//! Enums and tables from the spec beyond progenitor's types (see xtask/src/lineup.rs).\n\n\
         use crate::types::open_enums::{closed_enum, open_enum};\n",
    );
    out.push('\n');
    out.push_str(TABLE_TYPES);
    for e in &lineup.enums {
        let doc = first_paragraph(&e.description);
        out.push('\n');
        let _ = writeln!(
            out,
            "{}! {{",
            if e.open { "open_enum" } else { "closed_enum" }
        );
        for line in doc.lines() {
            let _ = writeln!(out, "    /// {line}");
        }
        if !e.open {
            let _ = writeln!(out, "    label: {:?},", e.label);
        }
        let _ = writeln!(out, "    {} {{", e.name);
        for value in &e.values {
            let _ = writeln!(out, "        /// `{value}`");
            let _ = writeln!(out, "        {} => {value:?},", variant_name(value));
        }
        out.push_str("    }\n}\n");
    }
    out.push_str(
        "\n/// Each known model's limits, from its documentation page, in the spec's order.\n",
    );
    out.push_str("pub static MODELS: &[ModelLimits] = &[\n");
    for m in &lineup.models {
        render_model(&mut out, m, "    ");
    }
    out.push_str("];\n");
    out.push_str(
        "\n/// The limits checked for a model the spec does not list: those every model shares.\n",
    );
    out.push_str("pub static ANY_MODEL: ModelLimits =\n");
    render_model(&mut out, &lineup.any_model, "");
    out.truncate(out.trim_end_matches([',', '\n']).len());
    out.push_str(";\n");
    out.push_str("\n/// The documented task failure codes, in the spec's order.\n");
    out.push_str("pub static TASK_ERROR_CODES: &[TaskErrorCode] = &[\n");
    for c in &lineup.task_error_codes {
        let resubmit = match c.resubmit.as_str() {
            "same" => "Same",
            "changed" => "Changed",
            _ => "No",
        };
        let _ = writeln!(out, "    TaskErrorCode {{");
        let _ = writeln!(out, "        code: {:?},", c.code);
        let _ = writeln!(out, "        meaning: {:?},", c.meaning);
        let _ = writeln!(out, "        resubmit: Resubmit::{resubmit},");
        let _ = writeln!(out, "        advice: {:?},", c.advice);
        out.push_str("    },\n");
    }
    out.push_str("];\n");
    out
}

/// One `ModelLimits { .. },` literal, indented by `indent`.
fn render_model(out: &mut String, m: &ModelEntry, indent: &str) {
    let sizes: Vec<String> = m
        .sizes
        .iter()
        .map(|v| format!("ImageSize::{}", variant_name(v)))
        .collect();
    let qualities: Vec<String> = m
        .qualities
        .iter()
        .map(|v| format!("ImageQuality::{}", variant_name(v)))
        .collect();
    let model = if m.model.is_empty() {
        "ImageModel::Unknown(String::new())".to_string()
    } else {
        format!("ImageModel::{}", variant_name(&m.model))
    };
    let _ = writeln!(out, "{indent}ModelLimits {{");
    let _ = writeln!(out, "{indent}    model: {model},");
    let _ = writeln!(out, "{indent}    summary: {:?},", m.summary);
    let _ = writeln!(out, "{indent}    page: {:?},", m.page);
    let _ = writeln!(out, "{indent}    source: {:?},", m.source);
    let _ = writeln!(out, "{indent}    prompt_max_chars: {},", m.prompt_max_chars);
    let _ = writeln!(out, "{indent}    sizes: &[{}],", sizes.join(", "));
    let _ = writeln!(out, "{indent}    qualities: &[{}],", qualities.join(", "));
    let default_quality = match &m.default_quality {
        Some(q) => format!("Some(ImageQuality::{})", variant_name(q)),
        None => "None".to_string(),
    };
    let _ = writeln!(out, "{indent}    default_quality: {default_quality},");
    let _ = writeln!(out, "{indent}    max_images: {},", m.max_images);
    let _ = writeln!(out, "{indent}    max_image_mb: {},", m.max_image_mb);
    let _ = writeln!(
        out,
        "{indent}    max_real_persons: {:?},",
        m.max_real_persons
    );
    let params: Vec<String> = m
        .model_params
        .iter()
        .map(|v| format!("ModelParamName::{}", variant_name(v)))
        .collect();
    let _ = writeln!(out, "{indent}    model_params: &[{}],", params.join(", "));
    let _ = writeln!(out, "{indent}    listed_upstream: {},", m.listed_upstream);
    let _ = writeln!(out, "{indent}}},");
}

/// The first paragraph of a description, for a doc comment.
fn first_paragraph(description: &str) -> String {
    let text = description.split("\n\n").next().unwrap_or("").trim();
    if text.is_empty() {
        "A value of the API.".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_read_aloud() {
        assert_eq!(variant_name("16:9"), "Ratio16x9");
        assert_eq!(variant_name("1:8"), "Ratio1x8");
        assert_eq!(variant_name("0.5K"), "Res0_5K");
        assert_eq!(variant_name("4K"), "Res4K");
        assert_eq!(variant_name("auto"), "Auto");
        assert_eq!(variant_name("per_call"), "PerCall");
        assert_eq!(variant_name("image.generation.task"), "ImageGenerationTask");
        assert_eq!(
            variant_name("gemini-3.1-flash-image-preview"),
            "Gemini31FlashImagePreview"
        );
        assert_eq!(variant_name("nano-banana-2-lite"), "NanoBanana2Lite");
    }

    #[test]
    fn open_enum_values_come_from_the_listed_branch() {
        let schema = serde_json::json!({
            "anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "string"}]
        });
        assert_eq!(enum_values(&schema), Some(vec!["a".into(), "b".into()]));
    }
}
