//! The sync client's TLS set-up: rustls with the *ring* provider and
//! Mozilla's root certificates compiled in, plus a district's own CA when
//! the app gives one.
//!
//! Why not reqwest's default (aws-lc and the platform verifier): on Android
//! the platform verifier needs the app to initialise it through JNI, and it
//! cannot add an extra root there at all, so a district running its own CA
//! could not sync; aws-lc adds a second copy of libcrypto beside SQLCipher's
//! OpenSSL and needs more than a C compiler to cross-compile for phones.
//! The same configuration on every platform keeps the HTTPS test on the
//! desktop meaningful for the phones. To trust something else, change
//! [`client_config`].

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::client::SyncError;

/// The TLS configuration of a sync client: Mozilla's roots, plus every
/// certificate in `extra_root_pem`. Fails with `Config` if `extra_root_pem`
/// holds no certificate or a malformed one.
pub(super) fn client_config(
    extra_root_pem: Option<&[u8]>,
) -> Result<rustls::ClientConfig, SyncError> {
    let bad_pem = || SyncError::Config("the extra root certificate is not PEM".into());
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = extra_root_pem {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad_pem())?;
        if certificates.is_empty() {
            return Err(bad_pem());
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|_| bad_pem())?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Config(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
