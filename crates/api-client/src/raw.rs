//! The generated client's own pieces, for code that calls [`Client`](crate::Client) directly:
//! its operation builders, its response wrapper and its error (`Error::ErrorResponse` for the
//! documented statuses), which [`NanoBanana`](crate::NanoBanana) turns into
//! [`crate::Error`].

pub use crate::generated::{builder, ClientInfo, Error, ResponseValue};

/// The OpenAPI document this crate is generated from (`spec/openapi.yaml` of the repository,
/// copied into the crate by `cargo xtask codegen` and checked by `codegen --check`).
pub const OPENAPI_YAML: &str = include_str!("openapi.yaml");
