//! The spec's operations, the documented responses of each, and request inputs made from the
//! spec's own examples.

use serde_json::Value;

use crate::bindings::OperationRequest;
use crate::examples::{find_examples, SpecExample};
use crate::instances::synthesize;
use spec_support::escape;

use crate::spec::Spec;

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct SpecOperation {
    /// Its operationId (the generated client's method name).
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/v1/tasks/{task_id}`.
    pub path: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

/// One documented response example of an operation.
#[derive(Clone, Debug)]
pub struct DocumentedResponse {
    /// HTTP status.
    pub status: u16,
    /// The example.
    pub example: SpecExample,
}

/// Every operation of the spec.
pub fn operations(spec: &Spec) -> Vec<SpecOperation> {
    spec.operation_nodes()
        .into_iter()
        .map(|op| SpecOperation {
            id: op.id,
            method: op.method,
            path: op.path,
            pointer: op.pointer,
        })
        .collect()
}

/// Every response example of `op`, by status, including those of shared responses
/// (`$ref: '#/components/responses/…'`): examples are matched by their name,
/// `<operationId>.<status>.<example>`, not by where they are written.
pub fn documented_responses(spec: &Spec, op: &SpecOperation) -> Vec<DocumentedResponse> {
    let prefix = format!("{}.", op.id);
    find_examples(spec)
        .into_iter()
        .filter_map(|example| {
            let rest = example.name.strip_prefix(&prefix)?;
            let (status, key) = rest.split_once('.')?;
            if key.starts_with("schema") {
                return None; // an example inside an inline response schema
            }
            let status = status.parse().ok()?;
            Some(DocumentedResponse { status, example })
        })
        .collect()
}

/// Inputs for calling `op`: each parameter's example (or a value made from its schema), and the
/// first request-body example (or a value made from the body schema).
pub fn example_request(spec: &Spec, op: &SpecOperation) -> OperationRequest {
    let examples = find_examples(spec);
    let named = |name: &str| {
        examples
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value.clone())
    };
    let mut request = OperationRequest::default();
    let node = spec.at(&op.pointer);
    for (i, _) in node["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let param_ptr = spec.resolve(&format!("{}/parameters/{i}", op.pointer));
        let name = spec.at(&param_ptr)["name"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        let value = named(&format!("{}.param.{name}", op.id))
            .unwrap_or_else(|| synthesize(spec, &format!("{param_ptr}/schema")));
        request.params.insert(name, value);
    }
    if node.get("requestBody").is_some() {
        let prefix = format!("{}.request", op.id);
        request.body = examples
            .iter()
            .find(|e| e.name.starts_with(&prefix) && !e.name.contains(".schema"))
            .map(|e| e.value.clone())
            .or_else(|| {
                let body_ptr = spec.resolve(&format!("{}/requestBody", op.pointer));
                let media = spec.at(&body_ptr)["content"]
                    .as_object()?
                    .keys()
                    .next()?
                    .clone();
                Some(synthesize(
                    spec,
                    &format!("{body_ptr}/content/{}/schema", escape(&media)),
                ))
            });
    }
    request
}

/// The request path of `op` with `request`'s parameter values filled in.
pub fn expected_path(op: &SpecOperation, request: &OperationRequest) -> String {
    let mut path = op.path.clone();
    for (name, value) in &request.params {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        path = path.replace(&format!("{{{name}}}"), &text);
    }
    path
}
