//! The parts of [`Error`]: what the API said ([`ApiError`]) and which call it
//! answered ([`Operation`]), a value refused before sending ([`ValidationError`]), a local image
//! that cannot be uploaded ([`LocalImageError`]). A bad setting is a
//! [`ConfigError`](crate::config::ConfigError), an unknown enum value an
//! [`UnknownValue`](crate::types::UnknownValue).

pub(crate) mod classify;
pub(crate) mod local_image;
pub(crate) mod sdk;
pub(crate) mod validation;

pub use local_image::{HexHead, LocalImageError, LocalImageProblem};
pub(crate) use sdk::Error;
pub use sdk::{ApiError, Operation, QuotaLimit};
pub use validation::ValidationError;
