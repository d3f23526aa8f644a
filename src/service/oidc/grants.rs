//! The token endpoint's grants: an authorization code (with its PKCE verifier), a refresh token
//! (rotated on every use; a reused one ends its whole family) and client credentials.

use serde::Serialize;
use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::token::{self, TokenHash};
use crate::db;
use crate::db::oidc::RefreshRow;
use crate::db::Store;
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use crate::error::DomainResult;
use crate::metrics::Metrics;
use crate::oidc::claims::{AccessClaims, IdClaims, ACCESS_TYP, APP_TOKEN, USER_TOKEN};
use crate::oidc::{pkce, scope};

use super::client_auth::Client;
use super::subject::{self, Subject};
use super::Oidc;

pub const REFRESH_PREFIX: &str = "arm_rt_";

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// An error response (RFC 6749 §5.2).
#[derive(Debug)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

fn grant_error(description: impl Into<String>) -> OAuthError {
    OAuthError {
        error: "invalid_grant",
        description: description.into(),
    }
}

/// The grant's parameters.
#[derive(Debug, Default, serde::Deserialize)]
pub struct TokenParams {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Signs a user's access token (with `jti`) and, for `openid`, their ID token.
fn user_tokens(
    oidc: &Oidc,
    client: &Client,
    subject: &Subject,
    scope_str: &str,
    nonce: Option<String>,
    auth_time: i64,
    jti: String,
) -> DomainResult<(String, Option<String>)> {
    let now = now_ms() / 1000;
    let aud = client.app.to_string();
    let access = AccessClaims {
        iss: oidc.issuer().to_string(),
        sub: subject.user_id.to_string(),
        aud: aud.clone(),
        exp: now + client.settings.access_token_ttl,
        iat: now,
        jti,
        client_id: aud.clone(),
        scope: scope_str.to_string(),
        token_use: USER_TOKEN.into(),
        cred: None,
        person: Some(subject.person.clone()),
    };
    let access = oidc.keys.sign(&access, ACCESS_TYP)?;
    let id = if scope::has(scope_str, "openid") {
        let claims = IdClaims {
            iss: oidc.issuer().to_string(),
            sub: subject.user_id.to_string(),
            aud: aud.clone(),
            exp: now + client.settings.id_token_ttl,
            iat: now,
            auth_time,
            nonce,
            azp: aud,
            email_verified: subject.email_verified,
            person: subject.person.clone(),
        };
        Some(oidc.keys.sign(&claims, "JWT")?)
    } else {
        None
    };
    Ok((access, id))
}

fn app_ctx(client: &Client) -> AuditCtx {
    AuditCtx {
        actor: Actor::Application(client.app.to_string()),
        ip: None,
    }
}

/// `grant_type=authorization_code`.
pub async fn authorization_code(
    store: &Store,
    oidc: &Oidc,
    metrics: &Metrics,
    client: Client,
    p: TokenParams,
) -> DomainResult<Result<TokenResponse, OAuthError>> {
    let (Some(code), Some(redirect_uri), Some(verifier)) =
        (p.code, p.redirect_uri, p.code_verifier)
    else {
        return Ok(Err(OAuthError {
            error: "invalid_request",
            description: "code, redirect_uri and code_verifier are required".into(),
        }));
    };
    let hash = token::digest(&code);
    let family = uuid::Uuid::now_v7().simple().to_string();
    let (refresh, refresh_hash) = token::generate(REFRESH_PREFIX);
    let app = client.app.clone();
    let ttl_ms = client.settings.refresh_token_ttl * 1000;
    let ctx = app_ctx(&client);
    let jti = new_jti();
    let access_exp_ms = (now_ms() / 1000 + client.settings.access_token_ttl + 1) * 1000;
    let access = (jti.clone(), access_exp_ms);
    let outcome = store
        .write(move |tx| {
            let now = now_ms();
            let Some(row) = db::oidc::code(tx, &hash)? else {
                return Ok(Err((grant_error("the code is unknown"), None)));
            };
            if row.application_id != app {
                return Ok(Err((
                    grant_error("the code was issued to another client"),
                    None,
                )));
            }
            if row.used_at.is_some() {
                // A replayed code: whatever it gave is suspect (RFC 6749 §4.1.2), the refresh
                // tokens and the access token alike.
                if let Some(f) = &row.family_id {
                    db::oidc::revoke_family(tx, f, now)?;
                }
                if let Some((jti, exp)) = &row.access {
                    db::oidc::revoke_jti(tx, jti, *exp, now)?;
                }
                let event = NewAuditEvent::new("oidc.code_reused")
                    .company(&row.company_id)
                    .target("user", &row.user_id);
                db::audit::insert(tx, &ctx, &event, now)?;
                return Ok(Err((grant_error("the code was already used"), row.access)));
            }
            if row.expires_at <= now {
                return Ok(Err((grant_error("the code has expired"), None)));
            }
            if row.redirect_uri != redirect_uri {
                return Ok(Err((
                    grant_error("redirect_uri does not match the request's"),
                    None,
                )));
            }
            if !pkce::verify(&verifier, &row.code_challenge) {
                return Ok(Err((
                    grant_error("code_verifier does not match the challenge"),
                    None,
                )));
            }
            db::oidc::use_code(tx, &hash, &family, (&access.0, access.1), now)?;
            let subject = match subject::check(tx, &row.user_id, &app)? {
                Ok(s) => s,
                Err(r) => return Ok(Err((grant_error(r.message()), None))),
            };
            let offline = scope::has(&row.scope, "offline_access");
            if offline {
                let r = RefreshRow {
                    family_id: family.clone(),
                    application_id: app.clone(),
                    user_id: row.user_id.clone(),
                    company_id: row.company_id.clone(),
                    scope: row.scope.clone(),
                    auth_time: row.auth_time,
                    expires_at: now + ttl_ms,
                    used_at: None,
                    revoked_at: None,
                };
                db::oidc::insert_refresh(tx, &refresh_hash, &r, now)?;
            }
            Ok(Ok((subject, row, offline)))
        })
        .await?;
    let (subject, row, offline) = match outcome {
        Ok(v) => v,
        Err((e, replayed)) => {
            if let Some((jti, exp)) = replayed {
                oidc.remember_revoked(jti, exp);
            }
            return Ok(Err(e));
        }
    };
    let (access, id) = user_tokens(
        oidc,
        &client,
        &subject,
        &row.scope,
        row.nonce,
        row.auth_time,
        jti,
    )?;
    metrics.oidc("code_exchanged");
    Ok(Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: client.settings.access_token_ttl,
        scope: row.scope,
        id_token: id,
        refresh_token: offline.then_some(refresh),
    }))
}

/// `grant_type=refresh_token`.
pub async fn refresh_token(
    store: &Store,
    oidc: &Oidc,
    metrics: &Metrics,
    client: Client,
    p: TokenParams,
) -> DomainResult<Result<TokenResponse, OAuthError>> {
    let Some(presented) = p.refresh_token else {
        return Ok(Err(OAuthError {
            error: "invalid_request",
            description: "refresh_token is required".into(),
        }));
    };
    let hash: TokenHash = token::digest(&presented);
    let (next, next_hash) = token::generate(REFRESH_PREFIX);
    let app = client.app.clone();
    let ttl_ms = client.settings.refresh_token_ttl * 1000;
    let ctx = app_ctx(&client);
    let outcome = store
        .write(move |tx| {
            let now = now_ms();
            let Some(row) = db::oidc::refresh(tx, &hash)? else {
                return Ok(Err((grant_error("the refresh token is unknown"), false)));
            };
            if row.application_id != app {
                return Ok(Err((
                    grant_error("the refresh token was issued to another client"),
                    false,
                )));
            }
            if row.revoked_at.is_some() {
                return Ok(Err((grant_error("the refresh token was revoked"), false)));
            }
            if row.used_at.is_some() {
                // Rotation means a used token only comes back when it was copied: end the
                // family, so neither the thief nor the owner keeps a live token.
                let ended = db::oidc::revoke_family(tx, &row.family_id, now)?;
                let event = NewAuditEvent::new("oidc.refresh_reused")
                    .company(&row.company_id)
                    .target("user", &row.user_id)
                    .details(json!({ "family_revoked": ended }));
                db::audit::insert(tx, &ctx, &event, now)?;
                return Ok(Err((
                    grant_error("the refresh token was already used; its family is revoked"),
                    true,
                )));
            }
            if row.expires_at <= now {
                return Ok(Err((grant_error("the refresh token has expired"), false)));
            }
            let subject = match subject::check(tx, &row.user_id, &app)? {
                Ok(s) => s,
                Err(r) => {
                    db::oidc::revoke_family(tx, &row.family_id, now)?;
                    return Ok(Err((grant_error(r.message()), false)));
                }
            };
            db::oidc::use_refresh(tx, &hash, now)?;
            let new_row = RefreshRow {
                expires_at: now + ttl_ms,
                used_at: None,
                revoked_at: None,
                ..row.clone()
            };
            db::oidc::insert_refresh(tx, &next_hash, &new_row, now)?;
            Ok(Ok((subject, row)))
        })
        .await?;
    let (subject, row) = match outcome {
        Ok(v) => v,
        Err((e, reused)) => {
            if reused {
                metrics.oidc("refresh_reused");
            }
            return Ok(Err(e));
        }
    };
    let (access, id) = user_tokens(
        oidc,
        &client,
        &subject,
        &row.scope,
        None,
        row.auth_time,
        new_jti(),
    )?;
    metrics.oidc("refreshed");
    Ok(Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: client.settings.access_token_ttl,
        scope: row.scope,
        id_token: id,
        refresh_token: Some(next),
    }))
}

/// `grant_type=client_credentials`: the application's own token for `/api/v1/app/*`.
pub fn client_credentials(
    oidc: &Oidc,
    metrics: &Metrics,
    client: &Client,
) -> DomainResult<Result<TokenResponse, OAuthError>> {
    let now = now_ms() / 1000;
    let ttl = client.settings.access_token_ttl;
    let claims = AccessClaims {
        iss: oidc.issuer().to_string(),
        sub: client.app.to_string(),
        aud: app_audience(oidc),
        exp: now + ttl,
        iat: now,
        jti: new_jti(),
        client_id: client.app.to_string(),
        scope: String::new(),
        token_use: APP_TOKEN.into(),
        cred: client.credential.as_ref().map(|c| c.to_string()),
        person: None,
    };
    let access = oidc.keys.sign(&claims, ACCESS_TYP)?;
    metrics.oidc("client_credentials");
    Ok(Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: ttl,
        scope: String::new(),
        id_token: None,
        refresh_token: None,
    }))
}

/// The audience of applications' own tokens: armario's application API.
pub fn app_audience(oidc: &Oidc) -> String {
    oidc.endpoint("/api/v1/app")
}
