//! SQL for data-subject requests and the encarregado's contacts. Every finder of a request
//! takes the company (or is the owner's platform-wide list).

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::privacy::{Dpo, PrivacyRequest, RequestKind, RequestStatus};
use crate::domain::Page;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, PrivacyRequestId, UserId};

const COLUMNS: &str = "r.id, r.company_id, r.subject_id, \
     armario_open('users', 'name', u.company_id, u.name), \
     r.requested_by, r.kind, r.status, r.details, r.notes, r.refusal_reason, r.created_at, \
     r.due_at, r.updated_at, r.closed_at";

/// The requests with their subject, whose name is opened as a column of the select list (the
/// one place PostgreSQL can open it).
const FROM: &str = "privacy_requests r \
     LEFT JOIN users u ON u.id = r.subject_id AND u.company_id = r.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PrivacyRequest> {
    let kind: String = r.get(5)?;
    let status: String = r.get(6)?;
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            5,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    Ok(PrivacyRequest {
        id: r.get(0)?,
        company_id: r.get(1)?,
        subject_id: r.get(2)?,
        subject_name: r.get(3)?,
        requested_by: r.get(4)?,
        kind: RequestKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        status: RequestStatus::parse(&status).ok_or_else(|| bad("status"))?,
        details: r.get(7)?,
        notes: r.get(8)?,
        refusal_reason: r.get(9)?,
        created_at: r.get(10)?,
        due_at: r.get(11)?,
        updated_at: r.get(12)?,
        closed_at: r.get(13)?,
    })
}

pub fn insert(conn: &Db, r: &PrivacyRequest) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO privacy_requests (id, company_id, subject_id, requested_by, kind, status,
             details, notes, refusal_reason, created_at, due_at, updated_at, closed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            r.id,
            r.company_id,
            r.subject_id,
            r.requested_by,
            r.kind.as_str(),
            r.status.as_str(),
            r.details,
            r.notes,
            r.refusal_reason,
            r.created_at,
            r.due_at,
            r.updated_at,
            r.closed_at
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Db, r: &PrivacyRequest) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE privacy_requests SET status = ?3, notes = ?4, refusal_reason = ?5,
             updated_at = ?6, closed_at = ?7 WHERE id = ?1 AND company_id = ?2",
        params![
            r.id,
            r.company_id,
            r.status.as_str(),
            r.notes,
            r.refusal_reason,
            r.updated_at,
            r.closed_at
        ],
    )?;
    Ok(())
}

pub fn get_in_company(
    conn: &Db,
    company: &CompanyId,
    id: &PrivacyRequestId,
) -> DomainResult<Option<PrivacyRequest>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = ?1 AND r.company_id = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, company], from_row)
        .optional()?)
}

/// What a list is narrowed to.
#[derive(Debug, Default)]
pub struct RequestFilter {
    /// None: every company (the owner's queue).
    pub company: Option<CompanyId>,
    /// Only requests about this person (a member sees their own).
    pub subject: Option<UserId>,
    pub status: Option<RequestStatus>,
    /// Only open or in-progress requests past their due date at this instant.
    pub overdue_at: Option<i64>,
}

/// Oldest due first (the order the queue is worked in); the cursor is the last row's
/// `due_at/id`.
pub fn list(
    conn: &Db,
    f: &RequestFilter,
    after: Option<&str>,
    limit: u32,
) -> DomainResult<Page<PrivacyRequest>> {
    let (after_due, after_id) = match after {
        None => (None, None),
        Some(key) => {
            let (due, id) = key.split_once('/').ok_or_else(|| {
                DomainError::invalid("cursor", "is not a cursor this server gave out")
            })?;
            let due: i64 = due.parse().map_err(|_| {
                DomainError::invalid("cursor", "is not a cursor this server gave out")
            })?;
            (Some(due), Some(id.to_string()))
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE (?1 IS NULL OR r.company_id = ?1) AND (?2 IS NULL OR r.subject_id = ?2)
           AND (?3 IS NULL OR r.status = ?3)
           AND (?4 IS NULL OR (r.status IN ('open', 'in_progress') AND r.due_at < ?4))
           AND (?5 IS NULL OR (r.due_at, r.id) > (?5, ?6))
         ORDER BY r.due_at, r.id LIMIT ?7"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![
            f.company,
            f.subject,
            f.status.map(RequestStatus::as_str),
            f.overdue_at,
            after_due,
            after_id,
            limit + 1
        ],
        limit,
        from_row,
        |r| format!("{}/{}", r.due_at, r.id),
    )
}

/// Every request of a company, or about one person of it, for an export.
pub fn all_for(
    conn: &Db,
    company: &CompanyId,
    subject: Option<&UserId>,
) -> DomainResult<Vec<PrivacyRequest>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.company_id = ?1
           AND (?2 IS NULL OR r.subject_id = ?2) ORDER BY r.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![company, subject], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The key of the platform's encarregado in `dpo_contacts`; a company's is its id.
pub const PLATFORM: &str = "platform";

pub fn dpo(conn: &Db, scope: &str) -> DomainResult<Option<Dpo>> {
    Ok(conn
        .prepare_cached("SELECT name, email, phone, updated_at FROM dpo_contacts WHERE scope = ?1")?
        .query_row([scope], |r| {
            Ok(Dpo {
                name: r.get(0)?,
                email: r.get(1)?,
                phone: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn set_dpo(conn: &Db, scope: &str, d: &Dpo) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO dpo_contacts (scope, name, email, phone, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (scope) DO UPDATE SET name = excluded.name, email = excluded.email,
           phone = excluded.phone, updated_at = excluded.updated_at",
        params![scope, d.name, d.email, d.phone, d.updated_at],
    )?;
    Ok(())
}
