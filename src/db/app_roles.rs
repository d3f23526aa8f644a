//! SQL for the roles applications declare and the grants of those roles to users.

use rusqlite::params;

use crate::db::sql::{Db, Row};
use crate::domain::app_role::{AppRole, RoleDecl};
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CompanyId, UserId};

fn from_row(r: &Row<'_>) -> rusqlite::Result<AppRole> {
    Ok(AppRole {
        application_id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// An application's declared roles, in key order (at most `MAX_ROLES`).
pub fn declared(conn: &Db, app: &ApplicationId) -> DomainResult<Vec<AppRole>> {
    let mut stmt = conn.prepare_cached(
        "SELECT application_id, key, name, description, created_at, updated_at FROM app_roles \
         WHERE application_id = ?1 ORDER BY key",
    )?;
    let rows = stmt
        .query_map([app], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Adds a role, or renames and redescribes one the application already declares (keeping
/// when it was first declared).
pub fn upsert(conn: &Db, app: &ApplicationId, r: &RoleDecl, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO app_roles (application_id, key, name, description, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (application_id, key) DO UPDATE SET \
         name = excluded.name, description = excluded.description, updated_at = excluded.updated_at",
        params![app, r.key, r.name, r.description, now],
    )?;
    Ok(())
}

/// Removes a role; its grants go with it (the foreign key cascades).
pub fn remove(conn: &Db, app: &ApplicationId, key: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM app_roles WHERE application_id = ?1 AND key = ?2",
        params![app, key],
    )?;
    Ok(())
}

/// Who holds a role of an application, with their company (for the audit of a removal).
pub fn holders(
    conn: &Db,
    app: &ApplicationId,
    key: &str,
) -> DomainResult<Vec<(UserId, Option<CompanyId>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.user_id, u.company_id FROM user_app_roles g JOIN users u ON u.id = g.user_id \
         WHERE g.application_id = ?1 AND g.role_key = ?2 ORDER BY g.user_id",
    )?;
    let rows = stmt
        .query_map(params![app, key], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The keys of an application's roles granted to a user, sorted, whatever the link.
pub fn granted(conn: &Db, user: &UserId, app: &ApplicationId) -> DomainResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT role_key FROM user_app_roles WHERE user_id = ?1 AND application_id = ?2 \
         ORDER BY role_key",
    )?;
    let rows = stmt
        .query_map(params![user, app], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The keys a user holds in an application while their company is linked to it: one lookup
/// on the grants' primary key and one on the link's unique key. An application whose link is
/// revoked sees no roles, though the grants stay for a new link.
pub fn effective(conn: &Db, user: &UserId, app: &ApplicationId) -> DomainResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.role_key FROM user_app_roles g JOIN users u ON u.id = g.user_id \
         JOIN links l ON l.application_id = g.application_id AND l.company_id = u.company_id \
         WHERE g.user_id = ?1 AND g.application_id = ?2 ORDER BY g.role_key",
    )?;
    let rows = stmt
        .query_map(params![user, app], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every grant of one user, as (application, key), in that order.
pub fn of_user(conn: &Db, user: &UserId) -> DomainResult<Vec<(ApplicationId, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT application_id, role_key FROM user_app_roles WHERE user_id = ?1 \
         ORDER BY application_id, role_key",
    )?;
    let rows = stmt
        .query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The application's roles held by each of `users` (for a page of users), as (user, key).
pub fn of_users(
    conn: &Db,
    app: &ApplicationId,
    users: &[UserId],
) -> DomainResult<Vec<(UserId, String)>> {
    let mut out = Vec::new();
    for user in users {
        for key in granted(conn, user, app)? {
            out.push((user.clone(), key));
        }
    }
    Ok(out)
}

pub fn grant(
    conn: &Db,
    user: &UserId,
    app: &ApplicationId,
    key: &str,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT OR IGNORE INTO user_app_roles (user_id, application_id, role_key, granted_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![user, app, key, now],
    )?;
    Ok(())
}

pub fn revoke(conn: &Db, user: &UserId, app: &ApplicationId, key: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "DELETE FROM user_app_roles WHERE user_id = ?1 AND application_id = ?2 AND role_key = ?3",
        params![user, app, key],
    )?;
    Ok(())
}
