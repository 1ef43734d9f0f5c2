//! The flags of the commands that make images, `generate` and `batch`, and how their values
//! are read.

use std::path::PathBuf;

use clap::Args;
use nanobanana_api::{types, ImageInput};

use super::{at_least_one, ConnectionArgs, DEFAULT_MODEL};
use crate::exit::EXIT_CODES_HELP;

/// `nanobanana generate`.
#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct GenerateArgs {
    /// What to draw, or how to edit the input images (at most 2000 characters; 1000 for
    /// gemini-2.5-flash-image and nano-banana-beta).
    pub prompt: String,
    /// The model: one `nanobanana models` lists, or any newer name (sent as is).
    #[arg(long, default_value = DEFAULT_MODEL, value_parser = parse::<types::ImageModel>, help = model_help())]
    pub model: types::ImageModel,
    /// Aspect ratio (API default auto); which ones depends on the model (`nanobanana models`).
    #[arg(long, value_parser = parse::<types::ImageSize>, help = values_help("Aspect ratio (API default auto; per model: `nanobanana models`)", types::ImageSize::KNOWN))]
    pub size: Option<types::ImageSize>,
    /// Quality, the long edge (default: the model's own, 1K for the Lite models and 2K for the
    /// others; each level priced differently, 4K costs extra).
    #[arg(long, value_parser = parse::<types::ImageQuality>, help = values_help("Quality, the long edge (default: the model's own, 1K for the Lite models, 2K for the others; priced per level, 4K costs extra)", types::ImageQuality::KNOWN))]
    pub quality: Option<types::ImageQuality>,
    /// How much the model reasons before drawing: auto, min or high (models that take it:
    /// `nanobanana models`).
    #[arg(long, value_name = "LEVEL", value_parser = parse_thinking)]
    pub thinking: Option<types::ThinkingLevel>,
    /// Let the model search the web (models that take it: `nanobanana models`).
    #[arg(long)]
    pub web_search: bool,
    /// Let the model search for images on the web (models that take it: `nanobanana models`).
    #[arg(long)]
    pub image_search: bool,
    /// Other model extension parameters, as a JSON object (sent as given; the fields each
    /// model takes: `nanobanana models`).
    #[arg(long, value_name = "JSON", value_parser = parse_object)]
    pub model_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// An input image for image-to-image or editing: an http(s) URL, or a local JPEG, PNG or
    /// WebP file (at most the model's size, 10 or 20 MB), uploaded to Evolink's file service
    /// first. Repeat for more, mixing URLs and files (at most the model's count, 5 to 14).
    #[arg(long = "image", value_name = "URL|PATH", value_parser = parse::<ImageInput>)]
    pub images: Vec<ImageInput>,
    /// An HTTPS URL the API POSTs the task to when it ends.
    #[arg(long)]
    pub callback_url: Option<String>,
    /// The create's Idempotency-Key (default: a new random one). Run the same command again
    /// with the same key to get the task it created instead of paying for a second; a new
    /// image needs a new key.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Save the image as this file (a second image gets `-1`, and so on).
    #[arg(short = 'o', long, conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Save images in this directory as `<task_id>-<n>.<ext>` (default: the current one).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Where to send requests.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `nanobanana batch`.
#[derive(Args, Debug)]
#[command(
    after_help = "Each line is one JSON object:\n  {\"prompt\": \"a red fox\", \"model\": \"gemini-3.1-flash-image-preview\", \"size\": \"16:9\", \"quality\": \"2K\", \"images\": [\"https://…/ref.png\", \"./local.jpg\"], \"output\": \"fox.png\", \"thinking\": \"high\", \"web_search\": true}\nOnly \"prompt\" is required. Local image paths are relative to the file. The ledger (nanobanana-batch.jsonl) sits beside the images."
)]
pub struct BatchArgs {
    /// The JSON-lines file.
    pub file: PathBuf,
    /// Where to save the images and the ledger (default: `<file stem>-images` beside the file).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// How many generations run at once (1 or more).
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = at_least_one)]
    pub concurrency: usize,
    /// Create no task that would bring the credits this run reserves past N; lines left are
    /// created by running the same command again with a larger budget.
    #[arg(long, value_name = "N")]
    pub max_credits: Option<f64>,
    /// Replace files already in the folder that lines name as their `output` (and a page
    /// there named index.html that nanobanana did not write).
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Where to send requests.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

fn parse<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| e.to_string())
}

/// `--model-params`: a JSON object.
fn parse_object(value: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_str(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("must be a JSON object, e.g. '{\"thinking_level\": \"high\"}'".into()),
        Err(e) => {
            // The value is one line: the parser's "line 1" says nothing, its column does.
            let message = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&position).unwrap_or(&message);
            Err(format!(
                "is not JSON ({message} at column {}); e.g. '{{\"thinking_level\": \"high\"}}'",
                e.column()
            ))
        }
    }
}

/// `--thinking`: one of the documented levels (the type is open, to read answers; a person
/// typing a level gets the documented ones).
fn parse_thinking(value: &str) -> Result<types::ThinkingLevel, String> {
    match value.parse::<types::ThinkingLevel>() {
        Ok(level) if level.is_known() => Ok(level),
        _ => Err(format!(
            "`{value}` is not a thinking level; use one of {}",
            types::ThinkingLevel::KNOWN.join(" | ")
        )),
    }
}

/// `--model`'s help: the known models, from the generated table.
fn model_help() -> String {
    let known: Vec<&str> = nanobanana_api::lineup::MODELS
        .iter()
        .map(|m| m.model.as_str())
        .collect();
    format!(
        "The model: {} (limits: `nanobanana models`), or any newer name, sent as is",
        known.join(", ")
    )
}

/// A value option's help, ending with its accepted values.
fn values_help(text: &str, values: &[&str]) -> String {
    format!("{text}: {}", values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::parse_object;

    #[test]
    fn bad_json_in_a_flag_is_placed_by_column_not_by_line() {
        let said = parse_object(r#"{"thinking_level": "high",}"#).unwrap_err();
        assert!(said.contains("at column 27"), "{said}");
        assert!(!said.contains("line 1"), "{said}");
        assert!(parse_object(r#"{"thinking_level": "high"}"#).is_ok());
    }
}
