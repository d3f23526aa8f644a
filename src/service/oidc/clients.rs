//! An application's OpenID client settings, managed by the owner.

use serde_json::json;

use crate::access::Owner;
use crate::clock::now_ms;
use crate::db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::error::{DomainError, DomainResult};
use crate::ids::ApplicationId;
use crate::oidc::client::ClientSettings;

/// The settings, or the defaults (no redirect URI: nobody can sign in yet).
pub async fn get(
    store: &Store,
    _owner: &Owner,
    app: ApplicationId,
) -> DomainResult<ClientSettings> {
    store
        .read(move |c| {
            db::applications::get(c, &app)?.ok_or(DomainError::NotFound("application"))?;
            Ok(db::oidc::client(c, &app)?.unwrap_or_default())
        })
        .await
}

/// Replaces the settings after checking every field.
pub async fn put(
    store: &Store,
    owner: &Owner,
    app: ApplicationId,
    settings: ClientSettings,
) -> DomainResult<ClientSettings> {
    let settings = settings.validate()?;
    let ctx = owner.audit();
    store
        .write(move |tx| {
            db::applications::get(tx, &app)?.ok_or(DomainError::NotFound("application"))?;
            let now = now_ms();
            db::oidc::put_client(tx, &app, &settings, now)?;
            // URIs are not secret; the key is public. Counts keep the event short.
            let event = NewAuditEvent::new("application.oidc_changed")
                .target("application", &app)
                .details(json!({
                    "redirect_uris": settings.redirect_uris,
                    "post_logout_redirect_uris": settings.post_logout_redirect_uris,
                    "access_token_ttl": settings.access_token_ttl,
                    "id_token_ttl": settings.id_token_ttl,
                    "refresh_token_ttl": settings.refresh_token_ttl,
                    "private_key_jwt": settings.jwk.is_some(),
                }));
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(settings.clone())
        })
        .await
}
