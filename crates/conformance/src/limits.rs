//! Every limit in the spec (`enum`, `maxLength`, `minLength`, `maxItems`, `minItems`,
//! `minimum`, `maximum`, `required`, `format: uri`) with values just inside and just outside it.

use serde_json::{json, Value};

use crate::instances::{minimal_object, synthesize};
use crate::spec::Spec;
use spec_support::extension;

/// Formats that describe a value's representation rather than limit it (`binary`: the bytes
/// of a multipart file field).
const REPRESENTATION_FORMATS: [&str; 5] = ["int32", "int64", "float", "double", "binary"];

/// Schema keywords that limit values but have no rule here: finding one fails the suite, so a
/// new kind of limit cannot go untested.
const UNSUPPORTED_LIMITS: [&str; 8] = [
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "not",
    "additionalProperties",
];

/// One limit of the spec.
#[derive(Clone, Debug)]
pub struct SpecLimit {
    /// Readable: `schema.ImageGenerationRequest.prompt maxLength 2000`.
    pub name: String,
    /// JSON pointer of the schema that carries the limit.
    pub schema: String,
    /// Values of that schema just inside the limit (all must be accepted).
    pub inside: Vec<Value>,
    /// A value of that schema just outside the limit (must be rejected).
    pub outside: Value,
    /// The property a `required` limit is about, or the property the schema is.
    pub field: Option<String>,
    /// An enum marked `x-nanobanana-open-enum`: the outside value is valid per the spec (its
    /// `anyOf` takes any string) and must be kept, not rejected.
    pub open: bool,
}

/// Every limit of the spec, or the names of limits the suite has no rule for.
pub fn find_limits(spec: &Spec) -> Result<Vec<SpecLimit>, Vec<String>> {
    let mut limits = Vec::new();
    let mut unsupported = Vec::new();
    for node in spec.schema_nodes() {
        let schema = spec.at(&node.pointer);
        let field = node
            .name
            .rsplit('.')
            .next()
            .map(|f| f.trim_end_matches("[]").to_string());
        // An open enum is written `anyOf: [{enum: [...]}, {type: string}]` under the marker:
        // its listed values sit in a branch of the marked schema.
        let marked = |pointer: &str| spec.at(pointer)[extension::OPEN_ENUM] == Value::Bool(true);
        let open = marked(&node.pointer)
            || node
                .pointer
                .rsplit_once("/anyOf/")
                .is_some_and(|(parent, _)| marked(parent));
        let mut push =
            |keyword: String, inside: Vec<Value>, outside: Value, field: Option<String>| {
                limits.push(SpecLimit {
                    open: open && keyword == "enum",
                    name: format!("{} {keyword}", node.name),
                    schema: node.pointer.clone(),
                    inside,
                    outside,
                    field,
                })
            };
        if let Some(values) = schema["enum"].as_array() {
            let outside = if values.iter().all(Value::is_string) {
                json!("zz-not-a-listed-value")
            } else {
                json!(987654321)
            };
            push("enum".into(), values.clone(), outside, field.clone());
        }
        if let Some(n) = schema["maxLength"].as_u64() {
            push(
                format!("maxLength {n}"),
                vec![string_of(schema, n)],
                string_of(schema, n + 1),
                field.clone(),
            );
        }
        if let Some(n) = schema["minLength"].as_u64().filter(|n| *n > 0) {
            push(
                format!("minLength {n}"),
                vec![string_of(schema, n)],
                string_of(schema, n - 1),
                field.clone(),
            );
        }
        if let Some(pattern) = schema["pattern"].as_str() {
            // Inside: the schema's example; outside: the empty string (the JSON Schema check
            // of the test confirms it really does not match).
            push(
                format!("pattern {pattern}"),
                vec![synthesize(spec, &node.pointer)],
                json!(""),
                field.clone(),
            );
        }
        let item = || synthesize(spec, &format!("{}/items", node.pointer));
        if let Some(n) = schema["maxItems"].as_u64() {
            push(
                format!("maxItems {n}"),
                vec![json!(vec![item(); n as usize])],
                json!(vec![item(); n as usize + 1]),
                field.clone(),
            );
        }
        if let Some(n) = schema["minItems"].as_u64().filter(|n| *n > 0) {
            push(
                format!("minItems {n}"),
                vec![json!(vec![item(); n as usize])],
                json!(vec![item(); n as usize - 1]),
                field.clone(),
            );
        }
        let integer = schema["type"] == "integer";
        if let Some(m) = schema.get("minimum").and_then(Value::as_f64) {
            let (inside, outside) = bound(integer, m, -1.0);
            push(format!("minimum {m}"), vec![inside], outside, field.clone());
        }
        if let Some(m) = schema.get("maximum").and_then(Value::as_f64) {
            let (inside, outside) = bound(integer, m, 1.0);
            push(format!("maximum {m}"), vec![inside], outside, field.clone());
        }
        for required in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let inside = minimal_object(spec, &node.pointer);
            let mut outside = inside.clone();
            outside.remove(required);
            push(
                format!("required {required}"),
                vec![Value::Object(inside)],
                Value::Object(outside),
                Some(required.to_string()),
            );
        }
        match schema["format"].as_str() {
            None => {}
            Some("uri") => push(
                "format uri".into(),
                vec![json!("https://example.com/image.png")],
                json!("not a uri"),
                field.clone(),
            ),
            Some(f) if REPRESENTATION_FORMATS.contains(&f) => {}
            Some(other) => unsupported.push(format!("{}: format {other}", node.name)),
        }
        for keyword in UNSUPPORTED_LIMITS {
            if schema.get(keyword).is_some() {
                unsupported.push(format!("{}: {keyword}", node.name));
            }
        }
    }
    if unsupported.is_empty() {
        Ok(limits)
    } else {
        Err(unsupported)
    }
}

/// A string of exactly `len` characters valid for `schema`'s format.
fn string_of(schema: &Value, len: u64) -> Value {
    let len = len as usize;
    let prefix = if schema["format"] == "uri" {
        "https://example.com/"
    } else {
        ""
    };
    let text = if len >= prefix.len() {
        format!("{prefix}{}", "a".repeat(len - prefix.len()))
    } else {
        "a".repeat(len)
    };
    json!(text)
}

/// The bound itself, and the nearest value past it in `direction`.
fn bound(integer: bool, bound: f64, direction: f64) -> (Value, Value) {
    if integer {
        let b = bound as i64;
        (json!(b), json!(b + direction as i64))
    } else {
        (json!(bound), json!(bound + direction * 0.5))
    }
}
