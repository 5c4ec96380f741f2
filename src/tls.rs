//! The one TLS client set-up of the core (the mailbox over IMAP, the team edition's PostgreSQL server): rustls with
//! ring, the system's roots through the platform verifier, plus the organisation's own CA when given.

use std::sync::Arc;

use crate::error::{Error, Result};

/// A client configuration trusting the system's roots and the certificates of `ca_pem` (PEM), if given.
/// `field` names the setting the CA file came from, for the error a person sees.
pub fn client_config(ca_pem: Option<&[u8]>, field: &str) -> Result<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra = vec![];
    if let Some(pem) = ca_pem {
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
            extra.push(cert.map_err(|e| Error::invalid(field, format!("the CA file is not PEM: {e}")))?);
        }
        if extra.is_empty() {
            return Err(Error::invalid(field, "the CA file holds no certificate"));
        }
    }
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
        .map_err(|e| Error::refused(format!("the system's certificate store cannot be read: {e}")))?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::refused(format!("TLS cannot be set up: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}
