//! Checking a create request like the API: into the generated request type, then the same
//! limits the SDK checks before sending. Every rejection is a documented error with `param`.

use nanobanana_api::types::ImageGenerationRequest;
use nanobanana_api::{lineup, types::Validate};
use serde_json::Value;

use crate::contract::{ApiFailure, SpecOperation};

const OP: SpecOperation = SpecOperation::CreateTask;

/// The property names of the generated request type (from its derived JSON Schema, so there
/// is no second list to keep in step with the spec).
fn request_properties() -> &'static std::collections::BTreeSet<String> {
    static NAMES: std::sync::OnceLock<std::collections::BTreeSet<String>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let schema = schemars::schema_for!(ImageGenerationRequest);
        schema
            .schema
            .object
            .map(|o| o.properties.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// The request in `body`, or the error the API would answer.
pub fn check_create(
    body: &[u8],
    allow_insecure_callbacks: bool,
) -> Result<ImageGenerationRequest, ApiFailure> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiFailure::documented(OP, 400)
            .message(format!("The request body is not valid JSON: {e}"))
            .param("body")
    })?;
    let Some(object) = value.as_object() else {
        return Err(ApiFailure::documented(OP, 400)
            .message("The request body must be a JSON object")
            .param("body"));
    };
    // No request property is nullable: `"callback_url": null` is not the same as leaving it
    // out. Unknown properties are allowed by the schema and ignored, whatever their value.
    let known = request_properties();
    if let Some((field, _)) = object
        .iter()
        .find(|(k, v)| v.is_null() && known.contains(k.as_str()))
    {
        return Err(ApiFailure::documented(OP, 400)
            .message(format!("`{field}` must not be null"))
            .param(field.clone()));
    }
    match object.get("model") {
        None => {
            return Err(ApiFailure::documented(OP, 400)
                .message("`model` is required")
                .param("model"))
        }
        Some(Value::String(model)) if lineup::limits(&model.as_str().into()).is_none() => {
            let known: Vec<&str> = lineup::MODELS.iter().map(|m| m.model.as_str()).collect();
            return Err(ApiFailure::documented(OP, 404)
                .message(format!(
                    "Specified model not found: {model} (this sandbox serves {})",
                    known.join(", ")
                ))
                .suggestion(closest_model(model)));
        }
        _ => {}
    }
    let limits = match object.get("model") {
        Some(Value::String(model)) => lineup::checked_limits(&model.as_str().into()),
        _ => &lineup::ANY_MODEL,
    };
    if let Some(Value::Array(urls)) = object.get("image_urls") {
        if urls.len() > limits.max_images {
            return Err(ApiFailure::documented(OP, 413)
                .message(format!(
                    "Too many images: {} (at most {} for {})",
                    urls.len(),
                    limits.max_images,
                    limits.name()
                ))
                .suggestion(format!("send at most {} images", limits.max_images)));
        }
    }
    let request: ImageGenerationRequest = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // A missing field is reported at the root: its name is in serde's message.
        let missing = message
            .split("missing field `")
            .nth(1)
            .and_then(|m| m.split('`').next());
        let param = match path.split(['.', '[']).next().filter(|p| !p.is_empty()) {
            Some(field) => field.to_string(),
            None => missing.unwrap_or("body").to_string(),
        };
        ApiFailure::documented(OP, 400)
            .message(format!("Invalid `{param}`: {}", e.inner()))
            .param(param)
    })?;

    let checked = if allow_insecure_callbacks {
        // Local receivers: only require an absolute http(s) URL.
        if let Some(url) = &request.callback_url {
            let ok = reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(ApiFailure::documented(OP, 400)
                    .message("`callback_url` must be an absolute http(s) URL")
                    .param("callback_url"));
            }
        }
        ImageGenerationRequest {
            callback_url: None,
            ..request.clone()
        }
    } else {
        request.clone()
    };
    checked.validate().map_err(|e| {
        let param = e.field.split('[').next().unwrap_or("body").to_string();
        ApiFailure::documented(OP, 400)
            .message(e.to_string())
            .param(param)
    })?;
    Ok(request)
}

/// The listed model whose name is closest to `asked` (the documented example always suggests
/// one fixed model, which is no help for a typo of another).
fn closest_model(asked: &str) -> String {
    lineup::MODELS
        .iter()
        .map(|m| m.model.as_str())
        .min_by(|a, b| {
            let score = |name: &str| strsim::normalized_damerau_levenshtein(asked, name);
            score(a).total_cmp(&score(b)).reverse()
        })
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reject(body: Value) -> (u16, Value) {
        match check_create(body.to_string().as_bytes(), false) {
            Ok(_) => (0, json!("accepted")),
            Err(failure) => (failure.status, failure.body["error"]["param"].clone()),
        }
    }

    #[test]
    fn an_unknown_model_is_answered_with_the_closest_one() {
        assert_eq!(
            closest_model("gemini-3.1-flash-lite"),
            "gemini-3.1-flash-lite-image"
        );
        assert_eq!(closest_model("nano-banana-pro"), "nano-banana-pro-beta");
        let failure =
            check_create(br#"{"model": "gemini-3-pro-image", "prompt": "x"}"#, false).unwrap_err();
        assert_eq!(failure.status, 404);
        assert_eq!(
            failure.body["error"]["fallback_suggestion"],
            "gemini-3-pro-image-preview"
        );
    }

    #[test]
    fn each_model_takes_its_own_model_params() {
        let ok = |body: Value| check_create(body.to_string().as_bytes(), false).is_ok();
        assert!(ok(
            json!({"model": "gemini-3-pro-image-preview", "prompt": "x",
                          "model_params": {"web_search": true}})
        ));
        assert_eq!(
            reject(json!({"model": "gemini-3-pro-image-preview", "prompt": "x",
                          "model_params": {"thinking_level": "high"}})),
            (400, json!("model_params.thinking_level"))
        );
        assert_eq!(
            reject(
                json!({"model": "gemini-3.1-flash-image-preview", "prompt": "x",
                          "model_params": {"thinking_level": "minimal"}})
            ),
            (400, json!("model_params.thinking_level"))
        );
    }

    #[test]
    fn each_limit_answers_its_documented_status_and_param() {
        let cases = [
            (json!({"prompt": "x"}), 400, "model"),
            (json!({"model": "dall-e-3", "prompt": "x"}), 404, "model"),
            (json!({"model": "nano-banana-2-lite"}), 400, "prompt"),
            (
                json!({"model": "nano-banana-2-lite", "prompt": ""}),
                400,
                "prompt",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "   "}),
                400,
                "prompt",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x".repeat(2001)}),
                400,
                "prompt",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "size": "7:5"}),
                400,
                "size",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "quality": "8K"}),
                400,
                "quality",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "image_urls": vec!["https://e.com/a.png"; 11]}),
                413,
                "image_urls",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "image_urls": ["https://e.com/a.gif"]}),
                400,
                "image_urls",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "callback_url": "http://e.com/hook"}),
                400,
                "callback_url",
            ),
            (
                json!({"model": "nano-banana-2-lite", "prompt": "x", "callback_url": "https://192.168.0.2/hook"}),
                400,
                "callback_url",
            ),
        ];
        for (body, status, param) in cases {
            let (got_status, got_param) = reject(body.clone());
            assert_eq!(got_status, status, "{body}");
            assert_eq!(got_param, param, "{body}");
        }
    }

    #[test]
    fn insecure_callbacks_can_be_allowed_for_local_receivers() {
        let body = json!({"model": "nano-banana-2-lite", "prompt": "x", "callback_url": "http://127.0.0.1:9000/hook"});
        assert!(check_create(body.to_string().as_bytes(), true).is_ok());
        assert!(check_create(body.to_string().as_bytes(), false).is_err());
    }

    #[test]
    fn not_json_is_a_400() {
        assert_eq!(check_create(b"{", false).unwrap_err().status, 400);
    }
}
