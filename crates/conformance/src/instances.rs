//! Values for schemas: building a minimal valid instance, and placing a value found deep in a
//! schema (a property's example, a limit's test value) inside an instance of the component that
//! owns it, so it can be deserialized into that component's generated type.

use serde_json::{json, Map, Value};

use spec_support::{escape, unescape};

use crate::spec::Spec;

pub use crate::owner::Owner;

/// A value placed inside an instance of its owner.
#[derive(Clone, Debug)]
pub struct Placed {
    /// Whose generated type deserializes `value`.
    pub owner: Owner,
    /// The owner's instance, with the original value at its place.
    pub value: Value,
}

/// Places `value`, which belongs to the schema at `schema_ptr`, inside its owning component.
pub fn place(spec: &Spec, schema_ptr: &str, value: Value) -> Result<Placed, String> {
    let ptr = spec.resolve(schema_ptr);
    if let Some(name) = ptr.strip_prefix("/components/schemas/") {
        if !name.contains('/') {
            return Ok(Placed {
                owner: Owner::Component(unescape(name)),
                value,
            });
        }
    }
    let (parent, last) = ptr
        .rsplit_once('/')
        .ok_or("the document root is no schema")?;
    let (grand, keyword) = parent.rsplit_once('/').unwrap_or(("", parent));
    if keyword == "properties" {
        let mut object = minimal_object(spec, grand);
        object.insert(unescape(last), value);
        return place(spec, grand, Value::Object(object));
    }
    if last == "items" {
        return place(spec, parent, json!([value]));
    }
    if matches!(keyword, "oneOf" | "anyOf" | "allOf") {
        return place(spec, grand, value);
    }
    if keyword == "parameters" || (last == "schema" && parent.contains("/parameters/")) {
        // `…/{method}/parameters/{i}/schema`: a constrained parameter has a newtype.
        let param_ptr = parent;
        let op_ptr = param_ptr
            .rsplit_once("/parameters/")
            .map(|(op, _)| op)
            .unwrap_or("");
        let operation = spec
            .document
            .pointer(op_ptr)
            .and_then(|op| op["operationId"].as_str());
        let name = spec.at(param_ptr)["name"].as_str();
        if let (Some(operation), Some(name)) = (operation, name) {
            if crate::bindings::typed_parameter(operation, name, &value).is_some() {
                return Ok(Placed {
                    owner: Owner::Parameter {
                        operation: operation.to_string(),
                        name: name.to_string(),
                    },
                    value,
                });
            }
        }
    }
    let primitive = match spec.at(&ptr)["type"].as_str() {
        Some("string") => "String",
        // progenitor passes an integer of minimum 1 as a `NonZeroU64` (what build.rs binds).
        Some("integer") if spec.at(&ptr)["minimum"].as_i64().is_some_and(|m| m >= 1) => {
            "NonZeroU64"
        }
        Some("integer") => "i64",
        Some("number") => "f64",
        Some("boolean") => "bool",
        _ => {
            return Err(format!(
                "the inline schema at {ptr} has no generated type the suite can name: \
                 move it to components/schemas"
            ))
        }
    };
    Ok(Placed {
        owner: Owner::Primitive(primitive),
        value,
    })
}

/// A valid instance of the schema at `ptr`, made from its examples where it has them.
pub fn synthesize(spec: &Spec, ptr: &str) -> Value {
    let ptr = spec.resolve(ptr);
    let node = spec.at(&ptr);
    if let Some(example) = node.get("example") {
        return example.clone();
    }
    if let Some(first) = node["enum"].get(0) {
        return first.clone();
    }
    for keyword in ["oneOf", "anyOf"] {
        if node.get(keyword).is_some() {
            return synthesize(spec, &format!("{ptr}/{keyword}/0"));
        }
    }
    if let Some(parts) = node["allOf"].as_array() {
        let mut merged = Map::new();
        for i in 0..parts.len() {
            if let Value::Object(part) = synthesize(spec, &format!("{ptr}/allOf/{i}")) {
                merged.extend(part);
            }
        }
        return Value::Object(merged);
    }
    match node["type"].as_str() {
        Some("object") => Value::Object(minimal_object(spec, &ptr)),
        Some("array") => {
            let count = node["minItems"].as_u64().unwrap_or(0) as usize;
            Value::Array(vec![synthesize(spec, &format!("{ptr}/items")); count])
        }
        Some("string") if node["format"] == "uri" => json!("https://example.com/image.png"),
        Some("string") => {
            let len = node["minLength"].as_u64().unwrap_or(1).max(1) as usize;
            json!("x".repeat(len))
        }
        Some("integer") => json!(node["minimum"].as_i64().unwrap_or(0)),
        Some("number") => json!(node["minimum"].as_f64().unwrap_or(0.0)),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}

/// The object schema at `ptr` with only its required properties, each synthesized.
pub fn minimal_object(spec: &Spec, ptr: &str) -> Map<String, Value> {
    let ptr = spec.resolve(ptr);
    let node = spec.at(&ptr);
    node["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| {
            let prop = format!("{ptr}/properties/{}", escape(name));
            (name.to_string(), synthesize(spec, &prop))
        })
        .collect()
}
