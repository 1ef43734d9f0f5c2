//! Live checks: send each operation's documented request to a running server and validate every
//! answer against the spec. Used against the real API (the ignored `live` test) and, in CI,
//! against the sandbox.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::brief;
use crate::operations::{example_request, expected_path, operations};
use spec_support::escape;

use crate::spec::Spec;

/// What a live run saw.
#[derive(Clone, Debug, Default)]
pub struct LiveReport {
    /// `METHOD path -> status` for every response checked.
    pub checked: Vec<String>,
    /// Every way the server disagreed with the spec.
    pub failures: Vec<String>,
}

/// A 1×1 PNG: what a live check sends for a `format: binary` form field, since a file service
/// checks that an upload is an image.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Calls every operation of `spec` on `base_url` with `key`; operations with their own
/// `servers` go to the spec's server (see [`check_with_servers`]).
pub async fn check(spec: &Spec, base_url: &str, key: &str) -> LiveReport {
    check_with_servers(spec, base_url, &BTreeMap::new(), key).await
}

/// Calls every operation of `spec` with `key`: on `base_url`, or, for an operation with its
/// own `servers`, on `servers[its first server URL]` (that URL itself when not mapped).
/// Values returned are fed forward: an `id` into later `*_id` parameters, and a `*_url`
/// string (top level or under `data`) into later body fields of the same name.
pub async fn check_with_servers(
    spec: &Spec,
    base_url: &str,
    servers: &BTreeMap<String, String>,
    key: &str,
) -> LiveReport {
    let http = reqwest::Client::new();
    let mut last_id: Option<String> = None;
    let mut urls_seen: BTreeMap<String, String> = BTreeMap::new();
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
        if let Some(Value::Object(body)) = request.body.as_mut() {
            for (name, value) in body.iter_mut() {
                if let Some(url) = urls_seen.get(name) {
                    *value = Value::String(url.clone());
                }
            }
        }
        let base = match spec.at(&op.pointer)["servers"][0]["url"].as_str() {
            Some(server) => servers.get(server).map_or(server, String::as_str),
            None => base_url,
        }
        .trim_end_matches('/');
        let url = format!("{base}{}", expected_path(&op, &request));
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("an HTTP method");
        let mut call = http.request(method, &url).bearer_auth(key);
        if let Some(body) = &request.body {
            let body_ptr = spec.resolve(&format!("{}/requestBody", op.pointer));
            let is_form = spec
                .document
                .pointer(&format!("{body_ptr}/content/multipart~1form-data"))
                .is_some();
            call = if is_form {
                let schema =
                    spec.resolve(&format!("{body_ptr}/content/multipart~1form-data/schema"));
                call.multipart(form(spec.at(&schema), body))
            } else {
                call.json(body)
            };
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
        for holder in [&body, &body["data"]] {
            for (name, value) in holder.as_object().into_iter().flatten() {
                if let (true, Some(url)) = (name.ends_with("_url"), value.as_str()) {
                    urls_seen.insert(name.clone(), url.to_string());
                }
            }
        }
        report.checked.push(label);
    }
    report
}

/// A multipart form of `body`'s fields: `format: binary` fields as a PNG file part, the
/// others as text.
fn form(schema: &Value, body: &Value) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in body.as_object().into_iter().flatten() {
        if schema["properties"][name]["format"] == "binary" {
            let part = reqwest::multipart::Part::bytes(TINY_PNG)
                .file_name("conformance.png")
                .mime_str("image/png")
                .expect("a media type");
            form = form.part(name.clone(), part);
        } else {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            form = form.text(name.clone(), text);
        }
    }
    form
}
