//! SQL for the record of backup runs.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::error::DomainResult;

pub struct BackupRun {
    pub id: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub succeeded: bool,
    pub size: Option<i64>,
    pub object_name: Option<String>,
    pub error: Option<String>,
    /// scheduler, api or cli.
    pub trigger: String,
}

pub fn insert(conn: &Db, r: &BackupRun) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO backup_runs (id, started_at, finished_at, status, size, object_name, error, trigger)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at,
            finished_at = excluded.finished_at, status = excluded.status, size = excluded.size,
            object_name = excluded.object_name, error = excluded.error, trigger = excluded.trigger",
        params![
            r.id,
            r.started_at,
            r.finished_at,
            if r.succeeded { "succeeded" } else { "failed" },
            r.size,
            r.object_name,
            r.error,
            r.trigger
        ],
    )?;
    Ok(())
}

/// Records a run whose backup failed its verification as failed, with the reason.
pub fn mark_failed(conn: &Db, id: &str, error: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE backup_runs SET status = 'failed', error = ?2 WHERE id = ?1",
        params![id, error],
    )?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<BackupRun> {
    let status: String = r.get(3)?;
    Ok(BackupRun {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        succeeded: status == "succeeded",
        size: r.get(4)?,
        object_name: r.get(5)?,
        error: r.get(6)?,
        trigger: r.get(7)?,
    })
}

const COLUMNS: &str = "id, started_at, finished_at, status, size, object_name, error, trigger";

/// A page of runs, newest first; `before` is the (start, id) of the last run of the previous
/// page (two runs may start in the same millisecond, so the id breaks ties).
pub fn recent(
    conn: &Db,
    before: Option<&(i64, String)>,
    limit: u32,
) -> DomainResult<crate::domain::Page<BackupRun>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM backup_runs WHERE ?1 IS NULL OR (started_at, id) < (?1, ?2) \
         ORDER BY started_at DESC, id DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![before.map(|b| b.0), before.map(|b| &b.1), limit + 1],
        limit,
        from_row,
        |r| format!("{}:{}", r.started_at, r.id),
    )
}

/// Whether any run (by any replica, whatever its outcome) started at `since_ms` or later.
pub fn started_since(conn: &Db, since_ms: i64) -> DomainResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM backup_runs WHERE started_at >= ?1 LIMIT 1")?
        .exists([since_ms])?)
}

pub fn last_good(conn: &Db) -> DomainResult<Option<BackupRun>> {
    let sql = format!("SELECT {COLUMNS} FROM backup_runs WHERE status = 'succeeded' ORDER BY finished_at DESC LIMIT 1");
    Ok(super::cached_row(conn, &sql, [], from_row).optional()?)
}
