//! SQL for invitations: only the link token's digest is stored. "Open" means neither accepted
//! nor revoked; "pending" also means not expired.

use rusqlite::{params, OptionalExtension};

use crate::crypto::token::TokenHash;
use crate::db::sql::{Db, Row};
use crate::domain::invitation::Invitation;
use crate::domain::language::Lang;
use crate::domain::{Page, Role};
use crate::error::DomainResult;
use crate::ids::{CompanyId, InvitationId, UserId};

const COLUMNS: &str = "id, company_id, email, role, expires_at, created_by, created_at, sent_at, \
                       accepted_at, revoked_at, language";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Invitation> {
    let role: String = r.get(3)?;
    Ok(Invitation {
        id: r.get(0)?,
        company_id: r.get(1)?,
        email: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        expires_at: r.get(4)?,
        created_by: r.get(5)?,
        created_at: r.get(6)?,
        sent_at: r.get(7)?,
        accepted_at: r.get(8)?,
        revoked_at: r.get(9)?,
        language: Lang::from_stored(&r.get::<_, String>(10)?),
    })
}

pub struct InsertInvitation<'a> {
    pub id: &'a InvitationId,
    pub company_id: &'a CompanyId,
    pub email: &'a str,
    pub role: Role,
    pub language: Lang,
    pub token_hash: &'a TokenHash,
    pub expires_at: i64,
    pub created_by: Option<&'a UserId>,
}

pub fn insert(conn: &Db, i: &InsertInvitation<'_>, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO invitations (id, company_id, email, role, token_hash, expires_at, created_by, \
         created_at, sent_at, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        params![
            i.id,
            i.company_id,
            i.email,
            i.role.as_str(),
            &i.token_hash[..],
            i.expires_at,
            i.created_by,
            now,
            i.language.as_str()
        ],
    )?;
    Ok(())
}

/// An invitation of one company; another company's is `None`.
pub fn get_in_company(
    conn: &Db,
    company: &CompanyId,
    id: &InvitationId,
) -> DomainResult<Option<Invitation>> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = ?1 AND company_id = ?2");
    Ok(super::cached_row(conn, &sql, params![id, company], from_row).optional()?)
}

/// The invitation whose link carries this token, whatever its state.
pub fn find_by_token(conn: &Db, hash: &TokenHash) -> DomainResult<Option<Invitation>> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = ?1");
    Ok(super::cached_row(conn, &sql, params![&hash[..]], from_row).optional()?)
}

/// Whether another pending invitation, in any company, is for `email`.
pub fn pending_email_taken(
    conn: &Db,
    email: &str,
    except: Option<&InvitationId>,
    now: i64,
) -> DomainResult<bool> {
    Ok(super::cached_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM invitations WHERE email = ?1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > ?2 AND id IS DISTINCT FROM ?3)",
        params![email, now, except],
        |r| r.get(0),
    )?)
}

/// Pending invitations of a company: each holds a seat of the plan.
pub fn count_pending(conn: &Db, company: &CompanyId, now: i64) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM invitations WHERE company_id = ?1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > ?2",
        params![company, now],
        |r| r.get(0),
    )?)
}

pub fn list(
    conn: &Db,
    company: &CompanyId,
    after: Option<&InvitationId>,
    limit: u32,
) -> DomainResult<Page<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE company_id = ?1 AND (?2 IS NULL OR id > ?2) \
         ORDER BY id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![company, after, limit + 1],
        limit,
        from_row,
        |i| i.id.to_string(),
    )
}

/// A new link for an open invitation: the old token stops working.
pub fn renew(
    conn: &Db,
    id: &InvitationId,
    hash: &TokenHash,
    expires_at: i64,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE invitations SET token_hash = ?2, expires_at = ?3, sent_at = ?4 WHERE id = ?1",
        params![id, &hash[..], expires_at, now],
    )?;
    Ok(())
}

pub fn revoke(conn: &Db, id: &InvitationId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE invitations SET revoked_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

pub fn accept(conn: &Db, id: &InvitationId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE invitations SET accepted_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}
