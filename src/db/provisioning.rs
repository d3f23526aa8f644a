//! SQL for what applications report about provisioning their linked companies.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::provisioning::{Provisioning, ProvisioningState};
use crate::error::DomainResult;
use crate::ids::LinkId;

/// A link's provisioning from the five columns starting at `i` (state, message, reported_at,
/// requested_at, updated_at) of a `LEFT JOIN`: `None` when the link has no row.
pub fn from_columns(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Provisioning>> {
    let state: Option<String> = r.get(i)?;
    state
        .and_then(|s| ProvisioningState::parse(&s))
        .map(|state| -> rusqlite::Result<Provisioning> {
            Ok(Provisioning {
                state,
                message: r.get(i + 1)?,
                reported_at: r.get(i + 2)?,
                requested_at: r.get(i + 3)?,
                updated_at: r.get(i + 4)?,
            })
        })
        .transpose()
}

const COLUMNS: &str = "state, message, reported_at, requested_at, updated_at";

pub fn get(conn: &Db, link: &LinkId) -> DomainResult<Option<Provisioning>> {
    let sql = format!("SELECT {COLUMNS} FROM link_provisioning WHERE link_id = ?1");
    let found = conn
        .prepare_cached(&sql)?
        .query_row([link], |r| from_columns(r, 0))
        .optional()?;
    Ok(found.flatten())
}

/// Records what the application reports.
pub fn report(
    conn: &Db,
    link: &LinkId,
    state: ProvisioningState,
    message: Option<&str>,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO link_provisioning (link_id, state, message, reported_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (link_id) DO UPDATE SET state = ?2, message = ?3, reported_at = ?4,
             updated_at = ?4",
        params![link, state.as_str(), message, now],
    )?;
    Ok(())
}

/// Records that someone asked the application to provision again.
pub fn request(conn: &Db, link: &LinkId, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO link_provisioning (link_id, state, requested_at, updated_at)
         VALUES (?1, 'requested', ?2, ?2)
         ON CONFLICT (link_id) DO UPDATE SET state = 'requested', message = NULL,
             requested_at = ?2, updated_at = ?2",
        params![link, now],
    )?;
    Ok(())
}

/// How many links stand in each state; `unreported` links have no row yet.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub unreported: u64,
    pub requested: u64,
    pub provisioning: u64,
    pub ready: u64,
    pub failed: u64,
}

pub fn counts(conn: &Db) -> DomainResult<Counts> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(p.state, 'unreported'), COUNT(*) FROM links l
         LEFT JOIN link_provisioning p ON p.link_id = l.id GROUP BY 1",
    )?;
    let mut out = Counts::default();
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    for row in rows {
        let (state, n) = row?;
        match state.as_str() {
            "requested" => out.requested = n,
            "provisioning" => out.provisioning = n,
            "ready" => out.ready = n,
            "failed" => out.failed = n,
            _ => out.unreported = n,
        }
    }
    Ok(out)
}

/// A link whose provisioning failed, with the names to tell it by.
pub struct Failure {
    pub link_id: String,
    pub application_id: String,
    pub application: String,
    pub company_id: String,
    pub company: String,
    pub message: String,
    pub reported_at: i64,
}

/// The most recent failures, newest first.
pub fn failures(conn: &Db, limit: u32) -> DomainResult<Vec<Failure>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.application_id, a.name, l.company_id,
                COALESCE(NULLIF(trim(c.display_name), ''), NULLIF(trim(c.trade_name), ''), c.legal_name),
                COALESCE(p.message, ''), COALESCE(p.reported_at, p.updated_at)
         FROM link_provisioning p JOIN links l ON l.id = p.link_id
         JOIN applications a ON a.id = l.application_id JOIN companies c ON c.id = l.company_id
         WHERE p.state = 'failed' ORDER BY p.updated_at DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Failure {
            link_id: r.get(0)?,
            application_id: r.get(1)?,
            application: r.get(2)?,
            company_id: r.get(3)?,
            company: r.get(4)?,
            message: r.get(5)?,
            reported_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
