//! Reads spec/openapi.yaml and writes the bindings between the spec and the generated client:
//! one arm per component schema (its generated type) and one driver per operation (its builder
//! call). This is what lets the suite find everything in the spec with no list kept by hand: a
//! schema or operation added to the spec is bound here on the next build.

use std::fmt::Write as _;
use std::path::PathBuf;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use spec_support::METHODS;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let spec_path = manifest.join("../../spec/openapi.yaml");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = std::fs::read_to_string(&spec_path).expect("spec/openapi.yaml is readable");
    let spec: Value = serde_yaml_ng::from_str(&text).expect("spec/openapi.yaml parses");

    let mut out = String::new();
    write_components(&spec, &mut out);
    write_parameters(&spec, &mut out);
    write_operations(&spec, &mut out);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("spec_bindings.rs");
    std::fs::write(dest, out).unwrap();
}

fn write_components(spec: &Value, out: &mut String) {
    let names: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    writeln!(out, "/// Every component schema of the spec.").unwrap();
    writeln!(out, "pub const COMPONENT_SCHEMAS: &[&str] = &{names:?};\n").unwrap();

    writeln!(
        out,
        "/// Deserializes `value` as the generated type of component `name` (`None`: no such component).\n\
         pub fn typed_component(name: &str, value: &serde_json::Value) -> Option<Result<Typed, String>> {{\n    match name {{"
    )
    .unwrap();
    for name in &names {
        let ty = name.to_upper_camel_case();
        writeln!(
            out,
            "        {name:?} => Some(Typed::parse::<nanobanana_api::types::{ty}>(value)),"
        )
        .unwrap();
    }
    writeln!(out, "        _ => None,\n    }}\n}}\n").unwrap();

    writeln!(
        out,
        "/// The JSON Schema schemars derives for the generated type of component `name`.\n\
         pub fn derived_schema(name: &str) -> Option<serde_json::Value> {{\n    let schema = match name {{"
    )
    .unwrap();
    for name in &names {
        let ty = name.to_upper_camel_case();
        writeln!(
            out,
            "        {name:?} => schemars::schema_for!(nanobanana_api::types::{ty}),"
        )
        .unwrap();
    }
    writeln!(
        out,
        "        _ => return None,\n    }};\n    Some(serde_json::to_value(schema).expect(\"a schema serializes\"))\n}}\n"
    )
    .unwrap();
}

/// Keywords that make typify generate a validating newtype for a parameter.
const CONSTRAINTS: [&str; 4] = ["pattern", "maxLength", "minLength", "enum"];

/// Parameters with constraints get a generated newtype named after the operation and the
/// parameter (`get_task_detail` + `task_id` → `GetTaskDetailTaskId`).
fn write_parameters(spec: &Value, out: &mut String) {
    writeln!(
        out,
        "/// Deserializes `value` as the generated type of parameter `name` of `operation_id`\n\
         /// (`None`: the parameter has no constraints, so no type of its own).\n\
         pub fn typed_parameter(operation_id: &str, name: &str, value: &serde_json::Value) -> Option<Result<Typed, String>> {{\n    match (operation_id, name) {{"
    )
    .unwrap();
    for (_, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"].as_str().unwrap_or_default();
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap_or_default();
                if CONSTRAINTS.iter().any(|k| param["schema"].get(k).is_some()) {
                    let ty = format!("{id}_{name}").to_upper_camel_case();
                    writeln!(
                        out,
                        "        ({id:?}, {name:?}) => Some(Typed::parse::<nanobanana_api::types::{ty}>(value)),"
                    )
                    .unwrap();
                }
            }
        }
    }
    writeln!(out, "        _ => None,\n    }}\n}}\n").unwrap();
}

fn write_operations(spec: &Value, out: &mut String) {
    let mut ids = Vec::new();
    let mut arms = String::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"]
                .as_str()
                .expect("every operation has an operationId");
            ids.push(id.to_string());
            // A hand-written operation is a builder of `raw` taking the client, as the SDK
            // offers it (no extension trait on the generated client).
            let mut call = if op["x-nanobanana-hand-written"] == Value::Bool(true) {
                format!(
                    "nanobanana_api::raw::{}::new(client)",
                    id.to_upper_camel_case()
                )
            } else {
                format!("client.{}()", id.to_snake_case())
            };
            let params = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_array().into_iter().flatten());
            for param in params {
                let name = param["name"].as_str().unwrap();
                // typify's integers: at least 1 is a `NonZeroU64`, at least 0 a `u64`.
                let minimum = param["schema"]["minimum"].as_f64();
                let ty = match param["schema"]["type"].as_str() {
                    Some("integer") if minimum.is_some_and(|m| m >= 1.0) => "std::num::NonZeroU64",
                    Some("integer") if minimum.is_some_and(|m| m >= 0.0) => "u64",
                    Some("integer") => "i64",
                    Some("number") => "f64",
                    Some("boolean") => "bool",
                    _ => "String",
                };
                // progenitor's builder methods: a Rust keyword gets a trailing `_` (`type_`).
                let method = match name.to_snake_case() {
                    keyword if keyword == "type" => "type_".to_string(),
                    other => other,
                };
                write!(call, ".{method}(request.param::<{ty}>({name:?})?)").unwrap();
            }
            if let Some(reference) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                let ty = reference.rsplit('/').next().unwrap().to_upper_camel_case();
                write!(
                    call,
                    ".body(request.body::<nanobanana_api::types::{ty}>()?)"
                )
                .unwrap();
            }
            // A multipart form (the hand-written operations): one builder method per field,
            // named after it; a `format: binary` field takes a file part.
            let mut form_fields = String::new();
            let form = resolve(
                spec,
                &op["requestBody"]["content"]["multipart/form-data"]["schema"],
            );
            for (field, schema) in form["properties"].as_object().into_iter().flatten() {
                let setter = field.to_snake_case();
                if schema["format"] == "binary" {
                    write!(
                        form_fields,
                        "\n            call = call.{setter}(request.file_part({field:?})?);"
                    )
                    .unwrap();
                } else {
                    write!(
                        form_fields,
                        "\n            if let Some(value) = request.form_text({field:?}) {{ call = call.{setter}(value); }}"
                    )
                    .unwrap();
                }
            }
            let binding = if form_fields.is_empty() {
                "call"
            } else {
                "mut call"
            };
            writeln!(
                arms,
                "        {id:?} => Some({{ let {binding} = {call};{form_fields} CallOutcome::from_result(call.send().await) }}),\n        // {} {path}",
                method.to_uppercase()
            )
            .unwrap();
        }
    }
    writeln!(out, "/// Every operationId of the spec.").unwrap();
    writeln!(out, "pub const OPERATIONS: &[&str] = &{ids:?};\n").unwrap();
    writeln!(
        out,
        "/// Calls operation `operation_id` through the generated client with the inputs in `request`.\n\
         pub async fn call_operation(\n    client: &nanobanana_api::raw::Client,\n    operation_id: &str,\n    request: &OperationRequest,\n) -> Option<Result<CallOutcome, String>> {{\n    let outcome = async {{\n        Ok(match operation_id {{\n{arms}        _ => None,\n        }})\n    }};\n    outcome.await.transpose()\n}}"
    )
    .unwrap();
}

/// `node`, or what its local `$ref` points to.
fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).unwrap_or(&Value::Null),
        None => node,
    }
}
