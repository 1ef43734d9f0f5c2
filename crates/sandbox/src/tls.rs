//! Serving over HTTPS, as the real API does: rustls on the server side, with a certificate and
//! key from PEM files, or a throwaway CA made at start and a certificate it signed for
//! `localhost` and `127.0.0.1` (clients trust the CA: [`SandboxTls::ca_pem`]).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// Whether this build serves HTTPS (the `tls` feature).
pub const SERVES_HTTPS: bool = true;

/// The certificate a sandbox serves HTTPS with.
pub struct SandboxTls {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca_pem: Option<String>,
}

impl Clone for SandboxTls {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            ca_pem: self.ca_pem.clone(),
        }
    }
}

impl fmt::Debug for SandboxTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxTls")
            .field("certificates", &self.chain.len())
            .field("self_signed", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl SandboxTls {
    /// A certificate chain and its private key, PEM-encoded (the files a CA or `mkcert` gives).
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, String> {
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("the certificate file is not PEM: {e}"))?;
        if chain.is_empty() {
            return Err("the certificate file holds no certificate".into());
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| format!("the key file holds no PEM private key: {e}"))?;
        let tls = Self {
            chain,
            key,
            ca_pem: None,
        };
        tls.server_config()?;
        Ok(tls)
    }

    /// [`from_pem`](Self::from_pem) from two files.
    pub fn from_pem_files(chain: &Path, key: &Path) -> Result<Self, String> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        Self::from_pem(&read(chain)?, &read(key)?)
    }

    /// A throwaway CA, made now, and a certificate it signed for `localhost` and `127.0.0.1`.
    pub fn self_signed() -> Result<Self, String> {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().expect("a key pair can be generated");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("empty names are valid");
        ca.distinguished_name
            .push(DnType::CommonName, "nanobanana sandbox CA (throwaway)");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("the CA signs itself");
        let issuer = rcgen::Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("a key pair can be generated");
        let mut leaf =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("loopback names are valid");
        leaf.distinguished_name
            .push(DnType::CommonName, "nanobanana sandbox");
        let leaf = leaf
            .signed_by(&key, &issuer)
            .expect("the CA signs the certificate");
        Ok(Self {
            chain: vec![leaf.der().clone()],
            key: PrivateKeyDer::try_from(key.serialize_der()).expect("a PKCS#8 key"),
            ca_pem: Some(ca_cert.pem()),
        })
    }

    /// The PEM of the CA clients must trust, for a [`self_signed`](Self::self_signed)
    /// certificate (`None` for one given as files: its CA is known to its owner).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    fn server_config(&self) -> Result<Arc<ServerConfig>, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| format!("the certificate and key do not make a server identity: {e}"))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Serves `router` over TLS on `listener` until `stopped` is set; then stops accepting, lets
/// each open connection finish its requests, and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: &SandboxTls,
    stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let config = tls.server_config().map_err(std::io::Error::other)?;
    let acceptor = TlsAcceptor::from(config);
    let mut connections = JoinSet::new();
    let mut stop = stopped.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = async { drop(stop.wait_for(|stop| *stop).await) } => break,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let (acceptor, router, stopped) = (acceptor.clone(), router.clone(), stopped.clone());
        connections.spawn(async move {
            // A client that does not trust the certificate hangs up here: nothing to serve.
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(router),
            );
            tokio::pin!(connection);
            let mut stopped = stopped;
            tokio::select! {
                _ = connection.as_mut() => {}
                // Stopping: answer what is open, then close.
                _ = async { drop(stopped.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    while connections.join_next().await.is_some() {}
    Ok(())
}
