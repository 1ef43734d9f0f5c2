//! Reading one documentation page: the fenced OpenAPI block of its Markdown rendering, in either
//! form Evolink publishes (a whole OpenAPI 3.1 document, or the resolved `paths: path: … method:`
//! rendering), into the operations it documents.
//!
//! Our own spec goes through the same reader ([`operations_of_document`]), so both sides of a
//! comparison are normalised alike.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use super::shape::{shape_of, unresolved_refs, Shape};
use spec_support::METHODS;

/// One operation as a page (or our spec) documents it.
#[derive(Clone, Debug, Default)]
pub struct Operation {
    /// `POST`, `GET`, …
    pub method: String,
    /// `/v1/images/generations`
    pub path: String,
    /// The server the operation is called on, when the document names one.
    pub server: Option<String>,
    /// The JSON request body's schema.
    pub request: Option<Shape>,
    /// Named request examples.
    pub request_examples: BTreeMap<String, Value>,
    /// Responses by status code.
    pub responses: BTreeMap<String, Response>,
}

impl Operation {
    /// `POST /v1/images/generations`
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// One documented response.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// The JSON body's schema, when documented.
    pub schema: Option<Shape>,
    /// Named examples.
    pub examples: BTreeMap<String, Value>,
}

/// A page read: its title, the fence's source line and the operations it documents.
#[derive(Clone, Debug)]
pub struct Page {
    /// Where it was read from (a file path or a URL).
    pub source: String,
    /// The page's `# ` title.
    pub title: String,
    /// The fence line's document name (`en/api-manual/…/upload-base64.json`).
    pub document: String,
    /// The operations the page documents.
    pub operations: Vec<Operation>,
    /// `$ref`s the page's contract makes to components it does not hold (a page cut off before
    /// its `components`): the page is incomplete, and what it seems to lack there is unknown.
    pub missing_refs: Vec<String>,
    /// Every model id the page names anywhere: title, prose, operationId, enums, examples.
    pub named_models: BTreeSet<String>,
    /// A task error-code page's table rows (a Markdown table, no OpenAPI block).
    pub error_codes: Vec<ErrorCodeRow>,
}

/// One row of the error-codes page: the code and what its "retryable" column says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorCodeRow {
    /// The `error.code` value.
    pub code: String,
    /// The row's last column, as written (`Retry later`, `Fix params, then retry`).
    pub retry: String,
}

/// Why a page could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct PageError(pub String);

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The page in `text`, read from `source`.
pub fn read_page(source: &str, text: &str) -> Result<Page, PageError> {
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("")
        .trim()
        .to_string();
    let named_models = model_ids(text);
    let Some((fence, body)) = fenced_openapi(text) else {
        let error_codes = error_code_rows(text);
        if error_codes.is_empty() {
            return Err(PageError(format!(
                "{source}: no ````yaml block with an OpenAPI contract and no error-code table (is \
                 this the page's Markdown rendering, the URL ending in .md?)"
            )));
        }
        return Ok(Page {
            source: source.to_string(),
            title,
            document: String::new(),
            operations: Vec::new(),
            missing_refs: Vec::new(),
            named_models,
            error_codes,
        });
    };
    let document: Value = serde_yaml_ng::from_str(&body).map_err(|e| {
        PageError(format!(
            "{source}: the page's OpenAPI block is not YAML: {e}"
        ))
    })?;
    let operations = if document.get("openapi").is_some() {
        operations_of_document(&document)
    } else if document.pointer("/paths/path").is_some() {
        vec![resolved_operation(&document)]
    } else {
        return Err(PageError(format!(
            "{source}: the OpenAPI block is in neither known form (no `openapi:` document, no \
             `paths: path:` rendering)"
        )));
    };
    Ok(Page {
        source: source.to_string(),
        title,
        document: fence
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('/')
            .to_string(),
        operations,
        missing_refs: unresolved_refs(&document),
        named_models,
        error_codes: Vec::new(),
    })
}

/// The model ids `text` names: `gemini-…-image…` and `nano-banana-…` words, outside of
/// addresses (a page path such as `nano-banana-image-generate.md` is not a model).
pub fn model_ids(text: &str) -> BTreeSet<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_';
    let mut found = BTreeSet::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| is_word(c)).unwrap_or(rest.len());
        let before = rest[..start].chars().last();
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let word = rest[..end].trim_end_matches('.').to_ascii_lowercase();
        let after = rest[end..].chars().next();
        rest = &rest[end..];
        let in_address = before == Some('/') || after == Some('/');
        let model_like = (word.starts_with("gemini-") && word.contains("-image"))
            || (word.starts_with("nano-banana-") && word.len() > "nano-banana-".len());
        let page_name =
            word.ends_with("-generate") || word.ends_with(".md") || word.ends_with(".json");
        if model_like && !in_address && !page_name {
            found.insert(word);
        }
    }
    found
}

/// The rows of every Markdown table whose first column is a backquoted code and that has a
/// third column: the error-codes page's tables (code, meaning, retryable).
fn error_code_rows(text: &str) -> Vec<ErrorCodeRow> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let code = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            let valid = !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            (valid && cells.len() >= 3).then(|| ErrorCodeRow {
                code: code.to_string(),
                retry: cells[cells.len() - 1].to_string(),
            })
        })
        .collect()
}

/// The first ````yaml block: its fence line (after `yaml`) and its body.
fn fenced_openapi(text: &str) -> Option<(String, String)> {
    let mut lines = text.lines();
    let fence = lines
        .find_map(|l| l.strip_prefix("````yaml"))?
        .trim()
        .to_string();
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("````")).collect();
    Some((fence, body.join("\n")))
}

/// Every operation of an OpenAPI document (3.0 or 3.1).
pub fn operations_of_document(document: &Value) -> Vec<Operation> {
    let root_server = first_server(&document["servers"]);
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let body = &op["requestBody"]["content"]["application/json"];
            operations.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                server: first_server(&op["servers"])
                    .or_else(|| first_server(&item["servers"]))
                    .or_else(|| root_server.clone()),
                request: body.get("schema").map(|s| shape_of(s, document)),
                request_examples: examples(body),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, response)| {
                        let response = match response.get("$ref").and_then(Value::as_str) {
                            Some(r) => super::shape::resolve(r, document).unwrap_or(response),
                            None => response,
                        };
                        let content = &response["content"]["application/json"];
                        let schema = content.get("schema").map(|s| shape_of(s, document));
                        (
                            status.clone(),
                            Response {
                                schema,
                                examples: examples(content),
                            },
                        )
                    })
                    .collect(),
            });
        }
    }
    operations
}

/// The one operation of a resolved rendering (`paths: {path, method, request, response}`).
fn resolved_operation(document: &Value) -> Operation {
    let paths = &document["paths"];
    let body = &paths["request"]["body"]["application/json"];
    Operation {
        method: paths["method"].as_str().unwrap_or("").to_uppercase(),
        path: paths["path"].as_str().unwrap_or("").to_string(),
        server: first_server(&paths["servers"]),
        request: body.get("schemaArray").map(|_| shape_of(body, document)),
        request_examples: examples(body),
        responses: paths["response"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(status, response)| {
                let content = &response["application/json"];
                (
                    status.clone(),
                    Response {
                        schema: content
                            .get("schemaArray")
                            .map(|_| shape_of(content, document)),
                        examples: examples(content),
                    },
                )
            })
            .collect(),
    }
}

fn first_server(servers: &Value) -> Option<String> {
    servers[0]["url"].as_str().map(String::from)
}

/// `examples: {name: {value: …}}` of a media type.
fn examples(media: &Value) -> BTreeMap<String, Value> {
    media["examples"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, e)| e.get("value").map(|v| (name.clone(), v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESOLVED: &str = "# Title\n\n## OpenAPI\n\n````yaml en/x.json post /v1/things\npaths:\n  \
        path: /v1/things\n  method: post\n  servers:\n    - url: https://api.example\n  request:\n    \
        body:\n      application/json:\n        schemaArray:\n          - type: object\n            \
        properties:\n              name:\n                allOf:\n                  - type: string\n                    \
        maxLength: 10\n            requiredProperties: [name]\n  response:\n    '200':\n      \
        application/json:\n        schemaArray:\n          - type: object\n        examples:\n          \
        example:\n            value: {}\n````\n";

    #[test]
    fn the_resolved_form_gives_its_one_operation() {
        let page = read_page("x.md", RESOLVED).unwrap();
        assert_eq!(page.title, "Title");
        assert_eq!(page.document, "en/x.json");
        let op = &page.operations[0];
        assert_eq!(op.key(), "POST /v1/things");
        assert_eq!(op.server.as_deref(), Some("https://api.example"));
        let request = op.request.as_ref().unwrap();
        assert_eq!(request.properties["name"].limits["maxLength"], 10.0);
        assert!(request.required.contains("name"));
        assert!(op.responses["200"].examples.contains_key("example"));
    }

    #[test]
    fn a_page_without_the_block_says_what_was_expected() {
        let err = read_page("https://docs.example/page", "# Title\n\nJust prose.\n").unwrap_err();
        assert!(err.0.contains("no ````yaml block"), "{err}");
        assert!(err.0.contains(".md"), "{err}");
    }
}
