//! Checks for the spec's limits that the generated types do not enforce themselves.
//!
//! typify enforces `enum`, `required`, `maxLength`/`minLength` (validated newtypes) and
//! `minimum: 0` on integers (unsigned types). It does not enforce `maxItems`, `format: uri`,
//! `maximum`, or `minimum` on numbers; those are checked here. The conformance suite proves, for
//! every limit in the spec, that one of the two enforces it at the spec's exact boundary.
//!
//! By job: a create before it is sent (`request.rs`: its model's limits, `model_params`, image
//! and callback URLs) and the answers (`answers.rs`: tasks, errors, the file service's bodies).

pub(crate) mod answers;
pub(crate) mod request;

use crate::error::validation::ValidationError;

/// The generated types and enums, from the files that define them (`crate::types` re-exports
/// this file, so importing from it would go in a circle).
mod types {
    pub(super) use crate::generated::types::*;
    pub(super) use crate::generated_lineup::*;
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
    CreditsData,
    CreditsResponse,
    TokenCredits,
    UserCredits,
    GetTaskDetailTaskId,
    BillingRule,
    UserGroup,
    ErrorCode,
    ImageModel,
    ImageQuality,
    ImageSize,
    TaskError,
    TaskInfo,
    TaskObject,
    TaskStatus,
    TaskType,
    FileServiceError,
    UploadFileStreamForm,
    UploadFileBase64Request,
    UploadFileBase64RequestBase64Data,
    FileDeletedResponse,
    ModelParamName,
    ThinkingLevel,
    UsageCost,
);

/// `format: uri`: an absolute URI (a scheme and what follows it).
pub(crate) fn check_uri(field: &str, value: &str) -> Result<(), ValidationError> {
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
    fn a_relative_url_is_not_a_uri() {
        let err = check_uri("callback_url", "/hook").unwrap_err();
        assert_eq!(err.field, "callback_url");
        assert!(err.problem.contains("not an absolute URI"), "{err}");
    }
}
