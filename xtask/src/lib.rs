//! Library half of `xtask`, so its pieces can be tested directly.

pub mod codegen;
pub mod drift;
pub mod lineup;
pub mod public_api;
pub mod signature;
pub mod spec_diff;
pub mod spec_source;
pub mod upstream;

use std::path::PathBuf;

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
