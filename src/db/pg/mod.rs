//! The PostgreSQL store's connection, schema and company wall. A URL (`postgres://…`) selects
//! it; TLS goes through rustls with the webpki roots and, when given, the operator's own CA.
//! All of its SQL lives in this module's files.

pub mod migrate;
mod scope;

use std::path::Path;
use std::sync::Arc;

use postgres::{Client, Config};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres_rustls::MakeRustlsConnect;

pub use scope::{company_transaction, platform_transaction};

/// Whether a store location names PostgreSQL (a URL) rather than a SQLite file (a path).
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The URL without its password, for messages and reports.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(a PostgreSQL URL that does not parse)".into(),
    }
}

/// Connects to the server the URL names. `sslmode=disable|prefer|require` is honoured as
/// libpq does; with TLS the server's certificate must chain to a webpki root or to `ca_file`.
pub fn connect(url: &str, ca_file: Option<&Path>) -> Result<Client, String> {
    let config: Config = url
        .parse()
        .map_err(|e| format!("{}: not a PostgreSQL URL: {e}", redacted(url)))?;
    let tls = MakeRustlsConnect::new(tls_config(ca_file)?);
    config
        .connect(tls)
        .map_err(|e| format!("cannot connect to {}: {e}", redacted(url)))
}

fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert =
                cert.map_err(|e| format!("{}: not a PEM certificate: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("{}: unusable certificate: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("{}: holds no certificate", path.display()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
