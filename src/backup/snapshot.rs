//! Consistent online snapshots of the live database and the checks run on every copy.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::{BackupError, Result};

/// How long the snapshot connection waits on a busy database (WAL recovery, a checkpoint).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a checked copy holds, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbFacts {
    /// `PRAGMA user_version`, the schema version the migrations set.
    pub schema_version: i64,
    /// Rows per table (internal `sqlite_*` tables excluded).
    pub row_counts: BTreeMap<String, u64>,
    /// The audit chain's last link (none in a database older than the chain, or with no event).
    pub audit_head: Option<crate::domain::audit_chain::ChainHead>,
}

/// Writes a consistent copy of the WAL database `db` into the new file `dest`.
///
/// SQLite's online backup copies every page in one step on its own read-only connection: one
/// read transaction, so the copy is the database as of the moment it starts, while the writer
/// keeps committing to the WAL (a reader never blocks the writer in WAL mode). Copying pages is
/// several times faster than rebuilding the tables with `VACUUM INTO`. The copy is switched to
/// a rollback journal so it opens as a plain file.
pub fn take_snapshot(db: &Path, dest: &Path) -> Result<()> {
    let src = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(BackupError::sqlite(format!(
        "opening {} for the snapshot",
        db.display()
    )))?;
    src.busy_timeout(BUSY_TIMEOUT)
        .map_err(BackupError::sqlite("setting busy_timeout"))?;
    // Created owner-only before SQLite opens it: SQLite would make it 0644 (its journal takes
    // the same mode), and this is the whole database in clear text.
    super::scratch::create_private(dest).map_err(BackupError::io(format!(
        "creating the snapshot file {}",
        dest.display()
    )))?;
    let mut dst = Connection::open(dest).map_err(BackupError::sqlite(format!(
        "creating the snapshot file {}",
        dest.display()
    )))?;
    // The copy is scratch: it is sealed, compressed and removed, and the object made of it is
    // what the run stores durably. Not flushing its gigabytes to the disk spares the run a
    // wait that `sqlite3 .backup`, which makes a file to keep, cannot skip.
    dst.pragma_update(None, "synchronous", "OFF")
        .map_err(BackupError::sqlite("preparing the snapshot file"))?;
    {
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)
            .map_err(BackupError::sqlite("starting the snapshot"))?;
        // -1: every page in a single step, inside one read transaction of the source.
        loop {
            match backup
                .step(-1)
                .map_err(BackupError::sqlite("taking the snapshot"))?
            {
                rusqlite::backup::StepResult::Done => break,
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
    let mode: String = dst
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(BackupError::sqlite(
            "switching the snapshot to a rollback journal",
        ))?;
    debug_assert_eq!(mode.to_ascii_lowercase(), "delete");
    dst.close()
        .map_err(|(_, e)| BackupError::sqlite("closing the snapshot")(e))?;
    Ok(())
}

/// Runs `PRAGMA integrity_check` on a copy and reads its schema version and row counts: what a
/// verification and a restore check.
pub fn inspect(copy: &Path) -> Result<DbFacts> {
    let conn = open_copy(copy)?;
    // Reading the private, read-only copy through mmap makes integrity_check about a third
    // faster than through read() calls; SQLite caps the size at its compiled-in maximum.
    conn.pragma_update(None, "mmap_size", 1i64 << 40)
        .map_err(BackupError::sqlite("setting mmap_size"))?;
    integrity_check(&conn)?;
    facts_of(&conn)
}

fn open_copy(copy: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(BackupError::sqlite(format!("opening {}", copy.display())))?;
    Ok(conn)
}

/// A copy's schema version, row counts and audit head, for the manifest, without the
/// `integrity_check`: a backup run takes these while it seals the copy (see `seal_snapshot`),
/// and the verification that follows it runs the check on what was stored.
pub(super) fn facts_of(conn: &Connection) -> Result<DbFacts> {
    let schema_version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(BackupError::sqlite("reading user_version"))?;
    Ok(DbFacts {
        schema_version,
        row_counts: row_counts(conn)?,
        audit_head: audit_head(conn)?,
    })
}

fn integrity_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn
        .prepare("PRAGMA integrity_check(20)")
        .map_err(|e| BackupError::IntegrityCheck(e.to_string()))?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| BackupError::IntegrityCheck(e.to_string()))?;
    match problems.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        _ => Err(BackupError::IntegrityCheck(problems.join("; "))),
    }
}

fn audit_head(conn: &Connection) -> Result<Option<crate::domain::audit_chain::ChainHead>> {
    let chained = crate::db::has_table(&crate::db::Db::sqlite(conn), "audit_chain")
        .map_err(BackupError::sqlite("looking for the audit chain"))?;
    if !chained {
        return Ok(None);
    }
    crate::db::audit_chain::head(&crate::db::Db::sqlite(conn))
        .map_err(|e| BackupError::IntegrityCheck(format!("reading the audit chain's head: {e}")))
}

/// Counts the tables `counts` does not have yet (made since it was taken).
pub(super) fn count_new_tables(
    conn: &Connection,
    counts: &mut BTreeMap<String, u64>,
) -> Result<()> {
    for table in tables(conn)? {
        if let std::collections::btree_map::Entry::Vacant(new) = counts.entry(table) {
            let n = count(conn, new.key())?;
            new.insert(n);
        }
    }
    Ok(())
}

fn tables(conn: &Connection) -> Result<Vec<String>> {
    conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
    .map_err(BackupError::sqlite("listing tables"))
}

fn count(conn: &Connection, table: &str) -> Result<u64> {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let n: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))
        // A virtual table whose module is missing cannot be counted; say which.
        .map_err(BackupError::sqlite(format!("counting rows of {quoted}")))?;
    Ok(n as u64)
}

fn row_counts(conn: &Connection) -> Result<BTreeMap<String, u64>> {
    tables(conn)?
        .into_iter()
        .map(|table| Ok((table.clone(), count(conn, &table)?)))
        .collect()
}

/// Describes how two sets of row counts differ, or `None` when they are equal.
pub fn diff_row_counts(
    expected: &BTreeMap<String, u64>,
    actual: &BTreeMap<String, u64>,
) -> Option<String> {
    let mut diffs = Vec::new();
    for (table, want) in expected {
        match actual.get(table) {
            Some(got) if got == want => {}
            Some(got) => diffs.push(format!("{table}: manifest {want}, restored {got}")),
            None => diffs.push(format!(
                "{table}: manifest {want}, missing from restored copy"
            )),
        }
    }
    for (table, got) in actual {
        if !expected.contains_key(table) {
            diffs.push(format!("{table}: not in manifest, restored {got}"));
        }
    }
    (!diffs.is_empty()).then(|| diffs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_of_a_wal_db_is_checked_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA user_version=7;
             CREATE TABLE t(x); CREATE TABLE \"odd \"\"name\"(y);
             INSERT INTO t VALUES (1),(2),(3); INSERT INTO \"odd \"\"name\" VALUES (1);",
        )
        .unwrap();
        let copy = dir.path().join("copy.db");
        take_snapshot(&db, &copy).unwrap();
        let facts = inspect(&copy).unwrap();
        assert_eq!(facts.schema_version, 7);
        assert_eq!(facts.row_counts["t"], 3);
        assert_eq!(facts.row_counts["odd \"name"], 1);
    }

    #[test]
    fn row_count_differences_are_named() {
        let a = BTreeMap::from([("t".to_string(), 3u64), ("u".to_string(), 1)]);
        let b = BTreeMap::from([("t".to_string(), 2u64), ("v".to_string(), 1)]);
        let d = diff_row_counts(&a, &b).unwrap();
        assert!(d.contains("t: manifest 3, restored 2") && d.contains("u:") && d.contains("v:"));
        assert!(diff_row_counts(&a, &a).is_none());
    }
}
