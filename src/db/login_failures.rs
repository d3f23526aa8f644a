//! Sign-in failures counted in the store (`login_failures`), for replicas sharing a PostgreSQL
//! database: fixed windows of counts by key, as `service::throttle` keeps them in memory for
//! one server. A key is a keyed hash of what is counted, never an e-mail or an address.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::Db;
use crate::error::DomainResult;

/// A window of failures: when it started (ms) and how many it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub started_at: i64,
    pub count: i64,
}

/// The window of `key` if it started after `since` (ms).
pub fn live(db: &Db, key: &[u8], since: i64) -> DomainResult<Option<Window>> {
    Ok(db
        .prepare_cached(
            "SELECT started_at, count FROM login_failures WHERE key = ?1 AND started_at > ?2",
        )?
        .query_row(params![key, since], |r| {
            Ok(Window {
                started_at: r.get(0)?,
                count: r.get(1)?,
            })
        })
        .optional()?)
}

/// Counts one failure under `key` at `now`: a window that started at `since` or before starts
/// again. Windows that ended are dropped on the way.
pub fn add(db: &Db, key: &[u8], now: i64, since: i64) -> DomainResult<()> {
    super::cached_execute(
        db,
        "INSERT INTO login_failures (key, started_at, count) VALUES (?1, ?2, 1)
         ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN login_failures.started_at > ?3
                          THEN login_failures.count + 1 ELSE 1 END,
             started_at = CASE WHEN login_failures.started_at > ?3
                               THEN login_failures.started_at ELSE ?2 END",
        params![key, now, since],
    )?;
    super::cached_execute(
        db,
        "DELETE FROM login_failures WHERE started_at <= ?1",
        [since],
    )?;
    Ok(())
}

/// Forgets `key`'s failures (a sign-in succeeded).
pub fn remove(db: &Db, key: &[u8]) -> DomainResult<()> {
    super::cached_execute(db, "DELETE FROM login_failures WHERE key = ?1", [key])?;
    Ok(())
}
