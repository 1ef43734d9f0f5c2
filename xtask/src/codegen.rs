//! Generating the client with progenitor, with the project's settings, formatted and headed.

use std::panic::{self, AssertUnwindSafe};

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

use crate::spec_source::{LoadedSpec, SpecError};
use crate::workspace_root;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec could not be read or checked.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// progenitor returned an error for this spec.
    #[error("{spec}: progenitor cannot generate from this spec: {message}")]
    Generator {
        /// The spec file, as shown to the user.
        spec: String,
        /// progenitor's message.
        message: String,
    },
    /// progenitor panicked on this spec; the panic message and the usual cause.
    #[error(
        "{spec}: progenitor panicked on this spec: {message}\n\
         hint: progenitor requires that all error responses of one operation use one schema \
         (every 4xx/5xx must `$ref: '#/components/schemas/ErrorResponse'`, no inline copies) and \
         that all 2xx responses of one operation have the same type"
    )]
    GeneratorPanic {
        /// The spec file, as shown to the user.
        spec: String,
        /// The panic payload.
        message: String,
    },
    /// progenitor produced tokens that are not a Rust file.
    #[error("{spec}: generated code does not parse as Rust: {message}")]
    Unparsable {
        /// The spec file, as shown to the user.
        spec: String,
        /// syn's message.
        message: String,
    },
}

/// The spec extension marking a response enum whose list of values may grow.
pub const OPEN_ENUM_EXTENSION: &str = "x-nanobanana-open-enum";

/// The spec extension marking an operation progenitor cannot generate (a `multipart/form-data`
/// body): it is left out of generation and implemented by hand in the api-client crate.
pub const HAND_WRITTEN_EXTENSION: &str = "x-nanobanana-hand-written";

/// Where the hand-written open enums live in the api-client crate.
const OPEN_ENUM_MODULE: &str = "crate::open_enums";

/// The generator settings of this project for `spec`. Changing them changes `generated.rs`.
///
/// Component schemas marked `x-nanobanana-open-enum: true` are not generated: typify's enums
/// reject unknown values, so they are replaced by the api-client's open enums (same wire values,
/// plus `Unknown(String)`), which the conformance suite checks against the spec.
pub fn settings(spec: &openapiv3::OpenAPI) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    for name in open_enums(spec) {
        settings.with_replacement(
            &name,
            format!("{OPEN_ENUM_MODULE}::{name}"),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// Names of the component schemas marked as open enums, in name order.
pub fn open_enums(spec: &openapiv3::OpenAPI) -> Vec<String> {
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    let mut names: Vec<String> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let schema = schema.as_item()?;
            let marked = schema.schema_data.extensions.get(OPEN_ENUM_EXTENSION)
                == Some(&serde_json::Value::Bool(true));
            marked.then(|| name.clone())
        })
        .collect();
    names.sort();
    names
}

/// The operationIds marked `x-nanobanana-hand-written: true`, in spec order.
pub fn hand_written_operations(spec: &openapiv3::OpenAPI) -> Vec<String> {
    spec.operations()
        .filter(|(_, _, op)| is_hand_written(op))
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect()
}

fn is_hand_written(op: &openapiv3::Operation) -> bool {
    op.extensions.get(HAND_WRITTEN_EXTENSION) == Some(&serde_json::Value::Bool(true))
}

/// `spec` without its hand-written operations (and without path items left empty): what
/// progenitor is given. Component schemas stay, so the types those operations use are generated.
pub fn generator_input(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    let mut input = spec.clone();
    input.paths.paths.retain(|_, item| {
        let openapiv3::ReferenceOr::Item(item) = item else {
            return true;
        };
        for slot in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ] {
            if slot.as_ref().is_some_and(is_hand_written) {
                *slot = None;
            }
        }
        item.iter().next().is_some()
    });
    input
}

/// Generates the complete text of `generated.rs` for `spec`.
pub fn generate(spec: &LoadedSpec) -> Result<String, CodegenError> {
    let shown = display_path(&spec.path);
    let tokens = run_progenitor(&generator_input(&spec.openapi), &shown)?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::Unparsable {
        spec: shown.clone(),
        message: e.to_string(),
    })?;
    let body = prettyplease::unparse(&file);
    let body = progenitor_impl::space_out_items(body).map_err(|e| CodegenError::Generator {
        spec: shown.clone(),
        message: e.to_string(),
    })?;
    Ok(format!("{}{body}", header(&shown)))
}

fn header(spec: &str) -> String {
    format!(
        "// @generated by `cargo xtask codegen` from {spec} with progenitor. DO NOT EDIT.\n\
         // Change the spec (or the settings in xtask/src/codegen.rs) and run `cargo xtask codegen`;\n\
         // CI runs `cargo xtask codegen --check` and fails when this file differs from the spec.\n\n"
    )
}

/// progenitor panics on some specs (see shared/api-notes.md); turn the panic into an error and
/// keep its backtrace off the terminal.
fn run_progenitor(
    openapi: &openapiv3::OpenAPI,
    shown: &str,
) -> Result<proc_macro2::TokenStream, CodegenError> {
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings(openapi)).generate_tokens(openapi)
    }));
    panic::set_hook(previous_hook);
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => {
            let mut message = e.to_string();
            if message.contains("content type") {
                message.push_str(&format!(
                    "\nhint: progenitor generates JSON, form-urlencoded, octet-stream and text bodies \
                     only; mark the operation `{HAND_WRITTEN_EXTENSION}: true` and implement it in \
                     the api-client crate (see crates/api-client/src/multipart_upload.rs)"
                ));
            }
            Err(CodegenError::Generator {
                spec: shown.to_string(),
                message,
            })
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(CodegenError::GeneratorPanic {
                spec: shown.to_string(),
                message,
            })
        }
    }
}

/// The spec path relative to the workspace root when it is inside it, so the header does not
/// depend on where the checkout lives.
fn display_path(path: &std::path::Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
