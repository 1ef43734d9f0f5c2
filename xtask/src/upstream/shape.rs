//! A schema reduced to what upstream-diff compares, from any of the forms it meets: our OpenAPI
//! 3.0 spec, a page's OpenAPI 3.1 document, or a page's resolved rendering (`schemaArray`,
//! `allOf` wrappers around each property, `requiredProperties`).
//!
//! 3.1 is normalised to what 3.0 can express: `type: [x, "null"]` is `x` and nullable,
//! `examples: [a, …]` is `example: a`, `const: v` is `enum: [v]`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// How deep `$ref`s are followed before giving up (a cycle, or a very deep schema).
const MAX_DEPTH: usize = 24;

/// The limits a schema can carry, by keyword.
pub const LIMITS: [&str; 6] = [
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maximum",
    "minimum",
];

/// What one schema allows, in the terms upstream-diff compares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shape {
    /// JSON types (`string`, `integer`, …); empty when any type goes.
    pub types: BTreeSet<String>,
    /// Listed values, rendered as JSON text (`"16:9"`, `1`); empty when the schema lists none.
    pub values: BTreeSet<String>,
    /// Whether any string is accepted beyond `values` (an `anyOf` of an enum and a plain string).
    pub open: bool,
    /// Whether `null` is accepted.
    pub nullable: bool,
    /// Object properties.
    pub properties: BTreeMap<String, Shape>,
    /// Required property names.
    pub required: BTreeSet<String>,
    /// The array items' schema.
    pub items: Option<Box<Shape>>,
    /// `maxLength`, `minItems`, … by keyword.
    pub limits: BTreeMap<&'static str, f64>,
    /// `default`, when given.
    pub default: Option<Value>,
    /// `example` (or the first of 3.1's `examples`).
    pub example: Option<Value>,
    /// The description, with the descriptions of `allOf` parts joined.
    pub description: String,
    /// `$ref`s in this schema (or any part of it) that the document does not resolve: what the
    /// shape says is then incomplete, and nothing may be concluded from what it lacks.
    pub unresolved: BTreeSet<String>,
}

/// The shape of `schema`, following `$ref`s into `root` (the document holding `components`).
pub fn shape_of(schema: &Value, root: &Value) -> Shape {
    build(schema, root, 0)
}

fn build(schema: &Value, root: &Value, depth: usize) -> Shape {
    let mut shape = Shape::default();
    let Some(object) = schema.as_object() else {
        return shape;
    };
    if depth > MAX_DEPTH {
        return shape;
    }
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        match resolve(reference, root) {
            Some(target) => merge(&mut shape, build(target, root, depth + 1)),
            None => {
                shape.unresolved.insert(reference.to_string());
            }
        }
    }
    // The resolved rendering wraps a body in `schemaArray` and each property in `allOf`.
    for key in ["schemaArray", "allOf"] {
        for part in object
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            merge(&mut shape, build(part, root, depth + 1));
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = object.get(key).and_then(Value::as_array) {
            merge(&mut shape, alternatives(branches, root, depth));
        }
    }
    own_keywords(&mut shape, object, root, depth);
    shape
}

/// The keywords a schema object carries itself (not through `$ref`, `allOf`, `anyOf`).
fn own_keywords(
    shape: &mut Shape,
    object: &serde_json::Map<String, Value>,
    root: &Value,
    depth: usize,
) {
    match object.get("type") {
        Some(Value::String(t)) => set_types(shape, [t.as_str()]),
        Some(Value::Array(ts)) => set_types(shape, ts.iter().filter_map(Value::as_str)),
        _ => {}
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        shape.nullable = true;
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        shape.values = values.iter().filter(|v| !v.is_null()).map(render).collect();
    }
    if let Some(value) = object.get("const") {
        shape.values = BTreeSet::from([render(value)]);
    }
    for (key, value) in object
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        shape
            .properties
            .insert(key.clone(), build(value, root, depth + 1));
    }
    for key in ["required", "requiredProperties"] {
        if let Some(names) = object.get(key).and_then(Value::as_array) {
            shape
                .required
                .extend(names.iter().filter_map(Value::as_str).map(String::from));
        }
    }
    if let Some(items) = object.get("items") {
        shape.items = Some(Box::new(build(items, root, depth + 1)));
    }
    for limit in LIMITS {
        if let Some(n) = object.get(limit).and_then(Value::as_f64) {
            shape.limits.insert(limit, n);
        }
    }
    if let Some(value) = object.get("default") {
        shape.default = Some(value.clone());
    }
    if let Some(value) = object.get("example") {
        shape.example = Some(value.clone());
    } else if let Some(first) = object
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        shape.example = Some(first.clone());
    }
    if let Some(text) = object.get("description").and_then(Value::as_str) {
        append_description(shape, text);
    }
}

/// `anyOf` / `oneOf`: the union of the branches. A branch that is a plain string (no enum) beside
/// enum branches makes the enum open.
fn alternatives(branches: &[Value], root: &Value, depth: usize) -> Shape {
    let mut union = Shape::default();
    let built: Vec<Shape> = branches.iter().map(|b| build(b, root, depth + 1)).collect();
    let any_listed = built.iter().any(|b| !b.values.is_empty());
    for branch in built {
        if branch.types.is_empty() && branch.values.is_empty() && branch.nullable {
            union.unresolved.extend(branch.unresolved);
            union.nullable = true;
            continue;
        }
        if any_listed && branch.values.is_empty() && branch.types.contains("string") {
            union.open = true;
        }
        union.types.extend(branch.types);
        union.values.extend(branch.values);
        union.nullable |= branch.nullable;
        union.open |= branch.open;
        union.unresolved.extend(branch.unresolved);
        for (name, property) in branch.properties {
            union.properties.entry(name).or_insert(property);
        }
        if union.items.is_none() {
            union.items = branch.items;
        }
        for (limit, n) in branch.limits {
            union.limits.entry(limit).or_insert(n);
        }
        union.example = union.example.or(branch.example);
        if !branch.description.is_empty() {
            append_description(&mut union, &branch.description);
        }
    }
    union
}

/// `allOf`: every part applies; later parts add to (and, for single values, override) earlier.
fn merge(into: &mut Shape, part: Shape) {
    if !part.types.is_empty() {
        into.types = part.types;
    }
    if !part.values.is_empty() {
        into.values = part.values;
    }
    into.open |= part.open;
    into.nullable |= part.nullable;
    into.unresolved.extend(part.unresolved);
    for (name, property) in part.properties {
        match into.properties.get_mut(&name) {
            Some(existing) => merge(existing, property),
            None => {
                into.properties.insert(name, property);
            }
        }
    }
    into.required.extend(part.required);
    if let Some(items) = part.items {
        into.items = Some(items);
    }
    into.limits.extend(part.limits);
    if part.default.is_some() {
        into.default = part.default;
    }
    if part.example.is_some() {
        into.example = part.example;
    }
    if !part.description.is_empty() {
        append_description(into, &part.description);
    }
}

fn set_types<'a>(shape: &mut Shape, types: impl IntoIterator<Item = &'a str>) {
    shape.types.clear();
    for t in types {
        if t == "null" {
            shape.nullable = true;
        } else {
            shape.types.insert(t.to_string());
        }
    }
}

fn append_description(shape: &mut Shape, text: &str) {
    if !shape.description.is_empty() {
        shape.description.push('\n');
    }
    shape.description.push_str(text);
}

/// Every `$ref` in `document` that does not resolve in it, in order, each once: a page cut off
/// before its `components` refers to schemas it does not hold.
pub fn unresolved_refs(document: &Value) -> Vec<String> {
    fn walk(value: &Value, root: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item.as_str()) {
                        ("$ref", Some(r)) if resolve(r, root).is_none() => {
                            if !out.iter().any(|seen| seen == r) {
                                out.push(r.to_string());
                            }
                        }
                        _ => walk(item, root, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, root, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(document, document, &mut out);
    out
}

/// A local `$ref` (`#/components/schemas/X`) in `root`; `None` for any other.
pub fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// A value as compact JSON text: strings quoted, so `1` and `"1"` stay apart.
pub fn render(value: &Value) -> String {
    value.to_string()
}

/// The first whole number on a line of `description` that mentions one of `topics`
/// (case-insensitive): how the pages state limits they do not put in a keyword, e.g.
/// "Maximum number of input images per request: `10`" or "Image size: not exceeding `10MB`".
pub fn documented_number(description: &str, topics: &[&str]) -> Option<u64> {
    description
        .lines()
        .map(str::to_lowercase)
        .filter(|line| topics.iter().any(|t| line.contains(t)))
        .find_map(|line| first_number(&line))
}

fn first_number(line: &str) -> Option<u64> {
    let start = line.find(|c: char| c.is_ascii_digit())?;
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_3_1_type_lists_examples_and_const_read_as_3_0() {
        let root = json!({});
        let shape = shape_of(
            &json!({"type": ["string", "null"], "examples": ["a", "b"], "const": "x"}),
            &root,
        );
        assert_eq!(shape.types, BTreeSet::from(["string".to_string()]));
        assert!(shape.nullable);
        assert_eq!(shape.example, Some(json!("a")));
        assert_eq!(shape.values, BTreeSet::from(["\"x\"".to_string()]));
    }

    #[test]
    fn resolved_wrappers_and_refs_merge_into_one_shape() {
        let root = json!({"components": {"schemas": {"Info": {
            "type": "object", "properties": {"eta": {"type": "integer", "minimum": 0}}
        }}}});
        let shape = shape_of(
            &json!({"schemaArray": [{"type": "object", "requiredProperties": ["info"],
                "properties": {"info": {"allOf": [{"$ref": "#/components/schemas/Info",
                    "description": "About the task"}]}}}]}),
            &root,
        );
        assert!(shape.required.contains("info"));
        let info = &shape.properties["info"];
        assert_eq!(info.description, "About the task");
        assert_eq!(info.properties["eta"].limits["minimum"], 0.0);
    }

    #[test]
    fn an_enum_beside_a_plain_string_is_open_and_a_one_of_unions_types() {
        let root = json!({});
        let open = shape_of(
            &json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "string"}]}),
            &root,
        );
        assert!(open.open);
        assert_eq!(open.values.len(), 1);
        let either = shape_of(
            &json!({"oneOf": [{"type": "integer"}, {"type": "string"}]}),
            &root,
        );
        assert_eq!(either.types.len(), 2);
        assert!(!either.open);
    }

    #[test]
    fn limits_stated_in_prose_are_read_from_the_line_that_names_them() {
        let text = "Note:\n- Maximum number of input images per request: `10`\n\
                    - Image size: not exceeding `20MB`\n- Maximum of `5` real person images";
        assert_eq!(documented_number(text, &["input image"]), Some(10));
        assert_eq!(documented_number(text, &["image size"]), Some(20));
        assert_eq!(documented_number(text, &["real person"]), Some(5));
        assert_eq!(documented_number(text, &["seconds"]), None);
    }
}
