//! Checks for the spec's limits that the generated types do not enforce themselves.
//!
//! typify enforces `enum`, `required`, `maxLength`/`minLength` (validated newtypes) and
//! `minimum: 0` on integers (unsigned types). It does not enforce `maxItems`, `format: uri`,
//! `maximum`, or `minimum` on numbers; those are checked here. The conformance suite proves, for
//! every limit in the spec, that one of the two enforces it at the spec's exact boundary.

use std::fmt;

use crate::types;

/// The most reference images one request may carry.
pub const MAX_IMAGE_URLS: usize = 10;
/// The range of a task's `progress`.
pub const PROGRESS_RANGE: std::ops::RangeInclusive<i64> = 0..=100;

/// A value that breaks a limit of the spec: which field, what is wrong, and the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The field, as named in the API (`image_urls[3]`, `usage.credits_reserved`).
    pub field: String,
    /// What is wrong with the value (without repeating long values).
    pub problem: String,
    /// The limit that was broken.
    pub limit: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {}; the limit is {}",
            self.field, self.problem, self.limit
        )
    }
}

impl std::error::Error for ValidationError {}

impl ValidationError {
    fn new(field: impl Into<String>, problem: impl Into<String>, limit: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
            limit: limit.into(),
        }
    }
}

/// A value whose spec limits can be checked beyond what its type enforces.
pub trait Validate {
    /// `Ok` when every limit the type itself does not enforce holds.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Types whose limits are all enforced by the generated type itself.
macro_rules! enforced_by_type {
    ($($ty:ident),* $(,)?) => {
        $(impl Validate for types::$ty {
            fn validate(&self) -> Result<(), ValidationError> {
                Ok(())
            }
        })*
    };
}

enforced_by_type!(
    BillingRule,
    UserGroup,
    ErrorCode,
    ErrorDetail,
    ErrorResponse,
    ImageModel,
    ImageQuality,
    ImageSize,
    TaskError,
    TaskInfo,
    TaskObject,
    TaskStatus,
    TaskType,
);

impl Validate for types::ImageGenerationRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.image_urls.len() > MAX_IMAGE_URLS {
            return Err(ValidationError::new(
                "image_urls",
                format!("has {} items", self.image_urls.len()),
                format!("at most {MAX_IMAGE_URLS} images per request"),
            ));
        }
        for (i, url) in self.image_urls.iter().enumerate() {
            check_uri(&format!("image_urls[{i}]"), url)?;
        }
        if let Some(callback) = &self.callback_url {
            check_uri("callback_url", callback)?;
        }
        Ok(())
    }
}

impl Validate for types::ImageGenerationResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        check_progress(self.progress)?;
        match &self.usage {
            Some(usage) => usage.validate(),
            None => Ok(()),
        }
    }
}

impl Validate for types::TaskDetail {
    fn validate(&self) -> Result<(), ValidationError> {
        check_progress(self.progress)?;
        for (i, url) in self.results.iter().enumerate() {
            check_uri(&format!("results[{i}]"), url)?;
        }
        Ok(())
    }
}

impl Validate for types::Usage {
    fn validate(&self) -> Result<(), ValidationError> {
        match self.credits_reserved {
            Some(credits) if credits.is_nan() || credits < 0.0 => Err(ValidationError::new(
                "usage.credits_reserved",
                format!("is {credits}"),
                "a number of at least 0",
            )),
            _ => Ok(()),
        }
    }
}

fn check_progress(progress: Option<i64>) -> Result<(), ValidationError> {
    match progress {
        Some(p) if !PROGRESS_RANGE.contains(&p) => Err(ValidationError::new(
            "progress",
            format!("is {p}"),
            format!(
                "a percentage from {} to {}",
                PROGRESS_RANGE.start(),
                PROGRESS_RANGE.end()
            ),
        )),
        _ => Ok(()),
    }
}

/// `format: uri`: an absolute URI (a scheme and what follows it).
fn check_uri(field: &str, value: &str) -> Result<(), ValidationError> {
    match reqwest::Url::parse(value) {
        Ok(_) => Ok(()),
        Err(e) => Err(ValidationError::new(
            field,
            format!("is not an absolute URI ({e})"),
            "an absolute URI such as https://example.com/image.png",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_field_problem_and_limit() {
        let request = types::ImageGenerationRequest {
            callback_url: None,
            image_urls: vec!["https://e.com/a.png".into(); 11],
            model: types::ImageModel::NanoBanana2Lite,
            prompt: "x".parse().unwrap(),
            quality: None,
            size: None,
        };
        let err = request.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`image_urls` has 11 items; the limit is at most 10 images per request"
        );
    }

    #[test]
    fn a_relative_url_is_not_a_uri() {
        let err = check_uri("callback_url", "/hook").unwrap_err();
        assert_eq!(err.field, "callback_url");
        assert!(err.problem.contains("not an absolute URI"), "{err}");
    }

    #[test]
    fn nan_credits_are_rejected() {
        let usage = types::Usage {
            billing_rule: None,
            credits_reserved: Some(f64::NAN),
            user_group: None,
        };
        assert!(usage.validate().is_err());
    }
}
