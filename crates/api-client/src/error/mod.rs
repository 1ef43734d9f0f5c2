//! The parts of [`Error`]: what the API said ([`ApiError`]) and which call it
//! answered ([`Operation`]), a value refused before sending ([`ValidationError`]), a local image
//! that cannot be uploaded ([`LocalImageError`]), and what to do next ([`Hint`],
//! [`Error::hints`]). A bad setting is a [`ConfigError`](crate::config::ConfigError), an unknown
//! enum value an [`UnknownValue`](crate::types::UnknownValue).

pub(crate) mod advice;
pub(crate) mod api;
pub(crate) mod classify;
pub(crate) mod hint;
pub(crate) mod local_image;
pub(crate) mod sdk;
#[cfg(test)]
mod tests;
pub(crate) mod validation;

pub use api::{ApiError, Operation, QuotaLimit};
pub use hint::Hint;
pub use local_image::{HexHead, LocalImageError, LocalImageProblem};
pub(crate) use sdk::Error;
pub use validation::ValidationError;
