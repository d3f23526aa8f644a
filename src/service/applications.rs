//! Applications and their credentials, managed by the owner.

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::db::applications::InsertCredential;
use crate::domain::application::{Application, ApplicationPatch, Credential, NewApplication};
use crate::domain::audit::NewAuditEvent;
use crate::domain::validate;
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CredentialId};
use crate::service::AppState;

fn load(c: &rusqlite::Connection, id: &ApplicationId) -> DomainResult<Application> {
    db::applications::get(c, id)?.ok_or(DomainError::NotFound("application"))
}

pub async fn list(state: &AppState, who: &UserPrincipal) -> DomainResult<Vec<Application>> {
    who.require_owner()?;
    state.store.read(db::applications::list).await
}

pub async fn get(
    state: &AppState,
    who: &UserPrincipal,
    id: ApplicationId,
) -> DomainResult<Application> {
    who.require_owner()?;
    state.store.read(move |c| load(c, &id)).await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    who: &UserPrincipal,
    app: NewApplication,
) -> DomainResult<Application> {
    who.require_owner()?;
    let ctx = who.audit();
    let created = state
        .store
        .write(move |tx| {
            let id = ApplicationId::generate();
            let now = now_ms();
            db::applications::insert(tx, &id, &app, now)?;
            let event = NewAuditEvent::new("application.created")
                .target("application", &id)
                .details(json!({ "name": app.name }));
            db::audit::insert(tx, &ctx, &event, now)?;
            load(tx, &id)
        })
        .await?;
    Ok(created)
}

#[tracing::instrument(skip_all, fields(application_id = %id))]
pub async fn update(
    state: &AppState,
    who: &UserPrincipal,
    id: ApplicationId,
    patch: ApplicationPatch,
) -> DomainResult<Application> {
    who.require_owner()?;
    let ctx = who.audit();
    let updated = state
        .store
        .write(move |tx| {
            let current = load(tx, &id)?;
            let mut fields = patch.changed_fields(Some(&current));
            if fields.is_empty() {
                // Nothing changes, so there is nothing to audit.
                return Ok(current);
            }
            let now = now_ms();
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
            db::audit::insert(tx, &ctx, &event, now)?;
            load(tx, &id)
        })
        .await?;
    state.directory.reload(&state.store).await?;
    Ok(updated)
}

#[tracing::instrument(skip_all, fields(application_id = %id))]
pub async fn delete(state: &AppState, who: &UserPrincipal, id: ApplicationId) -> DomainResult<()> {
    who.require_owner()?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let app = load(tx, &id)?;
            db::applications::delete(tx, &id)?;
            let event = NewAuditEvent::new("application.deleted")
                .target("application", &id)
                .details(json!({ "name": app.name }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    state.directory.reload(&state.store).await
}

pub async fn credentials(
    state: &AppState,
    who: &UserPrincipal,
    app: ApplicationId,
) -> DomainResult<Vec<Credential>> {
    who.require_owner()?;
    state.usage.flush(&state.store).await?;
    state
        .store
        .read(move |c| {
            load(c, &app)?;
            db::applications::credentials(c, &app)
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
    state: &AppState,
    who: &UserPrincipal,
    app: ApplicationId,
    label: &str,
    expires_at: Option<i64>,
) -> DomainResult<IssuedCredential> {
    who.require_owner()?;
    let label = validate::required("label", label, 100)?;
    if expires_at.is_some_and(|e| e <= now_ms()) {
        return Err(DomainError::invalid("expires_at", "must be in the future"));
    }
    let (secret, hash) = token::generate(token::API_KEY_PREFIX);
    let prefix: String = secret
        .chars()
        .take(token::API_KEY_PREFIX.len() + 4)
        .collect();
    let ctx = who.audit();
    let credential = state
        .store
        .write(move |tx| {
            load(tx, &app)?;
            let id = CredentialId::generate();
            let now = now_ms();
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
            db::audit::insert(tx, &ctx, &event, now)?;
            db::applications::credential(tx, &app, &id)?.ok_or(DomainError::NotFound("credential"))
        })
        .await?;
    state.directory.reload(&state.store).await?;
    Ok(IssuedCredential { credential, secret })
}

#[tracing::instrument(skip_all, fields(application_id = %app))]
pub async fn revoke_credential(
    state: &AppState,
    who: &UserPrincipal,
    app: ApplicationId,
    id: CredentialId,
) -> DomainResult<()> {
    who.require_owner()?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let cred = db::applications::credential(tx, &app, &id)?
                .ok_or(DomainError::NotFound("credential"))?;
            if cred.revoked_at.is_some() {
                return Err(DomainError::conflict(
                    "credential_id",
                    "the credential is already revoked",
                ));
            }
            let now = now_ms();
            db::applications::revoke_credential(tx, &id, now)?;
            let event = NewAuditEvent::new("credential.revoked")
                .target("credential", &id)
                .details(json!({ "application_id": app.to_string(), "label": cred.label }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    state.directory.reload(&state.store).await
}
