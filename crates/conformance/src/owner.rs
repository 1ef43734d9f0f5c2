//! [`Owner`]: whose generated type a spec value is read into (shared by `instances`, which
//! places values, and `bindings`, which reads them).

/// The generated type a placed value is deserialized into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A component schema (`components/schemas/<name>`), generated as `types::<Name>`.
    Component(String),
    /// A constrained parameter, generated as its own newtype (`GetTaskDetailTaskId`).
    Parameter {
        /// The operation's id.
        operation: String,
        /// The parameter's name.
        name: String,
    },
    /// An inline primitive schema (a parameter's), passed as a Rust primitive (`String`, `i64`…).
    Primitive(&'static str),
}
