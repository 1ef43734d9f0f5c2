//! The lineup's part of the spec diff: each model's limits in `x-nanobanana-models`, and the
//! `model_params` fields it takes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use spec_support::extension::MODELS;

use super::{quoted, text, Class, Differ};

impl Differ<'_> {
    /// Each model's limits (`x-nanobanana-models`): a model removed or a limit tightened breaks
    /// callers of that model; a model added or a limit loosened does not.
    pub(super) fn models(&mut self, place: &str, old: &Value, new: &Value) {
        let table = |v: &Value| -> BTreeMap<String, Value> {
            v[MODELS]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| (text(&m["model"]), m.clone()))
                .collect()
        };
        let (old_models, new_models) = (table(old), table(new));
        for model in old_models.keys().filter(|m| !new_models.contains_key(*m)) {
            self.push(Class::Breaking, place, format!("model '{model}' removed"));
        }
        for model in new_models.keys().filter(|m| !old_models.contains_key(*m)) {
            self.push(Class::NonBreaking, place, format!("model '{model}' added"));
        }
        for (model, o) in &old_models {
            let Some(n) = new_models.get(model) else {
                continue;
            };
            for list in ["sizes", "qualities"] {
                let values = |m: &Value| -> BTreeSet<String> {
                    m[list].as_array().into_iter().flatten().map(text).collect()
                };
                let (ov, nv) = (values(o), values(n));
                let removed: BTreeSet<_> = ov.difference(&nv).cloned().collect();
                let added: BTreeSet<_> = nv.difference(&ov).cloned().collect();
                if !removed.is_empty() {
                    self.push(
                        Class::Breaking,
                        place,
                        format!("model '{model}' {list}: removed {}", quoted(&removed)),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        Class::NonBreaking,
                        place,
                        format!("model '{model}' {list}: added {}", quoted(&added)),
                    );
                }
            }
            for limit in ["prompt_max_chars", "max_images", "max_image_mb"] {
                let (ol, nl) = (o[limit].as_u64(), n[limit].as_u64());
                let tightened = match (ol, nl) {
                    (Some(a), Some(b)) if a == b => continue,
                    (None, None) => continue,
                    (Some(a), Some(b)) => b < a,
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                };
                let show =
                    |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
                let (class, word) = if tightened {
                    (Class::Breaking, "tightened")
                } else {
                    (Class::NonBreaking, "loosened")
                };
                self.push(
                    class,
                    place,
                    format!(
                        "model '{model}' {limit} {word}: {} → {}",
                        show(ol),
                        show(nl)
                    ),
                );
            }
            self.model_params(place, model, &o["model_params"], &n["model_params"]);
            for key in ["summary", "page", "max_real_persons"] {
                if o[key] != n[key] {
                    self.push(
                        Class::NonBreaking,
                        place,
                        format!("model '{model}' {key} changed"),
                    );
                }
            }
        }
    }
}

/// The `model_params` fields a model takes, in either form the spec has had: a list of field
/// names (empty or absent: none), or before the lineup named them, `true` for "takes
/// `model_params`" with its fields unnamed.
enum ModelParams {
    Unnamed,
    Fields(BTreeSet<String>),
}

impl ModelParams {
    fn of(value: &Value) -> Self {
        match value {
            Value::Bool(true) => ModelParams::Unnamed,
            _ => ModelParams::Fields(value.as_array().into_iter().flatten().map(text).collect()),
        }
    }
}

impl Differ<'_> {
    /// A `model_params` field a model took and no longer takes breaks callers that send it; a
    /// field added does not. From the unnamed form (`true`) to a list: breaking only when the
    /// list is empty (the model takes none any more); otherwise its fields are newly named.
    fn model_params(&mut self, place: &str, model: &str, old: &Value, new: &Value) {
        let (class, change) = match (ModelParams::of(old), ModelParams::of(new)) {
            (ModelParams::Fields(o), ModelParams::Fields(n)) => {
                let removed: BTreeSet<_> = o.difference(&n).cloned().collect();
                let added: BTreeSet<_> = n.difference(&o).cloned().collect();
                if !removed.is_empty() {
                    self.push(
                        Class::Breaking,
                        place,
                        format!("model '{model}' model_params: removed {}", quoted(&removed)),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        Class::NonBreaking,
                        place,
                        format!("model '{model}' model_params: added {}", quoted(&added)),
                    );
                }
                return;
            }
            (ModelParams::Unnamed, ModelParams::Unnamed) => return,
            (ModelParams::Unnamed, ModelParams::Fields(n)) if n.is_empty() => {
                (Class::Breaking, "no longer takes model_params".to_string())
            }
            (ModelParams::Unnamed, ModelParams::Fields(n)) => (
                Class::NonBreaking,
                format!("model_params: its fields named: {}", quoted(&n)),
            ),
            (ModelParams::Fields(o), ModelParams::Unnamed) if o.is_empty() => {
                (Class::NonBreaking, "now takes model_params".to_string())
            }
            (ModelParams::Fields(_), ModelParams::Unnamed) => (
                Class::NonBreaking,
                "model_params: its fields no longer named".to_string(),
            ),
        };
        self.push(class, place, format!("model '{model}' {change}"));
    }
}
