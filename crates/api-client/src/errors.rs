//! The parts of [`Error`](crate::Error): what the API said, and which call it answered. Other
//! errors live beside what they are about: [`ConfigError`](crate::config::ConfigError),
//! [`ValidationError`](crate::validation::ValidationError),
//! [`LocalImageError`](crate::local_image::LocalImageError),
//! [`UnknownValue`](crate::types::UnknownValue).

pub use crate::error::{ApiError, Operation};
