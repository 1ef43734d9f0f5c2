//! What every tool that reads `spec/openapi.yaml` shares, written once: the HTTP methods a path
//! item can hold, the names of the spec's own extensions, and JSON pointers into the document.
//!
//! xtask (codegen, spec-diff, upstream-diff) and the conformance suite (its build script and its
//! tests) depend on it; the published crates do not.

/// The HTTP methods an OpenAPI path item can hold, in the specification's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The spec's own extensions, by what they mark.
pub mod extension {
    /// On a string enum written `anyOf: [{enum}, {type: string}]`: the list may grow, the SDK
    /// keeps an unknown value (`Unknown(String)`) instead of failing.
    pub const OPEN_ENUM: &str = "x-nanobanana-open-enum";
    /// On `ImageModel`: each model's own limits (sizes, qualities, images, prompt length).
    pub const MODELS: &str = "x-nanobanana-models";
    /// On `TaskError`: the documented task failure codes, what each means and whether
    /// resubmitting helps.
    pub const TASK_ERROR_CODES: &str = "x-nanobanana-task-error-codes";
    /// On an operation the code generator cannot generate (a `multipart/form-data` body): the
    /// api-client crate implements it by hand with the same interface.
    pub const HAND_WRITTEN: &str = "x-nanobanana-hand-written";
}

/// Escapes one JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`] (`~1` → `/`, then `~0` → `~`).
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A JSON pointer from its unescaped segments: `pointer(["paths", "/v1/tasks/{id}", "get"])` is
/// `/paths/~1v1~1tasks~1{id}/get`.
pub fn pointer<'a>(segments: impl IntoIterator<Item = &'a str>) -> String {
    segments
        .into_iter()
        .map(|s| format!("/{}", escape(s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_before_slash() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(escape("~1"), "~01");
        assert_eq!(
            pointer(["paths", "/v1/tasks/{task_id}", "get"]),
            "/paths/~1v1~1tasks~1{task_id}/get"
        );
        assert_eq!(pointer([]), "");
        assert_eq!(unescape(&escape("a/~1b")), "a/~1b");
    }
}
