//! The spec as a JSON document, `$ref` resolution, and validation of values against its schemas.

use std::path::PathBuf;

use serde_json::{json, Value};
use spec_support::{escape, METHODS};

/// A schema in the spec: where it is and a readable name for it.
#[derive(Clone, Debug)]
pub struct SchemaNode {
    /// JSON pointer of the schema.
    pub pointer: String,
    /// Readable name: `schema.<Component>.<property>…` or `<operationId>.<place>…`.
    pub name: String,
}

/// One operation of the spec, its parts resolved.
#[derive(Clone, Debug)]
pub struct OperationNodes {
    /// Its operationId.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// Each parameter's name and the pointer of its (resolved) parameter object.
    pub parameters: Vec<(String, String)>,
    /// `<operationId>.request` and `<operationId>.<status>` with the pointer of the (resolved)
    /// request body or response object.
    pub holders: Vec<(String, String)>,
}

/// The spec, parsed from `spec/openapi.yaml`.
pub struct Spec {
    /// The whole document.
    pub document: Value,
}

/// Where the spec lives: `CONFORMANCE_SPEC` if set, else the workspace's `spec/openapi.yaml`.
pub fn spec_path() -> PathBuf {
    std::env::var_os("CONFORMANCE_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.yaml")
        })
}

impl Spec {
    /// Reads and parses the spec; panics with the path on failure (this is test support).
    pub fn load() -> Self {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let document = serde_yaml_ng::from_str(&text)
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
        Self { document }
    }

    /// The node at JSON pointer `pointer` (e.g. `/components/schemas/TaskInfo`).
    pub fn at(&self, pointer: &str) -> &Value {
        self.document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("nothing at {pointer} in the spec"))
    }

    /// Follows `$ref`s from `pointer` to the pointer of the node that holds the content.
    pub fn resolve(&self, pointer: &str) -> String {
        let mut current = pointer.to_string();
        for _ in 0..32 {
            match self.at(&current).get("$ref").and_then(Value::as_str) {
                Some(target) => {
                    current = target
                        .strip_prefix('#')
                        .unwrap_or_else(|| panic!("non-local $ref {target}"))
                        .to_string()
                }
                None => return current,
            }
        }
        panic!("$ref cycle from {pointer}")
    }

    /// Every operation, with its parameters and its request body and responses resolved
    /// through `$ref`s: the one walk over `paths` the rest of the suite builds on.
    pub fn operation_nodes(&self) -> Vec<OperationNodes> {
        let mut found = Vec::new();
        for (path, item) in self.document["paths"].as_object().into_iter().flatten() {
            let item_ptr = format!("/paths/{}", escape(path));
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_ptr = format!("{item_ptr}/{method}");
                let id = op["operationId"].as_str().unwrap_or(method).to_string();
                let mut parameters = Vec::new();
                for list_ptr in [
                    format!("{item_ptr}/parameters"),
                    format!("{op_ptr}/parameters"),
                ] {
                    let count = self
                        .document
                        .pointer(&list_ptr)
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    for i in 0..count {
                        let param_ptr = self.resolve(&format!("{list_ptr}/{i}"));
                        let name = self.at(&param_ptr)["name"]
                            .as_str()
                            .unwrap_or("?")
                            .to_string();
                        parameters.push((name, param_ptr));
                    }
                }
                let mut holders = Vec::new();
                if op.get("requestBody").is_some() {
                    holders.push((
                        format!("{id}.request"),
                        self.resolve(&format!("{op_ptr}/requestBody")),
                    ));
                }
                for status in op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    holders.push((
                        format!("{id}.{status}"),
                        self.resolve(&format!("{op_ptr}/responses/{}", escape(status))),
                    ));
                }
                found.push(OperationNodes {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    pointer: op_ptr,
                    parameters,
                    holders,
                });
            }
        }
        found
    }

    /// Every schema node of the spec that is not a `$ref`: component schemas and the inline
    /// schemas of parameters, request bodies and responses, with everything nested in them
    /// (properties, items, alternatives). Each comes with a readable name such as
    /// `schema.TaskInfo.estimated_time` or `get_task_detail.param.task_id.schema`.
    pub fn schema_nodes(&self) -> Vec<SchemaNode> {
        let mut nodes = Vec::new();
        for op in self.operation_nodes() {
            for (name, param_ptr) in &op.parameters {
                self.collect_schemas(
                    &format!("{param_ptr}/schema"),
                    &format!("{}.param.{name}.schema", op.id),
                    &mut nodes,
                );
            }
            for (name, holder) in &op.holders {
                for media in self.at(holder)["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    self.collect_schemas(
                        &format!("{holder}/content/{}/schema", escape(media)),
                        &format!("{name}.schema"),
                        &mut nodes,
                    );
                }
            }
        }
        for name in self.document["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            self.collect_schemas(
                &format!("/components/schemas/{}", escape(name)),
                &format!("schema.{name}"),
                &mut nodes,
            );
        }
        nodes
    }

    fn collect_schemas(&self, ptr: &str, name: &str, nodes: &mut Vec<SchemaNode>) {
        let Some(schema) = self.document.pointer(ptr) else {
            return;
        };
        if schema.get("$ref").is_some() {
            return;
        }
        nodes.push(SchemaNode {
            pointer: ptr.to_string(),
            name: name.to_string(),
        });
        for prop in schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            self.collect_schemas(
                &format!("{ptr}/properties/{}", escape(prop)),
                &format!("{name}.{prop}"),
                nodes,
            );
        }
        if schema.get("items").is_some() {
            self.collect_schemas(&format!("{ptr}/items"), &format!("{name}[]"), nodes);
        }
        for keyword in ["oneOf", "anyOf", "allOf"] {
            let count = schema[keyword].as_array().map_or(0, Vec::len);
            for i in 0..count {
                self.collect_schemas(
                    &format!("{ptr}/{keyword}/{i}"),
                    &format!("{name}.{keyword}{i}"),
                    nodes,
                );
            }
        }
    }

    /// A JSON Schema validator for the schema at `pointer`, with the spec's `$ref`s resolvable.
    pub fn validator(&self, pointer: &str) -> jsonschema::Validator {
        let mut root = to_json_schema(&self.document);
        // Draft 4 ignores the siblings of `$ref`: the root validates as the schema it points to,
        // and every `#/components/...` inside resolves in the same document.
        root["$ref"] = json!(format!("#{}", fragment(pointer)));
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema at {pointer} is not valid JSON Schema: {e}"))
    }

    /// The validation errors of `value` against the schema at `pointer`, as readable lines.
    pub fn schema_errors(&self, pointer: &str, value: &Value) -> Vec<String> {
        self.validator(pointer)
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

/// Translates OpenAPI 3.0 schema objects to JSON Schema (draft 4): `nullable: true` becomes a
/// `null` alternative. Other OpenAPI keywords (`example`, `discriminator`, `x-…`) are
/// annotations that JSON Schema validators ignore, so they stay.
pub fn to_json_schema(node: &Value) -> Value {
    translate(node, false)
}

/// `names_level`: the keys of this map are property names (under `properties`), not keywords.
fn translate(node: &Value, names_level: bool) -> Value {
    match node {
        Value::Object(map) => {
            let out: serde_json::Map<String, Value> = map
                .iter()
                .filter(|(k, _)| names_level || *k != "nullable")
                .map(|(k, v)| (k.clone(), translate(v, !names_level && k == "properties")))
                .collect();
            if !names_level && map.get("nullable") == Some(&Value::Bool(true)) {
                json!({"anyOf": [Value::Object(out), {"type": "null"}]})
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| translate(v, false)).collect()),
        other => other.clone(),
    }
}

/// A JSON pointer as a URI fragment: characters a fragment cannot hold (`{`, `}`, spaces…) are
/// percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let allowed = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if allowed {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_alternative() {
        let schema = to_json_schema(&json!({"type": "string", "nullable": true}));
        assert_eq!(
            schema,
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
        );
    }

    #[test]
    fn a_property_named_nullable_is_kept() {
        let schema = json!({"properties": {"nullable": {"type": "boolean"}}});
        assert_eq!(to_json_schema(&schema), schema);
    }
}
