//! The model table of `docs/models.md` is the generated model table, rendered: a change to a
//! model's limits in the spec fails here until the page shows it too.

use nanobanana_api::lineup::{self, ModelLimits};

fn row(m: &ModelLimits) -> String {
    let list = |values: Vec<String>| {
        if values.is_empty() {
            "none (no `quality`)".to_string()
        } else {
            values.join(", ")
        }
    };
    let params: Vec<&str> = m.model_params.iter().map(|p| p.as_str()).collect();
    format!(
        "| `{}`{} | {} | {}{} | {} | {} MB | {} | {} | {} | {} |",
        m.model,
        if m.listed_upstream {
            ""
        } else {
            " (not in Evolink's model index; still sendable)"
        },
        list(m.sizes.iter().map(ToString::to_string).collect()),
        list(m.qualities.iter().map(ToString::to_string).collect()),
        m.default_quality
            .map(|q| format!(" (default {q})"))
            .unwrap_or_default(),
        m.max_images,
        m.max_image_mb,
        m.max_real_persons
            .map(|n| n.to_string())
            .unwrap_or_else(|| "not stated".into()),
        m.prompt_max_chars,
        if params.is_empty() {
            "none".to_string()
        } else {
            params.join(", ")
        },
        m.source,
    )
}

/// The table as the page carries it.
fn table() -> String {
    let mut lines = vec![
        "| model | sizes | qualities | max images | max size per image | real persons | prompt max (characters) | model_params | source |".to_string(),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |".to_string(),
    ];
    lines.extend(lineup::MODELS.iter().map(row));
    lines.join("\n")
}

#[test]
fn the_models_page_shows_the_generated_model_table() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/models.md"))
            .expect("docs/models.md is readable");
    let table = table();
    assert!(
        page.contains(&table),
        "docs/models.md's model table differs from the spec's; replace it with:\n\n{table}\n"
    );
}
