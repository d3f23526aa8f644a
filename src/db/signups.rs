//! SQL for admitting sign-ups: a pending company holds no unique value until the owner approves
//! it, so approval checks what live companies and users already hold.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::CompanyId;

/// True once the owner created or approved the company.
pub fn is_approved(conn: &Db, id: &CompanyId) -> DomainResult<bool> {
    let at: Option<Option<i64>> = conn
        .query_row(
            "SELECT approved_at FROM companies WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(at.flatten().is_some())
}

/// Whether an approved company other than `except` has this CNPJ.
pub fn cnpj_live_elsewhere(conn: &Db, cnpj: &str, except: &CompanyId) -> DomainResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM companies WHERE cnpj = ?1 AND id <> ?2 AND approved_at IS NOT NULL",
            params![cnpj, except],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Whether an approved company other than `except` has this slug.
pub fn slug_live_elsewhere(conn: &Db, slug: &str, except: &CompanyId) -> DomainResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM companies WHERE slug = ?1 AND id <> ?2 AND approved_at IS NOT NULL",
            params![slug, except],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// E-mails of the company's pending users that a user who is not pending already has.
pub fn pending_emails_in_use(conn: &Db, company: &CompanyId) -> DomainResult<Vec<String>> {
    // Opened as a column and put in order here: PostgreSQL opens a cell only as a column.
    let mut stmt = conn.prepare_cached(
        "SELECT armario_open('users', 'email', u.company_id, u.email) FROM users u \
         JOIN users o ON o.email_index = u.email_index AND o.id <> u.id \
         WHERE u.company_id = ?1 AND u.status = 'pending' AND o.status <> 'pending'",
    )?;
    let mut rows = stmt
        .query_map([company], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    rows.sort();
    rows.dedup();
    Ok(rows)
}

/// Marks the company approved under `slug`: from now on it holds its CNPJ and slug.
pub fn mark_approved(conn: &Db, id: &CompanyId, slug: &str, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE companies SET approved_at = ?2, slug = ?3, updated_at = ?2 WHERE id = ?1",
        params![id, now, slug],
    )?;
    super::companies::refresh_search(conn, id)
}

/// Removes the pending users of a sign-up the owner turned down, freeing their e-mails.
pub fn delete_pending_users(conn: &Db, company: &CompanyId) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM users WHERE company_id = ?1 AND status = 'pending'",
        [company],
    )?)
}
