//! Company secrets: written by users, sealed at rest, never read back by users.

use std::collections::BTreeMap;

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::SealContext;
use crate::db;
use crate::db::secrets::SecretMeta;
use crate::domain::audit::NewAuditEvent;
use crate::domain::secret_kind;
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
use crate::service::AppState;

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
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
) -> DomainResult<Vec<SecretMeta>> {
    who.require_company_admin(&company, "company")?;
    state
        .store
        .read(move |c| {
            crate::service::companies::load(c, &company)?;
            db::secrets::list(c, &company)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn put(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    kind: String,
    values: BTreeMap<String, String>,
) -> DomainResult<SecretMeta> {
    who.require_company_admin(&company, "company")?;
    secret_kind::parse_kind(&kind)?;
    let hint = secret_kind::validate_values(&kind, &values)?;
    let plaintext = serde_json::to_vec(&values).map_err(DomainError::internal)?;
    let row = seal_row(&company, &kind);
    let sealed = state.sealer.seal(&plaintext, &context(&row));
    drop(plaintext);
    let fields: Vec<String> = values.into_keys().collect();
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            crate::service::companies::load(tx, &company)?;
            let now = now_ms();
            db::secrets::upsert(
                tx,
                &company,
                &kind,
                &sealed.bytes,
                &sealed.key_id,
                &hint,
                now,
            )?;
            let event = NewAuditEvent::new("secret.set")
                .company(&company)
                .target("secret", &kind)
                .details(json!({ "kind": kind, "fields": fields }));
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(SecretMeta {
                kind,
                hint,
                key_id: sealed.key_id,
                updated_at: now,
            })
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn delete(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    kind: String,
) -> DomainResult<()> {
    who.require_company_admin(&company, "company")?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            crate::service::companies::load(tx, &company)?;
            if !db::secrets::delete(tx, &company, &kind)? {
                return Err(DomainError::NotFound("secret"));
            }
            let event = NewAuditEvent::new("secret.deleted")
                .company(&company)
                .target("secret", &kind)
                .details(json!({ "kind": kind }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await
}

/// Opens a sealed secret (for applications with the read scope).
pub fn open(
    state: &AppState,
    company: &CompanyId,
    kind: &str,
    row: &db::secrets::SealedRow,
) -> DomainResult<BTreeMap<String, String>> {
    let ad_row = seal_row(company, kind);
    let plain = state
        .sealer
        .open(&row.sealed, &row.key_id, &context(&ad_row))?;
    serde_json::from_slice(&plain).map_err(DomainError::internal)
}
