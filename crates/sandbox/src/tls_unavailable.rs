//! This build does not serve HTTPS (the `tls` feature is off): the same items, each saying so.

use std::path::Path;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Whether this build serves HTTPS (the `tls` feature).
pub const SERVES_HTTPS: bool = false;

const UNAVAILABLE: &str = "this build of the sandbox does not serve HTTPS: it needs the \
    sandbox's `tls` feature (the CLI's `rustls` feature: cargo install nanobanana-cli \
    --no-default-features --features rustls)";

/// The certificate a sandbox serves HTTPS with. In this build (no `tls` feature) none can be
/// made: every constructor says which feature serves HTTPS.
#[derive(Clone, Debug)]
pub struct SandboxTls {
    _none: (),
}

impl SandboxTls {
    /// A certificate chain and its private key, PEM-encoded: refused in this build.
    pub fn from_pem(_chain_pem: &[u8], _key_pem: &[u8]) -> Result<Self, String> {
        Err(UNAVAILABLE.into())
    }

    /// [`from_pem`](Self::from_pem) from two files: refused in this build.
    pub fn from_pem_files(_chain: &Path, _key: &Path) -> Result<Self, String> {
        Err(UNAVAILABLE.into())
    }

    /// A throwaway CA and a certificate it signed: refused in this build.
    pub fn self_signed() -> Result<Self, String> {
        Err(UNAVAILABLE.into())
    }

    /// The PEM of the CA clients must trust: none in this build.
    pub fn ca_pem(&self) -> Option<&str> {
        None
    }
}

/// Never reached: no [`SandboxTls`] can be made in this build.
pub(crate) async fn serve(
    _listener: TcpListener,
    _router: Router,
    _tls: &SandboxTls,
    _stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    Err(std::io::Error::other(UNAVAILABLE))
}
