//! HTTPS through rustls (axum-server's `tls-rustls`, aws-lc-rs provider).
//! The certificate chain and key are PEM files; to reload them without a
//! restart, keep the [`axum_server::tls_rustls::RustlsConfig`] and call its
//! `reload_from_pem_file` (not wired to a signal yet).

use axum_server::tls_rustls::RustlsConfig;

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
    RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .map_err(|e| ServerError::Tls(format!("cannot load certificate and key: {e}")))
}
