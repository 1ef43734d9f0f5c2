//! Live checks: send each operation's documented request to a running server and validate every
//! answer against the spec. Used against the real API (the ignored `live` test) and, in CI,
//! against the sandbox.

use serde_json::Value;

use crate::brief;
use crate::operations::{example_request, expected_path, operations};
use crate::spec::{escape, Spec};

/// What a live run saw.
#[derive(Clone, Debug, Default)]
pub struct LiveReport {
    /// `METHOD path -> status` for every response checked.
    pub checked: Vec<String>,
    /// Every way the server disagreed with the spec.
    pub failures: Vec<String>,
}

/// Calls every operation of `spec` on `base_url` with `key`, feeding the `id` a response
/// returns into later `*_id` parameters.
pub async fn check(spec: &Spec, base_url: &str, key: &str) -> LiveReport {
    let base = base_url.trim_end_matches('/');
    let http = reqwest::Client::new();
    let mut last_id: Option<String> = None;
    let mut report = LiveReport::default();

    for op in operations(spec) {
        let mut request = example_request(spec, &op);
        if let Some(id) = &last_id {
            for (name, value) in request.params.iter_mut() {
                if name.ends_with("_id") {
                    *value = Value::String(id.clone());
                }
            }
        }
        let url = format!("{base}{}", expected_path(&op, &request));
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("an HTTP method");
        let mut call = http.request(method, &url).bearer_auth(key);
        if let Some(body) = &request.body {
            call = call.json(body);
        }
        let label = format!("{} {}", op.method, op.path);
        let response = match call.send().await {
            Ok(response) => response,
            Err(e) => {
                report.failures.push(format!("{label}: no answer: {e}"));
                continue;
            }
        };
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let label = format!("{label} -> {status}");

        let response_ptr = format!("{}/responses/{status}", op.pointer);
        if spec.document.pointer(&response_ptr).is_none() {
            report.failures.push(format!(
                "{label}: status {status} is not documented; body: {text}"
            ));
            continue;
        }
        let body: Value = match serde_json::from_str(&text) {
            Ok(body) => body,
            Err(e) => {
                report
                    .failures
                    .push(format!("{label}: body is not JSON ({e}): {text}"));
                continue;
            }
        };
        let holder = spec.resolve(&response_ptr);
        let schema = format!("{holder}/content/{}/schema", escape("application/json"));
        let errors = spec.schema_errors(&schema, &body);
        if !errors.is_empty() {
            report.failures.push(format!(
                "{label}: {} breaks the spec: {errors:?}",
                brief(&body)
            ));
        }
        if let Some(id) = body.get("id").and_then(Value::as_str) {
            last_id = Some(id.to_string());
        }
        report.checked.push(label);
    }
    report
}
