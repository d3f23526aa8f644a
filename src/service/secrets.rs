//! Company secrets: written by users, sealed at rest, never read back by users.

use std::collections::BTreeMap;

use serde_json::json;

use crate::access::{Admin, CompanyScope};
use crate::crypto::{SealContext, Sealer};
use crate::db;
use crate::db::secrets::SecretMeta;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::domain::{secret_kind, Page};
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
use crate::service::change::{in_company, Change};

/// The associated data of a company secret: table, column and the row's key.
fn seal_row(company: &CompanyId, kind: &str) -> String {
    format!("{company}/{kind}")
}

pub fn context<'a>(row: &'a str) -> SealContext<'a> {
    SealContext {
        table: "company_secrets",
        column: "sealed",
        row,
    }
}

pub async fn list(
    store: &Store,
    scope: &CompanyScope<Admin>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<SecretMeta>> {
    let company = scope.company().clone();
    let after = crate::domain::cursor::open(cursor)?;
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::secrets::list(c, &company, after.as_deref(), limit)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn put(
    store: &Store,
    sealer: &Sealer,
    scope: &CompanyScope<Admin>,
    kind: String,
    values: BTreeMap<String, String>,
) -> DomainResult<SecretMeta> {
    secret_kind::parse_kind(&kind)?;
    let hint = secret_kind::validate_values(&kind, &values)?;
    let plaintext = serde_json::to_vec(&values).map_err(DomainError::internal)?;
    let row = seal_row(scope.company(), &kind);
    let sealed = sealer.seal(&plaintext, &context(&row));
    drop(plaintext);
    let fields: Vec<String> = values.into_keys().collect();
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                db::secrets::upsert(
                    tx,
                    &company.id,
                    &kind,
                    &sealed.bytes,
                    &sealed.key_id,
                    &hint,
                    now,
                )?;
                let event = NewAuditEvent::new("secret.set")
                    .target("secret", &kind)
                    .details(json!({ "kind": kind, "fields": fields }));
                let meta = SecretMeta {
                    kind: kind.clone(),
                    hint: hint.clone(),
                    key_id: sealed.key_id.clone(),
                    updated_at: now,
                };
                Ok(Change::audited(meta, event))
            }),
        )
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn delete(store: &Store, scope: &CompanyScope<Admin>, kind: String) -> DomainResult<()> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, _| {
                if !db::secrets::delete(tx, &company.id, &kind)? {
                    return Err(DomainError::NotFound("secret"));
                }
                let event = NewAuditEvent::new("secret.deleted")
                    .target("secret", &kind)
                    .details(json!({ "kind": kind }));
                Ok(Change::audited((), event))
            }),
        )
        .await
}

/// Opens a sealed secret (for applications with the read scope).
pub fn open(
    sealer: &Sealer,
    company: &CompanyId,
    kind: &str,
    row: &db::secrets::SealedRow,
) -> DomainResult<BTreeMap<String, String>> {
    let ad_row = seal_row(company, kind);
    let plain = sealer.open(&row.sealed, &row.key_id, &context(&ad_row))?;
    serde_json::from_slice(&plain).map_err(DomainError::internal)
}
