//! Finding every example in the spec: request bodies, responses of every status, parameters,
//! and schema and property examples, each with the schema it must satisfy.

use serde_json::Value;

use spec_support::escape;

use crate::spec::Spec;

/// One example of the spec.
#[derive(Clone, Debug)]
pub struct SpecExample {
    /// A stable name: `create_image_generation.request.text_to_image`,
    /// `get_task_detail.404.example`, `get_task_detail.param.task_id`,
    /// `schema.TaskInfo.estimated_time`.
    pub name: String,
    /// JSON pointer of the example in the spec.
    pub location: String,
    /// JSON pointer of the schema the example must satisfy.
    pub schema: String,
    /// The example value.
    pub value: Value,
}

/// Every example in `spec`: those of operations (media types and parameters) first, then those
/// of schemas.
pub fn find_examples(spec: &Spec) -> Vec<SpecExample> {
    let mut found = Vec::new();
    for op in spec.operation_nodes() {
        for (name, param_ptr) in &op.parameters {
            holder_examples(
                spec,
                param_ptr,
                &format!("{}.param.{name}", op.id),
                &mut found,
            );
        }
        for (prefix, holder) in &op.holders {
            media_examples(spec, holder, prefix, &mut found);
        }
    }
    for node in spec.schema_nodes() {
        if let Some(value) = spec.at(&node.pointer).get("example") {
            found.push(SpecExample {
                name: node.name,
                location: format!("{}/example", node.pointer),
                schema: node.pointer,
                value: value.clone(),
            });
        }
    }
    found
}

/// Examples of each media type of a request body or response.
fn media_examples(spec: &Spec, holder_ptr: &str, prefix: &str, found: &mut Vec<SpecExample>) {
    for media in spec.at(holder_ptr)["content"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        holder_examples(
            spec,
            &format!("{holder_ptr}/content/{}", escape(media)),
            prefix,
            found,
        );
    }
}

/// `example` and `examples` of a media type or parameter object, checked against its `schema`.
fn holder_examples(spec: &Spec, holder_ptr: &str, prefix: &str, found: &mut Vec<SpecExample>) {
    let holder = spec.at(holder_ptr);
    let schema = format!("{holder_ptr}/schema");
    if let Some(value) = holder.get("example") {
        found.push(SpecExample {
            name: prefix.to_string(),
            location: format!("{holder_ptr}/example"),
            schema: schema.clone(),
            value: value.clone(),
        });
    }
    for key in holder["examples"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        let example_ptr = spec.resolve(&format!("{holder_ptr}/examples/{}", escape(key)));
        let value = spec.at(&example_ptr).get("value").cloned();
        found.push(SpecExample {
            name: format!("{prefix}.{key}"),
            location: format!("{example_ptr}/value"),
            schema: schema.clone(),
            value: value.unwrap_or_else(|| panic!("example at {example_ptr} has no `value`")),
        });
    }
}
