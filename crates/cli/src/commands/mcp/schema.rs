//! The tools an agent sees: their names, descriptions and input schemas. Schemas come from the
//! argument types (schemars); the limits in the descriptions come from the SDK's model table
//! (`nanobanana_api::lineup::MODELS`), so a model added to the spec shows up here by itself.

use std::sync::Arc;

use nanobanana_api::lineup::{self, ModelLimits};
use nanobanana_api::types::{ImageQuality, ImageSize, ModelParamName, ThinkingLevel};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::args::DEFAULT_MODEL;

/// `generate_image`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateImageArgs {
    /// What to draw, or how to edit the input images.
    pub prompt: String,
    /// The model (see list_models).
    pub model: Option<String>,
    /// The aspect ratio.
    pub size: Option<String>,
    /// The quality: the long edge of the image.
    pub quality: Option<String>,
    /// Input images for editing or reference: http(s) URLs, or paths of local JPEG, PNG or
    /// WebP files on this machine (uploaded to Evolink's file service first).
    #[serde(default)]
    pub images: Vec<String>,
    /// How much the model reasons before drawing (`model_params.thinking_level`). Only the
    /// models whose list_models entry lists thinking_level take it.
    pub thinking: Option<String>,
    /// Let the model search the web (`model_params.web_search`). Only the models whose
    /// list_models entry lists web_search take it.
    pub web_search: Option<bool>,
    /// Let the model search for images (`model_params.image_search`). Only the models whose
    /// list_models entry lists image_search take it.
    pub image_search: Option<bool>,
    /// The folder to save the images in (created if needed; absolute, or relative to where
    /// the server started). Default: the folder the server's instructions name.
    pub output_dir: Option<String>,
    /// The file name to save the image as, inside output_dir (ending in .png, .jpg, .jpeg or
    /// .webp; the image is converted to that type). A second image gets `-1`, and so on.
    /// Default: `<task_id>-<n>.<ext>`. An existing file is never replaced.
    pub file_name: Option<String>,
    /// A key for this image: repeat a call (after a timeout, a lost answer) with the same key
    /// and the same request to get the original task back instead of paying again. Default: a
    /// new key per call, sent back in the answer.
    pub idempotency_key: Option<String>,
}

/// `get_task`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTaskArgs {
    /// The task id (`task-unified-…`), as generate_image answered it.
    pub task_id: String,
}

/// `wait_task`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitTaskArgs {
    /// The task id (`task-unified-…`), as generate_image answered it or a progress
    /// notification named it.
    pub task_id: String,
    /// The folder to save the images in. Default: the folder the server's instructions name.
    pub output_dir: Option<String>,
}

/// `list_tasks`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasksArgs {
    /// Only tasks with this status: pending, processing, completed, failed or cancelled.
    pub status: Option<String>,
    /// Only tasks created within this long: e.g. 90s, 30m, 2h, 1d.
    pub since: Option<String>,
    /// The most tasks to list, newest first (1 to 100, default 20).
    pub limit: Option<u32>,
}

/// The arguments of a tool that takes none.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// Every tool, as `tools/list` answers.
pub fn tools() -> Vec<Tool> {
    let read_only = ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(true);
    vec![
        Tool::new("generate_image", generate_description(), generate_schema()).annotate(
            ToolAnnotations::with_title("Generate an image")
                .read_only(false)
                .destructive(false)
                .idempotent(false)
                .open_world(true),
        ),
        Tool::new(
            "get_task",
            "Query a task once by its id: its status, progress, result links or error. Does \
             not wait and saves nothing (wait_task does both).",
            schema::<GetTaskArgs>(),
        )
        .annotate(read_only.clone()),
        Tool::new(
            "wait_task",
            "Wait for a task created earlier (by generate_image, or one whose call was \
             cancelled or timed out) and save its images: answers their paths and a preview. \
             Use it instead of generating again, which would pay twice. Tasks and their result \
             links last 24 h. Reports progress; a cancel stops the wait, never the task.",
            schema::<WaitTaskArgs>(),
        )
        .annotate(
            ToolAnnotations::with_title("Wait for a task and save its images")
                .read_only(false)
                .destructive(false)
                .idempotent(true)
                .open_world(true),
        ),
        Tool::new(
            "list_tasks",
            "The tasks this server created since it started, newest first, with their status \
             now: find a task id again (e.g. to wait_task it).",
            schema::<ListTasksArgs>(),
        )
        .annotate(read_only.clone()),
        Tool::new(
            "list_models",
            "Every model this server knows with its limits: sizes, qualities (the long edge; \
             each priced differently), how many input images of what size, prompt length, \
             whether it takes model_params (thinking, web_search, image_search). Call it before \
             choosing a model, size or quality.",
            schema::<NoArgs>(),
        )
        .annotate(read_only.clone()),
        Tool::new(
            "credits",
            "The account's remaining and used credits, and those of this API key.",
            schema::<NoArgs>(),
        )
        .annotate(read_only.clone()),
        Tool::new(
            "files_quota",
            "How many files the account stores on Evolink's file service and how many more it \
             may upload (local input images are uploaded; each counts for 72 h).",
            schema::<NoArgs>(),
        )
        .annotate(read_only),
    ]
}

/// The input schema of `T`, as rmcp makes it (JSON Schema 2020-12).
fn schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    rmcp::handler::server::tool::schema_for_type::<T>()
}

/// `generate_image`'s schema, with the known values and limits put in from the model table.
fn generate_schema() -> Arc<JsonObject> {
    let mut schema = (*schema::<GenerateImageArgs>()).clone();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        let describe =
            |properties: &mut serde_json::Map<String, Value>, name: &str, text: String| {
                if let Some(Value::Object(property)) = properties.get_mut(name) {
                    property.insert("description".into(), Value::String(text));
                }
            };
        let models: Vec<&str> = lineup::MODELS.iter().map(|m| m.model.as_str()).collect();
        describe(
            properties,
            "model",
            format!(
                "The model (default {DEFAULT_MODEL}): {}, or a newer name, sent as is. Limits \
                 differ per model: see list_models.",
                models.join(", ")
            ),
        );
        if let Some(Value::Object(model)) = properties.get_mut("model") {
            model.insert("examples".into(), json!(models));
        }
        describe(
            properties,
            "size",
            format!(
                "The aspect ratio (default auto): one of {}; which ones depends on the model \
                 (list_models).",
                ImageSize::KNOWN.join(", ")
            ),
        );
        describe(
            properties,
            "quality",
            format!(
                "The quality, the long edge (0.5K about 512 px, 1K 1024, 2K 2048, 4K 4096; the \
                 service's default when left out): one of {}; each level is priced differently \
                 and which ones depends on the model (list_models).",
                ImageQuality::KNOWN.join(", ")
            ),
        );
        for (name, values) in [
            ("size", ImageSize::KNOWN),
            ("quality", ImageQuality::KNOWN),
            ("thinking", ThinkingLevel::KNOWN),
        ] {
            if let Some(Value::Object(property)) = properties.get_mut(name) {
                let mut allowed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
                allowed.push(Value::Null);
                property.insert("enum".into(), Value::Array(allowed));
            }
        }
    }
    Arc::new(schema)
}

/// `generate_image`'s description: what it does, and each model's limits in one line.
fn generate_description() -> String {
    let mut text = String::from(
        "Generate an image with Nano Banana and save it: checks the request against the \
         model's own limits first (a refused request is an error that costs nothing), creates \
         the task, waits (progress notifications; the first one names the task id), saves the \
         images and answers their paths, the task id, model, size, quality, the credits \
         reserved and a small preview. Give input images to edit or combine them. If the call \
         is cancelled or times out the task keeps running: call wait_task with its id rather \
         than generating again. Limits per model:\n",
    );
    for model in lineup::MODELS {
        text.push_str(&format!("- {}\n", model_line(model)));
    }
    text.push_str(
        "Any other model name is sent as is, checked against the limits all models share.",
    );
    text
}

/// One model's limits in a line.
fn model_line(m: &ModelLimits) -> String {
    let join = |values: Vec<String>| {
        if values.is_empty() {
            "none".to_string()
        } else {
            values.join(" ")
        }
    };
    format!(
        "{}{}: sizes {}; qualities {}{}; up to {} input images of {} MB; prompt up to {} characters{}",
        m.model,
        if m.model.as_str() == DEFAULT_MODEL {
            " (default)"
        } else {
            ""
        },
        join(m.sizes.iter().map(ToString::to_string).collect()),
        join(m.qualities.iter().map(ToString::to_string).collect()),
        m.default_quality
            .map(|q| format!(" (default {q})"))
            .unwrap_or_default(),
        m.max_images,
        m.max_image_mb,
        m.prompt_max_chars,
        takes(m.model_params),
    )
}

/// `; takes thinking, web_search` for the `model_params` fields a model takes, by the names
/// of generate_image's arguments.
pub fn takes(fields: &[ModelParamName]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = fields
        .iter()
        .map(|field| match field {
            ModelParamName::ThinkingLevel => "thinking",
            other => other.as_str(),
        })
        .collect();
    format!("; takes {}", names.join(", "))
}
