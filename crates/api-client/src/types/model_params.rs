//! [`ModelParams`], the request's `model_params`: the fields the spec lists, typed, and any
//! other field kept as sent (typify's generated struct would drop fields the spec does not
//! list yet, so the code generator uses this type in its place).

use serde::{Deserialize, Serialize};

use crate::generated_lineup::{ModelParamName, ThinkingLevel};

/// Model extension parameters. Each model takes its own fields (see
/// [`ModelLimits::model_params`](crate::lineup::ModelLimits::model_params)); set them with
/// [`ImageRequest::thinking`](crate::ImageRequest::thinking),
/// [`web_search`](crate::ImageRequest::web_search) and
/// [`image_search`](crate::ImageRequest::image_search).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ModelParams {
    /// How much the model reasons before drawing (`auto` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<ThinkingLevel>,
    /// Whether the model may search the web.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_search: Option<bool>,
    /// Whether the model may search for images on the web.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_search: Option<bool>,
    /// Fields the spec does not list yet, sent as given.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ModelParams {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.fields().next().is_none()
    }

    /// The names of the fields that are set, listed ones first, as sent.
    pub fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        [
            (self.thinking_level.is_some(), ModelParamName::ThinkingLevel),
            (self.web_search.is_some(), ModelParamName::WebSearch),
            (self.image_search.is_some(), ModelParamName::ImageSearch),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| name.as_str())
        .chain(self.other.keys().map(String::as_str))
    }
}

/// The fields of a JSON object: listed ones typed, the rest kept.
impl From<serde_json::Map<String, serde_json::Value>> for ModelParams {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        serde_json::from_value(serde_json::Value::Object(map.clone())).unwrap_or(Self {
            other: map,
            ..Self::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_fields_are_typed_and_others_kept() {
        let params: ModelParams = serde_json::from_value(serde_json::json!({
            "thinking_level": "high", "web_search": true, "seed": 7
        }))
        .unwrap();
        assert_eq!(params.thinking_level, Some(ThinkingLevel::High));
        assert_eq!(params.web_search, Some(true));
        assert_eq!(params.other["seed"], 7);
        assert_eq!(
            params.fields().collect::<Vec<_>>(),
            ["thinking_level", "web_search", "seed"]
        );
        let sent = serde_json::to_value(&params).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"thinking_level": "high", "web_search": true, "seed": 7})
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_kept_as_sent() {
        let map = serde_json::json!({"web_search": "yes"});
        let params = ModelParams::from(map.as_object().unwrap().clone());
        assert_eq!(params.web_search, None);
        assert_eq!(params.other["web_search"], "yes");
        assert!(!params.is_empty());
    }
}
