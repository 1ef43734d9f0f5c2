//! The conformance suite's machinery. Everything is found by walking `spec/openapi.yaml` at test
//! time; the bindings from spec names to generated Rust types and client methods are generated
//! from the spec by `build.rs`.
//!
//! - [`spec`]: the spec as JSON, `$ref` resolution, and JSON Schema validators for its schemas.
//! - [`examples`]: every example in the spec and the schema it belongs to.
//! - [`instances`]: building values for a schema and placing a value inside its owning component.
//! - [`limits`]: every limit in the spec with a value just inside and just outside it.
//! - [`operations`]: operations, their documented responses, and example inputs.
//! - [`bindings`]: spec names to generated types and operations.
//! - [`live`]: the same response checks against a running server.

pub mod bindings;
pub mod examples;
pub mod instances;
pub mod limits;
pub mod live;
pub mod operations;
pub mod owner;
pub mod spec;

/// `value` as compact JSON, cut to a readable length for failure reports.
pub fn brief(value: &serde_json::Value) -> String {
    const MAX: usize = 160;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}… ({} characters)", text.chars().count())
}
