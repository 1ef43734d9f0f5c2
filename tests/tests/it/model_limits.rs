//! Every model's own limits, tried just inside and just outside, against both enforcers: the
//! SDK's check before sending (`Validate`) and the sandbox's answer to the same JSON body. The
//! two must agree on every case, and an outside value must be refused naming its field.
//! Nothing here lists a limit: the cases come from the generated model table.

use nanobanana_api::lineup::{self, ModelLimits};
use nanobanana_api::{types, types::Validate};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::{json, Value};

/// One request body and whether the model's limits allow it.
struct Case {
    what: String,
    body: Value,
    allowed: bool,
    /// The field a refusal must name.
    field: &'static str,
}

fn cases(limits: &ModelLimits) -> Vec<Case> {
    let model = limits.model.as_str();
    let base = || json!({"model": model, "prompt": "a lighthouse"});
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    let mut cases = Vec::new();
    let mut case = |what: String, body: Value, allowed: bool, field: &'static str| {
        cases.push(Case {
            what: format!("{model}: {what}"),
            body,
            allowed,
            field,
        })
    };
    let max = limits.prompt_max_chars;
    case(
        format!("prompt of {max}"),
        with("prompt", json!("a".repeat(max))),
        true,
        "prompt",
    );
    case(
        format!("prompt of {}", max + 1),
        with("prompt", json!("a".repeat(max + 1))),
        false,
        "prompt",
    );
    for size in types::ImageSize::ALL {
        let allowed = limits.sizes.contains(size);
        case(
            format!("size {size}"),
            with("size", json!(size)),
            allowed,
            "size",
        );
    }
    for quality in types::ImageQuality::ALL {
        let allowed = limits.qualities.contains(quality);
        case(
            format!("quality {quality}"),
            with("quality", json!(quality)),
            allowed,
            "quality",
        );
    }
    let urls = |n: usize| json!(vec!["https://example.com/ref.png"; n]);
    let max = limits.max_images;
    case(
        format!("{max} images"),
        with("image_urls", urls(max)),
        true,
        "image_urls",
    );
    case(
        format!("{} images", max + 1),
        with("image_urls", urls(max + 1)),
        false,
        "image_urls",
    );
    for field in types::ModelParamName::ALL {
        let value = match field {
            types::ModelParamName::ThinkingLevel => json!("high"),
            _ => json!(true),
        };
        case(
            format!("model_params.{field}"),
            with("model_params", json!({ field.as_str(): value })),
            limits.model_params.contains(field),
            match field {
                types::ModelParamName::ThinkingLevel => "model_params.thinking_level",
                types::ModelParamName::WebSearch => "model_params.web_search",
                types::ModelParamName::ImageSearch => "model_params.image_search",
            },
        );
    }
    cases
}

/// The SDK's verdict: `Err(field)` when the body is refused before sending.
fn sdk_verdict(body: &Value) -> Result<(), String> {
    // The request type itself refuses values past the widest limit of any model.
    let request: types::ImageGenerationRequest =
        serde_path_to_error::deserialize(body.clone()).map_err(|e| e.path().to_string())?;
    request
        .validate()
        .map_err(|e| e.field.split('[').next().unwrap_or_default().to_string())
}

/// The sandbox's verdict on the same body: `Err(param)` for a refusal.
async fn sandbox_verdict(
    http: &reqwest::Client,
    sandbox: &SandboxHandle,
    body: &Value,
) -> Result<(), (u16, String)> {
    let response = http
        .post(format!("{}/v1/images/generations", sandbox.base_url()))
        .bearer_auth("sk-limits")
        .json(body)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    let answer: Value = response.json().await.expect("a JSON answer");
    if status == 200 {
        return Ok(());
    }
    let param = answer["error"]["param"].as_str().unwrap_or("").to_string();
    Err((status, param))
}

#[tokio::test]
async fn sdk_and_sandbox_agree_on_every_models_limits() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.001,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    let mut tried = 0;
    for limits in lineup::MODELS {
        for case in cases(limits) {
            tried += 1;
            let sdk = sdk_verdict(&case.body);
            let served = sandbox_verdict(&http, &sandbox, &case.body).await;
            match (case.allowed, &sdk, &served) {
                (true, Ok(()), Ok(())) => {}
                (false, Err(field), Err((status, param)))
                    if field == case.field
                        && param == case.field
                        && (*status == 400 || *status == 413) => {}
                _ => failures.push(format!(
                    "{}: want {}, SDK {sdk:?}, sandbox {served:?}",
                    case.what,
                    if case.allowed {
                        "allowed".to_string()
                    } else {
                        format!("refused naming `{}`", case.field)
                    }
                )),
            }
        }
    }
    println!(
        "model limits: {} models, {tried} cases, SDK and sandbox agree on {}",
        lineup::MODELS.len(),
        tried - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_unlisted_model_passes_the_sdk_and_gets_the_apis_answer() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let body = json!({"model": "nano-banana-3-preview", "prompt": "a lighthouse", "size": "1:8"});
    // Only the shared limits are checked before sending: nothing stops a new model.
    assert_eq!(sdk_verdict(&body), Ok(()));
    let past_shared = json!({
        "model": "nano-banana-3-preview",
        "prompt": "a lighthouse",
        "image_urls": vec!["https://example.com/ref.png"; lineup::ANY_MODEL.max_images + 1],
    });
    assert_eq!(sdk_verdict(&past_shared), Err("image_urls".to_string()));
    // A service that does not know it answers as the API documents (404, param model).
    assert_eq!(
        sandbox_verdict(&http, &sandbox, &body).await,
        Err((404, "model".to_string()))
    );
    sandbox.shutdown().await;
}
