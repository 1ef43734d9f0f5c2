//! Request and response types, all generated from the spec: progenitor's structs, and the
//! enums they use (`generated_lineup.rs`: readable variants such as `ImageSize::Ratio16x9`,
//! `FromStr` from the wire strings, and `Unknown(String)` in the open ones), with [`Validate`]
//! for the spec's limits that the types do not enforce themselves.

mod credits;
pub(crate) mod model_params;
pub(crate) mod open_enums;
pub(crate) mod validate;

pub use crate::generated::types::*;
pub use crate::generated_lineup::{
    BillingRule, ImageModel, ImageQuality, ImageSize, ModelParamName, TaskObject, TaskStatus,
    TaskType, ThinkingLevel, UserGroup,
};
pub use model_params::ModelParams;
pub use open_enums::UnknownValue;
pub use validate::Validate;

impl TaskStatus {
    /// Whether the task has ended. An unknown status (e.g. `expired`) counts as ended: the
    /// documented progression only moves through the known non-terminal states.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Pending | Self::Processing)
    }
}

#[cfg(test)]
mod tests {
    use super::{ImageQuality, TaskStatus};

    #[test]
    fn known_values_round_trip_as_variants() {
        let status: TaskStatus = serde_json::from_str("\"completed\"").unwrap();
        assert_eq!(status, TaskStatus::Completed);
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"completed\"");
    }

    #[test]
    fn unknown_values_are_kept_and_sent_back_unchanged() {
        let status: TaskStatus = serde_json::from_str("\"expired\"").unwrap();
        assert_eq!(status, TaskStatus::Unknown("expired".into()));
        assert!(!status.is_known());
        assert!(status.is_terminal());
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"expired\"");
    }

    #[test]
    fn closed_enums_name_the_accepted_values() {
        let err = "8K".parse::<ImageQuality>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`8K` is not a valid quality; use one of: 0.5K, 1K, 2K, 4K"
        );
        assert_eq!("0.5K".parse::<ImageQuality>(), Ok(ImageQuality::Res0_5K));
        assert!(serde_json::from_str::<ImageQuality>("\"8K\"").is_err());
    }

    #[test]
    fn non_strings_are_still_rejected() {
        assert!(serde_json::from_str::<TaskStatus>("3").is_err());
    }
}
