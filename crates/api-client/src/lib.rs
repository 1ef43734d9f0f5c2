//! Rust client for Evolink's Nano Banana image generation API.
//!
//! Most code wants [`NanoBanana`] and the one request type, [`ImageRequest`]: checks against
//! the model's own limits before anything is sent, local images uploaded as part of sending,
//! retries that never bill twice, waiting scheduled from the task's estimate, streamed and
//! verified downloads. [`NanoBanana::generate`] does all of it in one call:
//!
//! ```
//! use nanobanana_api::{ImageRequest, NanoBanana};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = nanobanana_sandbox::Sandbox::start(Default::default()).await?;
//! # let config = sandbox.client_config("sk-doc")?;
//! // With a key: NanoBanana::from_env()? (EVOLINK_API_KEY). Here, a local sandbox's settings.
//! let client = NanoBanana::new(&config)?;
//! let request = ImageRequest::new("gemini-3.1-flash-image-preview", "A cat playing on the grass")
//!     .size("16:9".parse()?);
//! let generated = client.generate(request, std::env::temp_dir().join("nanobanana-doc")).await?;
//! println!("saved {:?}", generated.files);
//! # Ok(())
//! # }
//! ```
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`config`] | [`ClientConfig`](config::ClientConfig): key, addresses, timeouts, retries, polling, TLS |
//! | [`error`] | the parts of [`Error`]: what the API said, a value refused before sending, what to do next ([`Hint`](error::Hint)) |
//! | [`types`] | the request and response types and enums, generated from the spec |
//! | [`lineup`] | each model's limits, and the documented task failure codes |
//! | [`files`] | uploads to the file service |
//! | [`tasks`] | waiting, saving, batches, callbacks |
//! | [`raw`] | the generated client, for full control |
//!
//! Progress of uploads, waits, retries and batches goes to one [`Observer`]
//! ([`NanoBanana::observe`]) as an [`Event`], whose payloads ([`UploadEvent`], [`WaitEvent`],
//! [`RetryEvent`]) are beside it at the crate root. The repository README's programs are
//! compiled as doctests of this crate.

#![warn(missing_docs)]

mod client;
pub mod config;
#[cfg(feature = "convert")]
pub mod convert;
pub mod error;
pub mod files;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod idempotency;
mod image_input;
pub mod lineup;
mod observer;
pub mod raw;
mod request;
pub mod tasks;
mod transport;
pub mod types;
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, missing_docs, unused_imports)]
mod generated;
#[rustfmt::skip]
mod generated_lineup;

pub use client::NanoBanana;
pub use error::sdk::Error;
pub use image_input::ImageInput;
pub use observer::{Event, Observer, RetryEvent, UploadEvent, WaitEvent};
pub use request::ImageRequest;

/// The repository's README: its programs compile, and the one against the sandbox runs.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct Readme;

/// The crate's own README (crates.io's page): its program compiles.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;

/// `docs/sdk.md`: its programs compile.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/sdk.md")]
struct DocsSdk;
