//! [`ValidationError`]: a value that breaks a limit of the spec, found before anything is sent.

use std::fmt;

/// A value that breaks a limit of the spec: which field, what is wrong, and the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The field, as named in the API (`image_urls[3]`, `usage.credits_reserved`).
    pub field: String,
    /// What is wrong with the value (without repeating long values).
    pub problem: String,
    /// The limit that was broken.
    pub limit: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {}; the limit is {}",
            self.field, self.problem, self.limit
        )
    }
}

impl std::error::Error for ValidationError {}

impl ValidationError {
    pub(crate) fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        limit: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
            limit: limit.into(),
        }
    }
}
