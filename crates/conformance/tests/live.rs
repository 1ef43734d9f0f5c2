//! Live mode: the same response checks against a real server. Ignored by default; run with
//!
//! ```sh
//! CONFORMANCE_BASE_URL=https://api.evolink.ai EVOLINK_API_KEY=sk-... \
//!     cargo test -p conformance --test live -- --ignored --nocapture
//! ```
//!
//! It sends each operation's documented request example (the create call spends credits), feeds
//! the `id` a response returns into later `*_id` parameters, and checks that every response
//! status is documented and every body validates against the spec. A failure means the live API
//! has drifted from `spec/openapi.yaml`.

use conformance::brief;
use conformance::operations::{example_request, expected_path, operations};
use conformance::spec::{escape, Spec};
use serde_json::Value;

#[tokio::test]
#[ignore = "talks to a real server: set CONFORMANCE_BASE_URL and EVOLINK_API_KEY, run with --ignored"]
async fn live_responses_validate_against_the_spec() {
    let base = std::env::var("CONFORMANCE_BASE_URL")
        .expect("set CONFORMANCE_BASE_URL, e.g. https://api.evolink.ai");
    let key = std::env::var("EVOLINK_API_KEY").expect("set EVOLINK_API_KEY");
    let base = base.trim_end_matches('/');
    let spec = Spec::load();
    let http = reqwest::Client::new();
    let mut last_id: Option<String> = None;
    let mut failures = Vec::new();
    let mut checked = 0;

    for op in operations(&spec) {
        let mut request = example_request(&spec, &op);
        if let Some(id) = &last_id {
            for (name, value) in request.params.iter_mut() {
                if name.ends_with("_id") {
                    *value = Value::String(id.clone());
                }
            }
        }
        let url = format!("{base}{}", expected_path(&op, &request));
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let mut call = http.request(method, &url).bearer_auth(&key);
        if let Some(body) = &request.body {
            call = call.json(body);
        }
        let response = call
            .send()
            .await
            .unwrap_or_else(|e| panic!("{} {url}: {e}", op.method));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let label = format!("{} {} -> {status}", op.method, op.path);
        println!("live: {label}");

        let response_ptr = format!("{}/responses/{status}", op.pointer);
        if spec.document.pointer(&response_ptr).is_none() {
            failures.push(format!(
                "{label}: status {status} is not documented; body: {text}"
            ));
            continue;
        }
        let body: Value = match serde_json::from_str(&text) {
            Ok(body) => body,
            Err(e) => {
                failures.push(format!("{label}: body is not JSON ({e}): {text}"));
                continue;
            }
        };
        let holder = spec.resolve(&response_ptr);
        let schema = format!("{holder}/content/{}/schema", escape("application/json"));
        let errors = spec.schema_errors(&schema, &body);
        if !errors.is_empty() {
            failures.push(format!(
                "{label}: {} breaks the spec: {errors:?}",
                brief(&body)
            ));
        }
        if let Some(id) = body.get("id").and_then(Value::as_str) {
            last_id = Some(id.to_string());
        }
        checked += 1;
    }

    println!("live: {checked} responses checked against the spec");
    assert!(
        failures.is_empty(),
        "the live API drifted from the spec:\n{}",
        failures.join("\n")
    );
}
