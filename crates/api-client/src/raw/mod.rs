//! The generated client, for full control: [`Client`] with one method per operation of the
//! spec, its operation builders, its response wrapper and its error (`Error::ErrorResponse` for
//! the documented statuses), and the one hand-written operation, [`UploadFileStream`].
//! [`NanoBanana`](crate::NanoBanana) is built on these; a `Client` comes from the same
//! configuration with [`ClientConfig::build`](crate::config::ClientConfig::build) (the API) and
//! [`build_files`](crate::config::ClientConfig::build_files) (the file service).

pub(crate) mod multipart_upload;

pub use crate::generated::{builder, Client, ClientInfo, Error, ResponseValue};
pub use multipart_upload::{FilePart, UploadFileStream, UPLOAD_FILE_STREAM_PATH};

/// The OpenAPI document this crate is generated from (`spec/openapi.yaml` of the repository,
/// copied into the crate by `cargo xtask codegen` and checked by `codegen --check`).
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");
