//! SQL for the OpenID provider: client settings, pending authorization requests, codes,
//! refresh-token families, revoked access tokens, consents and seen client assertions.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CompanyId, UserId};
use crate::oidc::client::ClientSettings;

pub fn client(conn: &Db, app: &ApplicationId) -> DomainResult<Option<ClientSettings>> {
    Ok(conn
        .query_row(
            "SELECT redirect_uris, post_logout_redirect_uris, access_token_ttl, id_token_ttl,
             refresh_token_ttl, jwk FROM oidc_clients WHERE application_id = ?1",
            [app],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )
        .optional()?
        .map(
            |(redirects, logouts, access, id, refresh, jwk)| ClientSettings {
                redirect_uris: serde_json::from_str(&redirects).unwrap_or_default(),
                post_logout_redirect_uris: serde_json::from_str(&logouts).unwrap_or_default(),
                access_token_ttl: access,
                id_token_ttl: id,
                refresh_token_ttl: refresh,
                jwk: jwk.and_then(|j| serde_json::from_str(&j).ok()),
            },
        ))
}

pub fn put_client(
    conn: &Db,
    app: &ApplicationId,
    c: &ClientSettings,
    now: i64,
) -> DomainResult<()> {
    let redirects = serde_json::to_string(&c.redirect_uris).unwrap_or_else(|_| "[]".into());
    let logouts =
        serde_json::to_string(&c.post_logout_redirect_uris).unwrap_or_else(|_| "[]".into());
    let jwk = c.jwk.as_ref().map(|j| j.to_string());
    super::cached_execute(
        conn,
        "INSERT INTO oidc_clients (application_id, redirect_uris, post_logout_redirect_uris,
         access_token_ttl, id_token_ttl, refresh_token_ttl, jwk, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (application_id) DO UPDATE SET redirect_uris = ?2,
         post_logout_redirect_uris = ?3, access_token_ttl = ?4, id_token_ttl = ?5,
         refresh_token_ttl = ?6, jwk = ?7, updated_at = ?8",
        params![
            app,
            redirects,
            logouts,
            c.access_token_ttl,
            c.id_token_ttl,
            c.refresh_token_ttl,
            jwk,
            now
        ],
    )?;
    Ok(())
}

/// The longest access or ID token lifetime any client has: how long a retired signing key
/// must stay published.
pub fn longest_token_ttl(conn: &Db) -> DomainResult<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(MAX(access_token_ttl, id_token_ttl)), 0) FROM oidc_clients",
        [],
        |r| r.get(0),
    )?)
}

/// An authorization request waiting on the hosted sign-in page.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: String,
    pub application_id: ApplicationId,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub company_id: Option<CompanyId>,
    pub login_hint: Option<String>,
    pub prompt: Option<String>,
    pub expires_at: i64,
}

pub fn insert_request(conn: &Db, r: &RequestRow, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM oidc_requests WHERE expires_at <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT INTO oidc_requests (id, application_id, redirect_uri, scope, state, nonce,
         code_challenge, company_id, login_hint, prompt, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            r.id,
            r.application_id,
            r.redirect_uri,
            r.scope,
            r.state,
            r.nonce,
            r.code_challenge,
            r.company_id,
            r.login_hint,
            r.prompt,
            now,
            r.expires_at
        ],
    )?;
    Ok(())
}

pub fn request(conn: &Db, id: &str, now: i64) -> DomainResult<Option<RequestRow>> {
    Ok(conn
        .query_row(
            "SELECT id, application_id, redirect_uri, scope, state, nonce, code_challenge,
             company_id, login_hint, prompt, expires_at FROM oidc_requests
             WHERE id = ?1 AND expires_at > ?2",
            params![id, now],
            |r| {
                Ok(RequestRow {
                    id: r.get(0)?,
                    application_id: r.get(1)?,
                    redirect_uri: r.get(2)?,
                    scope: r.get(3)?,
                    state: r.get(4)?,
                    nonce: r.get(5)?,
                    code_challenge: r.get(6)?,
                    company_id: r.get(7)?,
                    login_hint: r.get(8)?,
                    prompt: r.get(9)?,
                    expires_at: r.get(10)?,
                })
            },
        )
        .optional()?)
}

pub fn delete_request(conn: &Db, id: &str) -> DomainResult<bool> {
    Ok(super::cached_execute(conn, "DELETE FROM oidc_requests WHERE id = ?1", [id])? == 1)
}

/// An authorization code as stored.
#[derive(Clone, Debug)]
pub struct CodeRow {
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub family_id: Option<String>,
    /// The access token the code gave: its `jti` and expiry (ms).
    pub access: Option<(String, i64)>,
}

pub fn insert_code(conn: &Db, hash: &TokenHash, c: &CodeRow, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM oidc_codes WHERE expires_at + 86400000 <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT INTO oidc_codes (code_hash, application_id, user_id, company_id, redirect_uri,
         scope, nonce, code_challenge, auth_time, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            hash.as_slice(),
            c.application_id,
            c.user_id,
            c.company_id,
            c.redirect_uri,
            c.scope,
            c.nonce,
            c.code_challenge,
            c.auth_time,
            now,
            c.expires_at
        ],
    )?;
    Ok(())
}

pub fn code(conn: &Db, hash: &TokenHash) -> DomainResult<Option<CodeRow>> {
    Ok(conn
        .query_row(
            "SELECT application_id, user_id, company_id, redirect_uri, scope, nonce,
             code_challenge, auth_time, expires_at, used_at, family_id, access_jti,
             access_expires_at FROM oidc_codes WHERE code_hash = ?1",
            [hash.as_slice()],
            |r| {
                Ok(CodeRow {
                    application_id: r.get(0)?,
                    user_id: r.get(1)?,
                    company_id: r.get(2)?,
                    redirect_uri: r.get(3)?,
                    scope: r.get(4)?,
                    nonce: r.get(5)?,
                    code_challenge: r.get(6)?,
                    auth_time: r.get(7)?,
                    expires_at: r.get(8)?,
                    used_at: r.get(9)?,
                    family_id: r.get(10)?,
                    access: match (
                        r.get::<_, Option<String>>(11)?,
                        r.get::<_, Option<i64>>(12)?,
                    ) {
                        (Some(j), Some(e)) => Some((j, e)),
                        _ => None,
                    },
                })
            },
        )
        .optional()?)
}

/// Marks a code used, if it was not, with what it gave: false means it already was.
pub fn use_code(
    conn: &Db,
    hash: &TokenHash,
    family: &str,
    access: (&str, i64),
    now: i64,
) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "UPDATE oidc_codes SET used_at = ?2, family_id = ?3, access_jti = ?4,
         access_expires_at = ?5 WHERE code_hash = ?1 AND used_at IS NULL",
        params![hash.as_slice(), now, family, access.0, access.1],
    )? == 1)
}

/// A refresh token as stored.
#[derive(Clone, Debug)]
pub struct RefreshRow {
    pub family_id: String,
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub scope: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub fn insert_refresh(conn: &Db, hash: &TokenHash, r: &RefreshRow, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO oidc_refresh_tokens (token_hash, family_id, application_id, user_id,
         company_id, scope, auth_time, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            hash.as_slice(),
            r.family_id,
            r.application_id,
            r.user_id,
            r.company_id,
            r.scope,
            r.auth_time,
            now,
            r.expires_at
        ],
    )?;
    Ok(())
}

pub fn refresh(conn: &Db, hash: &TokenHash) -> DomainResult<Option<RefreshRow>> {
    Ok(conn
        .query_row(
            "SELECT family_id, application_id, user_id, company_id, scope, auth_time,
             expires_at, used_at, revoked_at FROM oidc_refresh_tokens WHERE token_hash = ?1",
            [hash.as_slice()],
            |r| {
                Ok(RefreshRow {
                    family_id: r.get(0)?,
                    application_id: r.get(1)?,
                    user_id: r.get(2)?,
                    company_id: r.get(3)?,
                    scope: r.get(4)?,
                    auth_time: r.get(5)?,
                    expires_at: r.get(6)?,
                    used_at: r.get(7)?,
                    revoked_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// Marks a refresh token used, if it was not and is not revoked.
pub fn use_refresh(conn: &Db, hash: &TokenHash, now: i64) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "UPDATE oidc_refresh_tokens SET used_at = ?2
         WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL",
        params![hash.as_slice(), now],
    )? == 1)
}

/// Revokes every token of a family; returns how many were still live.
pub fn revoke_family(conn: &Db, family: &str, now: i64) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE oidc_refresh_tokens SET revoked_at = ?2
         WHERE family_id = ?1 AND revoked_at IS NULL",
        params![family, now],
    )?)
}

/// Revokes a user's refresh tokens (all applications when `app` is `None`).
pub fn revoke_for_user(
    conn: &Db,
    user: &UserId,
    app: Option<&ApplicationId>,
    now: i64,
) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE oidc_refresh_tokens SET revoked_at = ?3
         WHERE user_id = ?1 AND (?2 IS NULL OR application_id = ?2) AND revoked_at IS NULL",
        params![user, app, now],
    )?)
}

/// Revokes the refresh tokens a company's users hold (for one application, or all).
pub fn revoke_for_company(
    conn: &Db,
    company: &CompanyId,
    app: Option<&ApplicationId>,
    now: i64,
) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE oidc_refresh_tokens SET revoked_at = ?3
         WHERE company_id = ?1 AND (?2 IS NULL OR application_id = ?2) AND revoked_at IS NULL",
        params![company, app, now],
    )?)
}

pub fn revoke_jti(conn: &Db, jti: &str, expires_at: i64, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM oidc_revoked_tokens WHERE expires_at <= ?1",
        [now],
    )?;
    super::cached_execute(
        conn,
        "INSERT OR IGNORE INTO oidc_revoked_tokens (jti, expires_at) VALUES (?1, ?2)",
        params![jti, expires_at],
    )?;
    Ok(())
}

pub fn jti_revoked(conn: &Db, jti: &str) -> DomainResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM oidc_revoked_tokens WHERE jti = ?1",
            [jti],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The scopes a user has agreed to give an application, space-separated.
pub fn consent(conn: &Db, user: &UserId, app: &ApplicationId) -> DomainResult<String> {
    Ok(conn
        .query_row(
            "SELECT scope FROM oidc_consents WHERE user_id = ?1 AND application_id = ?2",
            params![user, app],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

pub fn put_consent(
    conn: &Db,
    user: &UserId,
    app: &ApplicationId,
    scope: &str,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO oidc_consents (user_id, application_id, scope, granted_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id, application_id) DO UPDATE SET scope = ?3, granted_at = ?4",
        params![user, app, scope, now],
    )?;
    Ok(())
}

/// Records a client assertion's `jti`; false when it was seen before.
pub fn first_assertion(conn: &Db, jti: &str, expires_at: i64, now: i64) -> DomainResult<bool> {
    super::cached_execute(
        conn,
        "DELETE FROM oidc_assertions WHERE expires_at <= ?1",
        [now],
    )?;
    Ok(super::cached_execute(
        conn,
        "INSERT OR IGNORE INTO oidc_assertions (jti, expires_at) VALUES (?1, ?2)",
        params![jti, expires_at],
    )? == 1)
}

/// What decides whether a user may sign in to an application right now.
pub struct SubjectRow {
    pub user_status: String,
    pub company_id: Option<CompanyId>,
    pub company_status: Option<String>,
    pub company_slug: Option<String>,
    pub email: String,
    pub name: String,
    pub role: String,
    pub email_verified: bool,
    pub linked: bool,
}

pub fn subject(conn: &Db, user: &UserId, app: &ApplicationId) -> DomainResult<Option<SubjectRow>> {
    Ok(conn
        .query_row(
            "SELECT u.status, u.company_id, c.status, c.slug, armario_open('users', 'email', u.company_id, u.email),
                    armario_open('users', 'name', u.company_id, u.name), u.role,
                    u.email_verified_at IS NOT NULL,
                    EXISTS (SELECT 1 FROM links l WHERE l.company_id = u.company_id
                            AND l.application_id = ?2)
             FROM users u LEFT JOIN companies c ON c.id = u.company_id WHERE u.id = ?1",
            params![user, app],
            |r| {
                Ok(SubjectRow {
                    user_status: r.get(0)?,
                    company_id: r.get(1)?,
                    company_status: r.get(2)?,
                    company_slug: r.get(3)?,
                    email: r.get(4)?,
                    name: r.get(5)?,
                    role: r.get(6)?,
                    email_verified: r.get(7)?,
                    linked: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// Revoked access tokens not yet expired.
pub fn revoked_jtis(conn: &Db, now: i64) -> DomainResult<Vec<(String, i64)>> {
    let mut stmt =
        conn.prepare("SELECT jti, expires_at FROM oidc_revoked_tokens WHERE expires_at > ?1")?;
    let rows = stmt
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
