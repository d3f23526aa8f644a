//! What applications ask of a token after it was issued: introspection (RFC 7662), revocation
//! (RFC 7009), userinfo, and the check of an application's own token on `/api/v1/app/*`.
//! Each answer follows the live state: a revoked token, a disabled user, a suspended company or
//! a revoked link makes a token inactive at once, whatever its `exp` says.

use serde_json::{json, Value};

use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::db::Store;
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, UserId};
use crate::metrics::Metrics;
use crate::oidc::claims::{AccessClaims, APP_TOKEN, USER_TOKEN};
use crate::oidc::scope;
use crate::oidc::signing::JwtRefused;

use super::client_auth::Client;
use super::grants::{app_audience, REFRESH_PREFIX};
use super::subject;
use super::Oidc;

fn inactive() -> Value {
    json!({ "active": false })
}

/// A user's access token, checked: signature, issuer, expiry, audience (when given), not
/// revoked.
fn user_access(oidc: &Oidc, jwt: &str, audience: Option<&str>) -> Result<AccessClaims, JwtRefused> {
    let auds = audience.map(|a| [a]);
    let claims: AccessClaims =
        oidc.keys
            .verify(jwt, oidc.issuer(), auds.as_ref().map(|a| a.as_slice()))?;
    if claims.token_use != USER_TOKEN || oidc.is_revoked(&claims.jti) {
        return Err(JwtRefused::Invalid);
    }
    Ok(claims)
}

/// RFC 7662: only tokens issued to the asking client are described.
pub async fn introspect(
    store: &Store,
    oidc: &Oidc,
    client: &Client,
    presented: &str,
) -> DomainResult<Value> {
    let app = client.app.clone();
    if presented.starts_with(REFRESH_PREFIX) {
        let hash = token::digest(presented);
        return store
            .read(move |c| {
                let Some(row) = db::oidc::refresh(c, &hash)? else {
                    return Ok(inactive());
                };
                let now = now_ms();
                if row.application_id != app
                    || row.used_at.is_some()
                    || row.revoked_at.is_some()
                    || row.expires_at <= now
                {
                    return Ok(inactive());
                }
                let Ok(s) = subject::check(c, &row.user_id, &app)? else {
                    return Ok(inactive());
                };
                Ok(json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "client_id": app.to_string(),
                    "sub": row.user_id.to_string(),
                    "scope": row.scope,
                    "exp": row.expires_at / 1000,
                    "company_id": s.person.company_id,
                    "company_slug": s.person.company_slug,
                }))
            })
            .await;
    }
    let Ok(claims) = user_access(oidc, presented, Some(app.as_str())) else {
        return Ok(inactive());
    };
    let Some(user) = UserId::parse(&claims.sub) else {
        return Ok(inactive());
    };
    let live = store.read(move |c| subject::check(c, &user, &app)).await?;
    let Ok(s) = live else {
        return Ok(inactive());
    };
    Ok(json!({
        "active": true,
        "token_type": "Bearer",
        "client_id": claims.client_id,
        "sub": claims.sub,
        "aud": claims.aud,
        "iss": claims.iss,
        "scope": claims.scope,
        "exp": claims.exp,
        "iat": claims.iat,
        "jti": claims.jti,
        "email": s.person.email,
        "company_id": s.person.company_id,
        "company_slug": s.person.company_slug,
        "role": s.person.role,
        "roles": s.person.roles,
    }))
}

/// RFC 7009: a refresh token ends its family; an access token is remembered as revoked until
/// it expires. Unknown tokens and other clients' tokens are ignored, as the RFC asks.
pub async fn revoke(
    store: &Store,
    oidc: &Oidc,
    metrics: &Metrics,
    client: &Client,
    presented: &str,
) -> DomainResult<()> {
    let app = client.app.clone();
    let ctx = AuditCtx {
        actor: Actor::Application(app.to_string()),
        ip: None,
    };
    if presented.starts_with(REFRESH_PREFIX) {
        let hash = token::digest(presented);
        let ended = store
            .write(move |tx| {
                let Some(row) = db::oidc::refresh(tx, &hash)? else {
                    return Ok(false);
                };
                if row.application_id != app {
                    return Ok(false);
                }
                let now = now_ms();
                let n = db::oidc::revoke_family(tx, &row.family_id, now)?;
                let event = NewAuditEvent::new("oidc.token_revoked")
                    .company(&row.company_id)
                    .target("user", &row.user_id)
                    .details(json!({ "token_type": "refresh_token", "revoked": n }));
                db::audit::insert(tx, &ctx, &event, now)?;
                Ok(true)
            })
            .await?;
        if ended {
            metrics.oidc("revoked");
        }
        return Ok(());
    }
    // Expired tokens need no revoking; a token for another audience is not this client's.
    let claims: AccessClaims = match oidc.keys.verify(presented, oidc.issuer(), None) {
        Ok(c) => c,
        Err(_) => return Ok(()),
    };
    if claims.client_id != app.as_str() {
        return Ok(());
    }
    let jti = claims.jti.clone();
    let exp_ms = claims.exp * 1000;
    let kind = if claims.token_use == APP_TOKEN {
        "application"
    } else {
        "user"
    };
    let sub = claims.sub.clone();
    store
        .write(move |tx| {
            let now = now_ms();
            db::oidc::revoke_jti(tx, &jti, exp_ms, now)?;
            let event = NewAuditEvent::new("oidc.token_revoked")
                .target(kind, sub.clone())
                .details(json!({ "token_type": "access_token" }));
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    oidc.remember_revoked(claims.jti, exp_ms);
    metrics.oidc("revoked");
    Ok(())
}

/// The userinfo endpoint: claims about the token's user, as they stand now.
pub async fn userinfo(store: &Store, oidc: &Oidc, jwt: &str) -> DomainResult<Value> {
    let claims =
        user_access(oidc, jwt, None).map_err(|e| DomainError::Unauthorized(e.to_string()))?;
    let refused = || DomainError::Unauthorized("the token is no longer valid".into());
    let user = UserId::parse(&claims.sub).ok_or_else(refused)?;
    let app = ApplicationId::parse(&claims.client_id).ok_or_else(refused)?;
    let s = store
        .read(move |c| subject::check(c, &user, &app))
        .await?
        .map_err(|_| refused())?;
    let mut out = json!({
        "sub": claims.sub,
        "company_id": s.person.company_id,
        "company_slug": s.person.company_slug,
        "role": s.person.role,
        "roles": s.person.roles,
    });
    if scope::has(&claims.scope, "email") {
        out["email"] = json!(s.person.email);
        out["email_verified"] = json!(s.email_verified);
    }
    if scope::has(&claims.scope, "profile") {
        out["name"] = json!(s.person.name);
    }
    Ok(out)
}

/// An application's own access token (client credentials) on `/api/v1/app/*`: the application
/// and the credential that obtained it.
pub fn app_token(oidc: &Oidc, jwt: &str) -> Result<AccessClaims, JwtRefused> {
    let aud = app_audience(oidc);
    let claims: AccessClaims = oidc
        .keys
        .verify(jwt, oidc.issuer(), Some(&[aud.as_str()]))?;
    if claims.token_use != APP_TOKEN || oidc.is_revoked(&claims.jti) {
        return Err(JwtRefused::Invalid);
    }
    Ok(claims)
}

/// Loads the revoked access tokens into memory at start.
pub async fn load_revoked(store: &Store, oidc: &Oidc) -> DomainResult<()> {
    let now = now_ms();
    let rows = store.read(move |c| db::oidc::revoked_jtis(c, now)).await?;
    for (jti, exp) in rows {
        oidc.remember_revoked(jti, exp);
    }
    Ok(())
}

/// The user and client an ID token names, for RP-initiated logout. An expired hint is fine:
/// logging out after the token expired is the common case.
pub fn id_token_hint(oidc: &Oidc, jwt: &str) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Hint {
        sub: String,
        aud: String,
    }
    oidc.keys
        .verify_ignoring_expiry::<Hint>(jwt, oidc.issuer())
        .ok()
        .map(|h| (h.sub, h.aud))
}
