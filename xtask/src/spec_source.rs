//! Reading the OpenAPI document and checking what progenitor would otherwise panic on or
//! silently get wrong. Every failure is one [`SpecError`] naming the file and the place.

use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use serde_json::Value;
use spec_support::METHODS;

/// A spec that was read, parsed and checked.
pub struct LoadedSpec {
    /// The path the spec was read from.
    pub path: PathBuf,
    /// The parsed document.
    pub openapi: OpenAPI,
    /// The same document as JSON, for structural comparison.
    pub document: Value,
}

/// Why a spec could not be used, with the file and the place in it.
#[derive(Debug)]
pub struct SpecError {
    /// The spec file.
    pub path: PathBuf,
    /// Where in the file: `line L, column C` or a path such as `paths./v1/x.post`.
    pub place: Option<String>,
    /// What is wrong, and where useful what to do.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(place) => write!(f, "{}: at {}: {}", self.path.display(), place, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// Reads `path`, parses it as YAML (or JSON), and checks it can be generated from.
pub fn load(path: &Path) -> Result<LoadedSpec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        path: path.to_path_buf(),
        place: None,
        message: format!("cannot read the spec: {e}"),
    })?;
    load_text(path, &text)
}

/// [`load`] for a spec already read (e.g. from a git revision); `path` names it in errors.
pub fn load_text(path: &Path, text: &str) -> Result<LoadedSpec, SpecError> {
    let error = |place: Option<String>, message: String| SpecError {
        path: path.to_path_buf(),
        place,
        message,
    };
    let document = parse_document(path, text)?;
    let openapi: OpenAPI = serde_path_to_error::deserialize(document.clone()).map_err(|e| {
        let place = e.path().to_string();
        error(
            Some(place),
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
    })?;
    Ok(LoadedSpec {
        path: path.to_path_buf(),
        openapi,
        document,
    })
}

/// Parses `text` and checks the version, operationIds and `$ref`s.
fn parse_document(path: &Path, text: &str) -> Result<Value, SpecError> {
    let error = |place: Option<String>, message: String| SpecError {
        path: path.to_path_buf(),
        place,
        message,
    };
    let document: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let place = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()));
        error(place, format!("invalid YAML: {}", yaml_message(&e)))
    })?;
    check_version(&document).map_err(|(place, msg)| error(Some(place), msg))?;
    check_operation_ids(&document).map_err(|(place, msg)| error(Some(place), msg))?;
    check_refs(&document).map_err(|(place, msg)| error(Some(place), msg))?;
    Ok(document)
}

/// serde_yaml_ng's message without its trailing "at line L column C" (the place is reported
/// separately).
fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    let full = e.to_string();
    match full.find(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

type Problem = (String, String);

fn check_version(document: &Value) -> Result<(), Problem> {
    let Some(root) = document.as_object() else {
        return Err(("the top level".into(), "the spec must be a mapping".into()));
    };
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err((
            "openapi".into(),
            format!(
                "OpenAPI {v} is not supported: the generator (progenitor) reads OpenAPI 3.0.x only; \
                 write `openapi: 3.0.3`"
            ),
        )),
        None => Err((
            "the top level".into(),
            "no `openapi` version field (want `openapi: 3.0.3`; Swagger 2.0 is not supported)".into(),
        )),
    }
}

fn check_operation_ids(document: &Value) -> Result<(), Problem> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let place = format!("paths.{path}.{method}");
            match operation.get("operationId").and_then(Value::as_str) {
                None => {
                    return Err((
                        place,
                        "the operation has no `operationId`: add one (it names the client method)"
                            .into(),
                    ));
                }
                Some(id) => {
                    if let Some(other) = seen.insert(id.to_string(), place.clone()) {
                        return Err((
                            place,
                            format!("operationId `{id}` is already used at {other}"),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every `$ref` must be local (`#/...`) and point at something that exists.
fn check_refs(document: &Value) -> Result<(), Problem> {
    let mut place = Vec::new();
    walk_refs(document, document, &mut place)
}

fn walk_refs(root: &Value, node: &Value, place: &mut Vec<String>) -> Result<(), Problem> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let here = if place.is_empty() {
                    "the top level".to_string()
                } else {
                    place.join(".")
                };
                let Some(pointer) = target.strip_prefix('#') else {
                    return Err((
                        here,
                        format!(
                            "$ref '{target}' is not local: only '#/...' references are supported"
                        ),
                    ));
                };
                if root.pointer(pointer).is_none() {
                    return Err((
                        here,
                        format!("$ref '{target}' points to nothing in this file"),
                    ));
                }
            }
            for (key, value) in map {
                place.push(key.clone());
                walk_refs(root, value, place)?;
                place.pop();
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                place.push(i.to_string());
                walk_refs(root, value, place)?;
                place.pop();
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
