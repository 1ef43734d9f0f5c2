//! The generated client's own pieces, for code that calls [`Client`](crate::Client) directly:
//! its operation builders, its response wrapper and its error (`Error::ErrorResponse` for the
//! documented statuses), which [`NanoBanana`](crate::NanoBanana) turns into
//! [`crate::Error`].

pub use crate::generated::{builder, ClientInfo, Error, ResponseValue};
