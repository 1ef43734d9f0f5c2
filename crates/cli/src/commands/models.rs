//! `nanobanana models`: the models this version knows and their limits, from the generated
//! table.

use nanobanana_api::lineup;

use crate::error::CliError;
use crate::settings::Settings;

/// One model's limits as JSON, as `nanobanana models --json` and MCP's `list_models` give them.
pub fn model_facts(m: &lineup::ModelLimits) -> serde_json::Value {
    serde_json::json!({
        "model": m.model,
        "default": m.model.as_str() == crate::args::DEFAULT_MODEL,
        "summary": m.summary,
        "sizes": m.sizes,
        "qualities": m.qualities,
        "default_quality": m.default_quality,
        "max_images": m.max_images,
        "max_image_mb": m.max_image_mb,
        "max_real_persons": m.max_real_persons,
        "prompt_max_chars": m.prompt_max_chars,
        "model_params": m.model_params,
        "page": m.page,
        "source": m.source,
        "listed_upstream": m.listed_upstream,
    })
}

/// `nanobanana models`: the known models and their limits, from the generated table.
pub fn models(settings: &Settings) -> Result<(), CliError> {
    let join = |values: Vec<String>| {
        if values.is_empty() {
            "-".to_string()
        } else {
            values.join(" ")
        }
    };
    if settings.json {
        let table: Vec<serde_json::Value> = lineup::MODELS.iter().map(model_facts).collect();
        return crate::output::print_json(&table);
    }
    let mut out = String::new();
    for m in lineup::MODELS {
        let default = if m.model.as_str() == crate::args::DEFAULT_MODEL {
            " (default)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{}{default}\n  {}\n  sizes: {}\n  qualities: {}{}\n  images: at most {} of {} MB{}; prompt: at most {} characters\n  model_params: {}\n  source: {}\n",
            m.model,
            m.summary,
            join(m.sizes.iter().map(ToString::to_string).collect()),
            join(m.qualities.iter().map(ToString::to_string).collect()),
            m.default_quality
                .map(|q| format!(" (default {q})"))
                .unwrap_or_default(),
            m.max_images,
            m.max_image_mb,
            m.max_real_persons
                .map(|n| format!(", {n} of real people"))
                .unwrap_or_default(),
            m.prompt_max_chars,
            model_param_flags(m.model_params),
            m.page,
        ));
        if !m.listed_upstream {
            out.push_str(
                "  not in Evolink's model index: still sent as is, its limits are those of the page that last listed it\n",
            );
        }
    }
    out.push_str(
        "Any other name is sent as is, checked only against the limits all models share.\n",
    );
    crate::output::print(&out)
}

/// The flags for the `model_params` fields a model takes (`none` when it takes none).
fn model_param_flags(fields: &[nanobanana_api::types::ModelParamName]) -> String {
    use nanobanana_api::types::ModelParamName as F;
    if fields.is_empty() {
        return "none".into();
    }
    fields
        .iter()
        .map(|f| match f {
            F::ThinkingLevel => "--thinking auto|min|high",
            F::WebSearch => "--web-search",
            F::ImageSearch => "--image-search",
        })
        .collect::<Vec<_>>()
        .join(", ")
}
