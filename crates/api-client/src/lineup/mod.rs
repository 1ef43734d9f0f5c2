//! The models Evolink serves on `POST /v1/images/generations`, each with its own limits, and the
//! documented codes of failed tasks.
//!
//! Both tables are generated from the spec (`x-nanobanana-models` on `ImageModel`,
//! `x-nanobanana-task-error-codes` on `TaskError`) into `generated_lineup.rs`; nothing here
//! repeats a number. A model the spec does not list yet can still be sent
//! (`ImageModel::Unknown`); it is checked against the limits every model shares only.
//!
//! ```
//! use nanobanana_api::lineup;
//! use nanobanana_api::types::{ImageModel, ImageSize};
//!
//! let flash = lineup::limits(&ImageModel::Gemini31FlashImagePreview).unwrap();
//! assert!(flash.sizes.contains(&ImageSize::Ratio1x8));
//! assert_eq!(flash.max_images, 14);
//! assert!(lineup::limits(&"a-model-from-tomorrow".into()).is_none());
//! ```

use crate::error::validation::ValidationError;
use crate::generated_lineup::{ImageModel, ImageQuality, ModelParamName, ThinkingLevel};
use crate::types::model_params::ModelParams;

pub use crate::generated_lineup::{
    ModelLimits, Resubmit, TaskErrorCode, ANY_MODEL, MODELS, TASK_ERROR_CODES,
};

impl ModelLimits {
    /// The largest reference image, in bytes.
    pub fn max_image_bytes(&self) -> u64 {
        self.max_image_mb * 1024 * 1024
    }

    /// `Ok` for a prompt this model takes: not blank, at most `prompt_max_chars` characters.
    pub fn check_prompt(&self, prompt: &str) -> Result<(), ValidationError> {
        if prompt.trim().is_empty() {
            return Err(ValidationError::new(
                "prompt",
                "is empty or only whitespace",
                format!(
                    "1 to {} characters describing the image",
                    self.prompt_max_chars
                ),
            ));
        }
        let chars = prompt.chars().count();
        if chars > self.prompt_max_chars {
            return Err(ValidationError::new(
                "prompt",
                format!("has {chars} characters"),
                format!(
                    "at most {} characters for {}",
                    self.prompt_max_chars,
                    self.name()
                ),
            ));
        }
        Ok(())
    }

    /// The quality the service gives an image of this model when the request sends none:
    /// [`default_quality`](Self::default_quality), or for a model the spec does not list, the
    /// documented default of the API (`2K`). `None` for a model that takes no quality.
    pub fn effective_quality(&self, asked: Option<ImageQuality>) -> Option<ImageQuality> {
        match (asked, self.qualities.is_empty(), &self.model) {
            (Some(asked), _, _) => Some(asked),
            (None, true, _) => None,
            (None, false, ImageModel::Unknown(_)) => Some(ImageQuality::Res2K),
            (None, false, _) => self.default_quality,
        }
    }

    /// Whether the model takes the `model_params` field `field`.
    pub fn takes_model_param(&self, field: ModelParamName) -> bool {
        self.model_params.contains(&field)
    }

    /// `Ok` when the model takes every field set in `params`, and a `thinking_level` is one of
    /// [`ThinkingLevel::KNOWN`] (any value for a model the spec does not list). A model that
    /// takes no field refuses any; one that takes some refuses a listed field it does not take,
    /// and passes fields the spec does not list yet through. The error names
    /// `model_params.<field>`, the model and the fields or values it takes.
    pub fn check_model_params(&self, params: &ModelParams) -> Result<(), ValidationError> {
        let takes = if self.model_params.is_empty() {
            "no model_params at all for this model: leave them out".to_string()
        } else {
            format!(
                "only {} with {}",
                self.model_params
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                self.name()
            )
        };
        for field in params.fields() {
            let refused = match field.parse::<ModelParamName>() {
                Ok(listed) => !self.takes_model_param(listed),
                Err(_) => self.model_params.is_empty(),
            };
            if refused {
                return Err(ValidationError::new(
                    format!("model_params.{field}"),
                    format!("is set, but {} does not take it", self.name()),
                    takes,
                ));
            }
        }
        if let Some(level) = &params.thinking_level {
            if !level.is_known() && !matches!(self.model, ImageModel::Unknown(_)) {
                return Err(ValidationError::new(
                    "model_params.thinking_level",
                    format!("is `{level}`, which {} does not accept", self.name()),
                    format!("one of {}", ThinkingLevel::KNOWN.join(" | ")),
                ));
            }
        }
        Ok(())
    }

    /// `Ok` when `count` reference images are allowed; the error names `field`.
    pub fn check_image_count(&self, field: &str, count: usize) -> Result<(), ValidationError> {
        if count <= self.max_images {
            return Ok(());
        }
        Err(ValidationError::new(
            field,
            format!("has {count} items"),
            format!(
                "at most {} images per request for {}",
                self.max_images,
                self.name()
            ),
        ))
    }
}

/// The limits of `model`, or `None` for a model the spec does not list.
pub fn limits(model: &ImageModel) -> Option<&'static ModelLimits> {
    MODELS.iter().find(|m| &m.model == model)
}

/// The limits checked before sending to `model`: its own, or for a model the spec does not
/// list, [`ANY_MODEL`]'s (what every model shares).
pub fn checked_limits(model: &ImageModel) -> &'static ModelLimits {
    limits(model).unwrap_or(&ANY_MODEL)
}

impl ModelLimits {
    /// The model's name for messages: its wire name, or "any model" for one this SDK does not list.
    pub fn name(&self) -> &str {
        match &self.model {
            ImageModel::Unknown(_) => "any model",
            known => known.as_str(),
        }
    }
}

/// The documentation of a task failure `code`, or `None` for a code it does not list.
pub fn task_error_code(code: &str) -> Option<&'static TaskErrorCode> {
    TASK_ERROR_CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_model_has_limits() {
        for model in ImageModel::KNOWN {
            assert!(limits(&(*model).into()).is_some(), "{model}");
        }
    }

    #[test]
    fn task_error_codes_are_found_by_code() {
        let cancelled = task_error_code("request_cancelled").unwrap();
        assert_eq!(cancelled.resubmit, Resubmit::Same);
        assert_eq!(
            task_error_code("content_policy_violation")
                .unwrap()
                .resubmit,
            Resubmit::Changed
        );
        assert!(task_error_code("never_documented").is_none());
    }
}
