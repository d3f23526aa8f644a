//! SQL for applications and their credentials.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::{Db, Row};
use crate::domain::application::{
    AppStatus, Application, ApplicationPatch, Credential, NewApplication,
};
use crate::domain::Page;
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CredentialId};

fn app_from_row(r: &Row<'_>) -> rusqlite::Result<Application> {
    let status: String = r.get(4)?;
    Ok(Application {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        contact_email: r.get(3)?,
        status: AppStatus::parse(&status).unwrap_or(AppStatus::Disabled),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

const APP_COLUMNS: &str = "id, name, description, contact_email, status, created_at, updated_at";

pub fn insert(conn: &Db, id: &ApplicationId, a: &NewApplication, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO applications (id, name, description, contact_email, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?5)",
        params![id, a.name, a.description, a.contact_email, now],
    )?;
    Ok(())
}

pub fn get(conn: &Db, id: &ApplicationId) -> DomainResult<Option<Application>> {
    let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE id = ?1");
    Ok(super::cached_row(conn, &sql, [id], app_from_row).optional()?)
}

/// A page of applications in id order.
pub fn list(
    conn: &Db,
    after: Option<&ApplicationId>,
    limit: u32,
) -> DomainResult<Page<Application>> {
    let sql = format!(
        "SELECT {APP_COLUMNS} FROM applications WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![after, limit + 1],
        limit,
        app_from_row,
        |a| a.id.to_string(),
    )
}

pub fn update(conn: &Db, id: &ApplicationId, p: &ApplicationPatch, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE applications SET name = COALESCE(?2, name),
            description = CASE WHEN ?3 THEN ?4 ELSE description END,
            contact_email = CASE WHEN ?5 THEN ?6 ELSE contact_email END,
            status = COALESCE(?7, status), updated_at = ?8
         WHERE id = ?1",
        params![
            id,
            p.name,
            p.description.is_some(),
            p.description.clone().flatten(),
            p.contact_email.is_some(),
            p.contact_email.clone().flatten(),
            p.status.map(AppStatus::as_str),
            now
        ],
    )?;
    Ok(())
}

pub fn delete(conn: &Db, id: &ApplicationId) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM applications WHERE id = ?1", [id])?;
    Ok(())
}

pub fn count(conn: &Db) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM applications",
        [],
        |r| r.get(0),
    )?)
}

fn cred_from_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    Ok(Credential {
        id: r.get(0)?,
        application_id: r.get(1)?,
        label: r.get(2)?,
        key_prefix: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
        last_used_at: r.get(6)?,
        last_used_ip: r.get(7)?,
        created_at: r.get(8)?,
    })
}

const CRED_COLUMNS: &str =
    "id, application_id, label, key_prefix, expires_at, revoked_at, last_used_at, last_used_ip, created_at";

pub struct InsertCredential<'a> {
    pub id: &'a CredentialId,
    pub application_id: &'a ApplicationId,
    pub label: &'a str,
    pub key_hash: &'a TokenHash,
    pub key_prefix: &'a str,
    pub expires_at: Option<i64>,
}

pub fn insert_credential(conn: &Db, c: &InsertCredential<'_>, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO app_credentials (id, application_id, label, key_hash, key_prefix, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![c.id, c.application_id, c.label, &c.key_hash[..], c.key_prefix, c.expires_at, now],
    )?;
    Ok(())
}

/// A page of one application's credentials in id order.
pub fn credentials(
    conn: &Db,
    app: &ApplicationId,
    after: Option<&CredentialId>,
    limit: u32,
) -> DomainResult<Page<Credential>> {
    let sql = format!(
        "SELECT {CRED_COLUMNS} FROM app_credentials WHERE application_id = ?1 \
         AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![app, after, limit + 1],
        limit,
        cred_from_row,
        |c| c.id.to_string(),
    )
}

pub fn credential(
    conn: &Db,
    app: &ApplicationId,
    id: &CredentialId,
) -> DomainResult<Option<Credential>> {
    let sql =
        format!("SELECT {CRED_COLUMNS} FROM app_credentials WHERE id = ?1 AND application_id = ?2");
    Ok(super::cached_row(conn, &sql, params![id, app], cred_from_row).optional()?)
}

pub fn revoke_credential(conn: &Db, id: &CredentialId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE app_credentials SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now],
    )?;
    Ok(())
}

/// One usable key for the in-memory directory.
pub struct LiveKey {
    pub key_hash: Vec<u8>,
    pub credential_id: CredentialId,
    pub application_id: ApplicationId,
    pub expires_at: Option<i64>,
    pub app_active: bool,
}

/// Every key not revoked, with its application's status.
pub fn live_keys(conn: &Db) -> DomainResult<Vec<LiveKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.key_hash, c.id, c.application_id, c.expires_at, a.status = 'active'
         FROM app_credentials c JOIN applications a ON a.id = c.application_id
         WHERE c.revoked_at IS NULL",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(LiveKey {
                key_hash: r.get(0)?,
                credential_id: r.get(1)?,
                application_id: r.get(2)?,
                expires_at: r.get(3)?,
                app_active: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records the latest use of credentials (flushed in batches).
pub fn touch_credential(
    conn: &Db,
    id: &CredentialId,
    at: i64,
    ip: Option<&str>,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE app_credentials SET last_used_at = ?2, last_used_ip = ?3 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
        params![id, at, ip],
    )?;
    Ok(())
}

/// The ids of every active application.
pub fn active_ids(conn: &Db) -> DomainResult<Vec<ApplicationId>> {
    let mut stmt = conn.prepare("SELECT id FROM applications WHERE status = 'active'")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}
