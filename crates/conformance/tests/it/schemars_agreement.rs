//! The JSON Schema schemars derives from each generated type agrees with the spec's schema:
//! property names, required set, enum values and string limits.

use std::collections::BTreeSet;

use conformance::bindings::{derived_schema, typed_component, COMPONENT_SCHEMAS};
use conformance::instances::minimal_object;
use conformance::spec::Spec;
use serde_json::{json, Value};
use spec_support::escape;

/// Follows `$ref`s into `definitions` and unwraps `Option` (`anyOf`/`allOf` with `null`).
fn derived_content<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(name) = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/definitions/"))
    {
        return derived_content(root, &root["definitions"][name]);
    }
    for keyword in ["anyOf", "allOf"] {
        if let Some(parts) = node[keyword].as_array() {
            let real: Vec<&Value> = parts.iter().filter(|p| p["type"] != "null").collect();
            if real.len() == 1 {
                return derived_content(root, real[0]);
            }
        }
    }
    node
}

fn names(node: &Value, key: &str) -> BTreeSet<String> {
    match &node[key] {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .map(|v| v.to_string().trim_matches('"').to_string())
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// The listed values of an enum: `enum`, or the `enum` of an open enum's `anyOf` branch.
fn enum_names(node: &Value) -> BTreeSet<String> {
    let mut listed = names(node, "enum");
    for branch in node["anyOf"].as_array().into_iter().flatten() {
        listed.extend(names(branch, "enum"));
    }
    listed
}

/// Whether a schema of alternatives also takes any string (a branch of plain strings).
fn takes_any_string(node: &Value) -> bool {
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|keyword| node[*keyword].as_array())
        .flatten()
        .any(|branch| branch["type"] == "string" && branch.get("enum").is_none())
}

/// Does the generated type of `component` accept a string of `len` chars in `property`?
fn accepts_length(spec: &Spec, component: &str, property: &str, len: u64, uri: bool) -> bool {
    let mut object = minimal_object(spec, &format!("/components/schemas/{}", escape(component)));
    let prefix = if uri { "https://example.com/" } else { "" };
    let text = format!(
        "{prefix}{}",
        "a".repeat(len as usize - prefix.len().min(len as usize))
    );
    object.insert(property.to_string(), json!(text));
    matches!(
        typed_component(component, &Value::Object(object)),
        Some(Ok(_))
    )
}

#[test]
fn derived_schemas_agree_with_the_spec() {
    let spec = Spec::load();
    let mut differences = Vec::new();
    let mut compared = 0;

    for &component in COMPONENT_SCHEMAS {
        let derived_root = derived_schema(component).expect("bound");
        let ours = spec.at(&spec.resolve(&format!("/components/schemas/{}", escape(component))));
        let theirs = derived_content(&derived_root, &derived_root);
        let mut differ = |what: String| differences.push(format!("{component}: {what}"));

        if takes_any_string(ours) != takes_any_string(theirs) {
            differ(format!(
                "open enum: the spec takes any string: {}, the generated type: {}",
                takes_any_string(ours),
                takes_any_string(theirs)
            ));
        }
        for key in ["properties", "required", "enum"] {
            let (spec_set, derived_set) = if key == "enum" {
                (enum_names(ours), enum_names(theirs))
            } else {
                (names(ours, key), names(theirs, key))
            };
            if spec_set != derived_set {
                differ(format!(
                    "{key}: spec has {spec_set:?}, the generated type has {derived_set:?} \
                     (only in spec: {:?}; only in type: {:?})",
                    spec_set.difference(&derived_set).collect::<Vec<_>>(),
                    derived_set.difference(&spec_set).collect::<Vec<_>>()
                ));
            }
        }

        for property in ours["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            let spec_prop = spec.at(&spec.resolve(&format!(
                "/components/schemas/{}/properties/{}",
                escape(component),
                escape(property)
            )));
            let Some(derived_prop) = theirs["properties"].get(property) else {
                continue;
            };
            let derived_prop = derived_content(&derived_root, derived_prop);
            let (spec_enum, derived_enum) = (enum_names(spec_prop), enum_names(derived_prop));
            if spec_enum != derived_enum {
                differ(format!(
                    "{property} enum: spec {spec_enum:?}, type {derived_enum:?}"
                ));
            }
            for (keyword, past) in [("maxLength", 1i64), ("minLength", -1)] {
                let Some(limit) = spec_prop[keyword].as_u64() else {
                    if derived_prop.get(keyword).is_some() {
                        differ(format!(
                            "{property} {keyword}: not in the spec, {} in the type",
                            derived_prop[keyword]
                        ));
                    }
                    continue;
                };
                match derived_prop[keyword].as_u64() {
                    Some(same) if same == limit => {}
                    Some(other) => {
                        differ(format!("{property} {keyword}: spec {limit}, type {other}"))
                    }
                    // typify's validated newtypes enforce the limit in their constructor, but
                    // schemars' derive on them does not describe it: check the behaviour instead.
                    None => {
                        let uri = spec_prop["format"] == "uri";
                        let beyond = limit as i64 + past;
                        let at_limit = accepts_length(&spec, component, property, limit, uri);
                        let past_limit = beyond >= 0
                            && accepts_length(&spec, component, property, beyond as u64, uri);
                        if !at_limit || past_limit {
                            differ(format!(
                                "{property} {keyword}: spec {limit}; schemars does not describe the \
                                 type's limit and the type does not enforce the spec's \
                                 (accepts {limit} characters: {at_limit}, accepts {beyond}: {past_limit})"
                            ));
                        }
                    }
                }
            }
        }
        compared += 1;
    }

    println!(
        "conformance: {compared} component schemas compared with their schemars-derived schemas"
    );
    assert!(
        differences.is_empty(),
        "the generated types and the spec disagree in {} place(s):\n  {}",
        differences.len(),
        differences.join("\n  ")
    );
}
