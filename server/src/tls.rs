//! HTTPS through rustls with the *ring* provider, the same one the phones'
//! sync client uses (`gridbook::sync`), so the workspace builds one crypto
//! library. The certificate chain and key are PEM files read at start; to
//! reload them without a restart, keep the
//! [`axum_server::tls_rustls::RustlsConfig`] and call its `reload_from_config`
//! with a new [`rustls::ServerConfig`] from [`load`]'s steps (not wired to a
//! signal yet).

use std::sync::Arc;

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsFiles;
use crate::error::ServerError;

/// Loads the certificate chain and private key.
pub async fn load(files: &TlsFiles) -> Result<RustlsConfig, ServerError> {
    for (what, path) in [("certificate", &files.cert), ("key", &files.key)] {
        if !path.is_file() {
            return Err(ServerError::Tls(format!(
                "{what} file {} does not exist",
                path.display()
            )));
        }
    }
    let refused = |what: &str, e: &dyn std::fmt::Display| {
        ServerError::Tls(format!("cannot load the {what}: {e}"))
    };
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| refused("certificate", &e))?;
    if chain.is_empty() {
        return Err(ServerError::Tls(
            "the certificate file holds no certificate".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| refused("key", &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| refused("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| refused("certificate and key", &e))?;
    // The server speaks HTTP/1.1 only (axum is built without http2).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}
