//! Applications and their credentials, managed by the owner.

use serde_json::json;

use crate::access::Owner;
use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::db::applications::InsertCredential;
use crate::db::Db;
use crate::db::Store;
use crate::domain::application::{Application, ApplicationPatch, Credential, NewApplication};
use crate::domain::audit::NewAuditEvent;
use crate::domain::{validate, Page};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CredentialId};
use crate::service::change::{audited, Change};
use crate::service::directory::KeyWriter;
use crate::service::usage::UsageRecorder;

fn load(c: &Db, id: &ApplicationId) -> DomainResult<Application> {
    db::applications::get(c, id)?.ok_or(DomainError::NotFound("application"))
}

/// A page of applications in id order.
pub async fn list(
    store: &Store,
    _owner: &Owner,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Application>> {
    let after = crate::domain::cursor::open_as(cursor, ApplicationId::parse)?;
    store
        .read(move |c| db::applications::list(c, after.as_ref(), limit))
        .await
}

pub async fn get(store: &Store, _owner: &Owner, id: ApplicationId) -> DomainResult<Application> {
    store.read(move |c| load(c, &id)).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    keys: &KeyWriter,
    owner: &Owner,
    app: NewApplication,
) -> DomainResult<Application> {
    keys.write(audited(owner.audit(), move |tx, now| {
        let id = ApplicationId::generate();
        db::applications::insert(tx, &id, &app, now)?;
        let event = NewAuditEvent::new("application.created")
            .target("application", &id)
            .details(json!({ "name": app.name }));
        Ok(Change::audited(load(tx, &id)?, event))
    }))
    .await
}

#[tracing::instrument(skip_all, fields(application_id = %id))]
pub async fn update(
    keys: &KeyWriter,
    owner: &Owner,
    id: ApplicationId,
    patch: ApplicationPatch,
) -> DomainResult<Application> {
    keys.write(audited(owner.audit(), move |tx, now| {
        let current = load(tx, &id)?;
        let mut fields = patch.changed_fields(Some(&current));
        if fields.is_empty() {
            return Ok(Change::unchanged(current));
        }
        db::applications::update(tx, &id, &patch, now)?;
        // The status is recorded as a value of its own.
        fields.retain(|f| *f != "status");
        let mut details = json!({ "fields": fields });
        if let Some(s) = patch.status {
            details["status"] = s.as_str().into();
        }
        let event = NewAuditEvent::new("application.updated")
            .target("application", &id)
            .details(details);
        Ok(Change::audited(load(tx, &id)?, event))
    }))
    .await
}

#[tracing::instrument(skip_all, fields(application_id = %id))]
pub async fn delete(keys: &KeyWriter, owner: &Owner, id: ApplicationId) -> DomainResult<()> {
    keys.write(audited(owner.audit(), move |tx, _| {
        let app = load(tx, &id)?;
        db::applications::delete(tx, &id)?;
        let event = NewAuditEvent::new("application.deleted")
            .target("application", &id)
            .details(json!({ "name": app.name }));
        Ok(Change::audited((), event))
    }))
    .await
}

/// A page of the application's credentials, with their last use (pending usage is flushed
/// first).
pub async fn credentials(
    store: &Store,
    usage: &UsageRecorder,
    _owner: &Owner,
    app: ApplicationId,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Credential>> {
    let after = crate::domain::cursor::open_as(cursor, CredentialId::parse)?;
    usage.flush(store).await?;
    store
        .read(move |c| {
            load(c, &app)?;
            db::applications::credentials(c, &app, after.as_ref(), limit)
        })
        .await
}

/// A new credential and its secret, which is shown this once and never stored.
pub struct IssuedCredential {
    pub credential: Credential,
    pub secret: String,
}

#[tracing::instrument(skip_all, fields(application_id = %app))]
pub async fn issue_credential(
    keys: &KeyWriter,
    owner: &Owner,
    app: ApplicationId,
    label: &str,
    expires_at: Option<i64>,
) -> DomainResult<IssuedCredential> {
    let label = validate::required("label", label, 100)?;
    if expires_at.is_some_and(|e| e <= now_ms()) {
        return Err(DomainError::invalid("expires_at", "must be in the future"));
    }
    let (secret, hash) = token::generate(token::API_KEY_PREFIX);
    let prefix: String = secret
        .chars()
        .take(token::API_KEY_PREFIX.len() + 4)
        .collect();
    let credential = keys
        .write(audited(owner.audit(), move |tx, now| {
            load(tx, &app)?;
            let id = CredentialId::generate();
            db::applications::insert_credential(
                tx,
                &InsertCredential {
                    id: &id,
                    application_id: &app,
                    label: &label,
                    key_hash: &hash,
                    key_prefix: &prefix,
                    expires_at,
                },
                now,
            )?;
            let event = NewAuditEvent::new("credential.created")
                .target("credential", &id)
                .details(
                    json!({ "application_id": app.to_string(), "label": label, "prefix": prefix }),
                );
            let credential = db::applications::credential(tx, &app, &id)?
                .ok_or(DomainError::NotFound("credential"))?;
            Ok(Change::audited(credential, event))
        }))
        .await?;
    Ok(IssuedCredential { credential, secret })
}

#[tracing::instrument(skip_all, fields(application_id = %app))]
pub async fn revoke_credential(
    keys: &KeyWriter,
    owner: &Owner,
    app: ApplicationId,
    id: CredentialId,
) -> DomainResult<()> {
    keys.write(audited(owner.audit(), move |tx, now| {
        let cred = db::applications::credential(tx, &app, &id)?
            .ok_or(DomainError::NotFound("credential"))?;
        if cred.revoked_at.is_some() {
            return Err(DomainError::conflict(
                "credential_id",
                "the credential is already revoked",
            ));
        }
        db::applications::revoke_credential(tx, &id, now)?;
        let event = NewAuditEvent::new("credential.revoked")
            .target("credential", &id)
            .details(json!({ "application_id": app.to_string(), "label": cred.label }));
        Ok(Change::audited((), event))
    }))
    .await
}
