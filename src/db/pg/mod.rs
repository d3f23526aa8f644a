//! The PostgreSQL store's connection, schema and company wall. A URL (`postgres://…`) selects
//! it; TLS goes through rustls with the webpki roots and, when given, the operator's own CA.
//! All of its SQL lives in this module's files.

pub mod backup;
mod check_scratch;
mod group;
pub mod migrate;
pub mod notes;
mod scope;
pub mod side_rows;
pub mod store;

use std::path::Path;
use std::sync::Arc;

use postgres::{Client, Config};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres_rustls::MakeRustlsConnect;

pub use scope::{company_transaction, platform_transaction};

/// Builds the trigrams of every company's search text (migration 35) in one statement, for a
/// store filled in bulk while the trigger that keeps them was off (a move, a restore). In the
/// primary key's order, so the index grows at its end instead of at a random page per row
/// (a million companies are some 38 million rows).
pub const REBUILD_TRIGRAMS: &str = "INSERT INTO company_trigrams (trigram, company_id) \
     SELECT t, c.id FROM companies c, unnest(armario_trigrams(c.search_fold)) AS t ORDER BY 1, 2";

/// A bulk fill of `companies` (a move) turns off, in its transaction, the triggers that keep
/// the tables derived from it as each company arrives (migrations 34 and 35), and builds those
/// tables once at the end ([`BULK_FILL_DONE`]). A million inserts in one transaction each
/// adding one to the same `company_counts` row made a chain of a million versions of that row,
/// which every next insert walked: the copy slowed to a few hundred companies a second.
pub const BULK_FILL_BEGINS: &str = "ALTER TABLE companies \
     DISABLE TRIGGER company_counts_insert_delete, DISABLE TRIGGER company_trigrams_insert_delete";

/// The end of a bulk fill ([`BULK_FILL_BEGINS`]): the counts per status and the trigrams built
/// from the companies, and their triggers back on.
pub const BULK_FILL_DONE: &str = "DELETE FROM company_counts; \
     INSERT INTO company_counts (status, n) SELECT status, count(*) FROM companies GROUP BY status; \
     ALTER TABLE companies \
     ENABLE TRIGGER company_counts_insert_delete, ENABLE TRIGGER company_trigrams_insert_delete";

/// Gathers the planner's statistics of the store's own tables (after they were filled in
/// bulk: a move, a restore), so it plans with their sizes rather than guesses. Only those: a
/// bare `ANALYZE` would also try the shared catalogs, which only a superuser may.
pub const ANALYZE_OWN_TABLES: &str = "DO $$
DECLARE t TEXT;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('ANALYZE %I', t);
    END LOOP;
END
$$";

/// `text` as an SQL string literal, for statements sent with their values written in (the
/// store's own ids and notes: no quote in them, doubled all the same).
pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Whether a store location names PostgreSQL (a URL) rather than a SQLite file (a path).
pub fn is_url(location: &str) -> bool {
    let lower = location.to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL without its password (in its user part or as a `password=` parameter), for
/// messages and reports.
pub fn redacted(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return "(a PostgreSQL URL that does not parse)".into();
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Connects to the server the URL names. `sslmode` is `disable`, `prefer` (the default: TLS
/// when the server offers it, plain otherwise) or `require`. Whenever TLS is used the server's
/// certificate must chain to a webpki root or to `ca_file` and name the host, which is
/// stricter than libpq's `require`.
pub fn connect(url: &str, ca_file: Option<&Path>) -> Result<Client, String> {
    let config: Config = url
        .parse()
        .map_err(|e| format!("{}: not a PostgreSQL URL: {e}", redacted(url)))?;
    connect_config(&config, &redacted(url), ca_file)
}

/// Connects with a parsed configuration; `place` names it in errors.
pub fn connect_config(
    config: &Config,
    place: &str,
    ca_file: Option<&Path>,
) -> Result<Client, String> {
    let tls = MakeRustlsConnect::new(tls_config(ca_file)?);
    config
        .connect(tls)
        .map_err(|e| format!("cannot connect to {place}: {}", with_causes(&e)))
}

/// An error with what caused it (a TLS handshake's own reason, say), on one line.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_never_shows_and_the_scheme_is_read_in_any_case() {
        let shown =
            super::redacted("postgres://armario:s3cret@db:5432/a?password=s3cret&sslmode=require");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("sslmode=require"), "{shown}");
        assert!(super::is_url("PostgreSQL://db/a"));
        assert!(!super::is_url("armario-data/armario.db"));
    }
}
