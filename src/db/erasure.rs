//! SQL of erasure: the ledger, and the database effects of erasing a person or a company.
//!
//! The effects are pure functions of a connection and a ledger entry: they write no audit
//! event, queue no mail and send no webhook (the service does that, once). They are idempotent
//! and work on any copy of the store — rows still in their pre-erasure state, already erased, or
//! missing (a person created after that copy was taken) — so a restore can re-apply the ledger.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::erasure::{Erasure, ErasureKind};
use crate::error::DomainResult;

#[path = "erasure_counts.rs"]
mod counts;
#[path = "erasure_effects.rs"]
mod effects;

pub use counts::{company_counts, person_counts, Counts};
pub(crate) use effects::drop_unreadable;
pub use effects::{erase_company, erase_person};

fn from_row(r: &Row<'_>) -> rusqlite::Result<Erasure> {
    let kind: String = r.get(1)?;
    let kept: String = r.get(5)?;
    Ok(Erasure {
        id: r.get(0)?,
        kind: ErasureKind::parse(&kind).unwrap_or(ErasureKind::Person),
        company_id: r.get(2)?,
        user_id: r.get(3)?,
        pseudonym: r.get(4)?,
        kept: serde_json::from_str(&kept).unwrap_or_default(),
        erased_at: r.get(6)?,
    })
}

const COLUMNS: &str = "id, kind, company_id, user_id, pseudonym, kept, erased_at";

/// Records an entry; one already recorded (same id) is left as it is.
pub fn record(conn: &Db, e: &Erasure) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT OR IGNORE INTO erasures (id, kind, company_id, user_id, pseudonym, kept, erased_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.id,
            e.kind.as_str(),
            e.company_id,
            e.user_id,
            e.pseudonym,
            serde_json::to_string(&e.kept).unwrap_or_else(|_| "[]".into()),
            e.erased_at
        ],
    )?;
    Ok(())
}

/// The whole ledger, oldest first.
pub fn ledger(conn: &Db) -> DomainResult<Vec<Erasure>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM erasures ORDER BY erased_at, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The ledger of a database that may be older than the ledger (a file about to be replaced by
/// a restore): empty when it has none.
pub fn ledger_if_present(conn: &Db) -> DomainResult<Vec<Erasure>> {
    if super::has_table(conn, "erasures")? {
        ledger(conn)
    } else {
        Ok(Vec::new())
    }
}

/// The company's erasure, if it was erased. Every write to a company asks, so the statement
/// goes through the connection's cache: compiling it took a twentieth of the writer's
/// time per company PATCH.
pub fn company_entry(conn: &Db, company: &str) -> DomainResult<Option<Erasure>> {
    Ok(super::cached_row(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM erasures WHERE company_id = ?1 AND kind = 'company'
             ORDER BY erased_at LIMIT 1"
        ),
        [company],
        from_row,
    )
    .optional()?)
}

/// The person's own erasure, if they were erased (not counting their company's).
pub fn person_entry(conn: &Db, company: &str, user: &str) -> DomainResult<Option<Erasure>> {
    Ok(super::cached_row(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM erasures
             WHERE company_id = ?1 AND user_id = ?2 AND kind = 'person'
             ORDER BY erased_at LIMIT 1"
        ),
        [company, user],
        from_row,
    )
    .optional()?)
}

/// Re-applies the ledger `entries` (oldest first) to this copy of the store and records the
/// ones it lacks. Returns how many entries were missing.
pub fn reapply(conn: &Db, entries: &[Erasure]) -> DomainResult<usize> {
    let mut missing = 0;
    for e in entries {
        match e.kind {
            ErasureKind::Person => erase_person(conn, e)?,
            ErasureKind::Company => erase_company(conn, e)?,
        }
        let known: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM erasures WHERE id = ?1)",
            [&e.id],
            |r| r.get(0),
        )?;
        if !known {
            record(conn, e)?;
            missing += 1;
        }
    }
    Ok(missing)
}

#[cfg(test)]
#[path = "erasure_tests.rs"]
mod tests;
