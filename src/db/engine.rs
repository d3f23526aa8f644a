//! Settings of the SQLite library itself, for the whole process, made before any file opens.

use std::os::raw::c_int;

/// How large a statement journal may grow in memory before SQLite writes it to a temporary file.
///
/// Inside a transaction of several statements, each statement that may fail halfway keeps the
/// pages it changes as they were, so it can be undone alone. SQLite keeps that journal in memory
/// up to 64 KiB, then moves it to a file in the temporary directory. In a batch of company
/// creates the statements that write out the search index go past that: under 64 clients the
/// writer created, wrote and deleted a temporary file for most batches (206 in 3 s), and a
/// profile put a sixth of the writer's time in those writes. The files also held pages of the
/// store, deleted but written, outside the data directory. Of 2,359 such journals 99% were at
/// most 128 KiB (the largest 172 KB), so up to 126 KiB they now stay in memory; a larger one
/// still spills, so memory stays bounded. It must stay below 128 KiB: the in-memory journal
/// goes to the file in one write of this size, and SQLite's file layer writes at most
/// 128 KiB − 1 bytes at a time (a larger one fails as "disk full").
pub const STATEMENT_JOURNAL_IN_MEMORY: c_int = 126 * 1024;

/// Sets SQLite's process-wide options: its memory statistics off, statement journals in memory
/// up to `STATEMENT_JOURNAL_IN_MEMORY`.
///
/// Turning off the memory statistics, which armario never reads: while they are on, every
/// allocation SQLite makes (a page read into a cache, a search's buffers, a sort) passes through
/// one mutex for the whole process: with 16 company searches at once on a million companies, a
/// profile found the server spending a fifth of its time waking threads queued on it.
///
/// Returns whether SQLite took them: it refuses once it has started (after a connection opened
/// in this process), and then keeps its defaults: it runs slower, and statement journals past
/// 64 KiB go to temporary files.
// `sqlite3_config` is a variadic C function; rusqlite has no safe wrapper for these options.
#[allow(unsafe_code)]
pub fn configure() -> bool {
    use rusqlite::ffi::{sqlite3_config, SQLITE_CONFIG_MEMSTATUS, SQLITE_CONFIG_STMTJRNL_SPILL};
    // SAFETY: SQLITE_CONFIG_MEMSTATUS and SQLITE_CONFIG_STMTJRNL_SPILL each take one int.
    // Called before SQLite is initialised they change only the library's settings; called
    // after, they return SQLITE_MISUSE and change nothing.
    let off: c_int = 0;
    let memstatus = unsafe { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, off) };
    let spill =
        unsafe { sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STATEMENT_JOURNAL_IN_MEMORY) };
    memstatus == rusqlite::ffi::SQLITE_OK && spill == rusqlite::ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    /// `.cargo/config.toml` builds the bundled SQLite without SQLITE_ENABLE_MEMORY_MANAGEMENT,
    /// so each connection keeps its own page cache instead of sharing one behind a mutex.
    #[test]
    fn each_connection_has_a_page_cache_of_its_own() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let used: i64 = conn
            .query_row(
                "SELECT sqlite_compileoption_used('ENABLE_MEMORY_MANAGEMENT')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(used, 0, "SQLite was built with ENABLE_MEMORY_MANAGEMENT");
    }

    /// Set in the environment of the process `statement_journals_stay_in_memory_up_to_their_bound`
    /// starts: SQLite takes process-wide options only before its first connection, and other
    /// tests of this binary open connections at once.
    const CHILD: &str = "ARMARIO_ENGINE_TEST_CHILD";

    #[test]
    fn statement_journals_stay_in_memory_up_to_their_bound() {
        if std::env::var_os(CHILD).is_some() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "db::engine::tests::journals_in_a_fresh_process"])
            .args(["--nocapture", "--test-threads=1"])
            .env(CHILD, tmp.path())
            .env("SQLITE_TMPDIR", tmp.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The temporary files SQLite holds open in `dir` (it removes each as it opens it, so only
    /// the open descriptors show them).
    fn open_temporary_files(dir: &std::path::Path) -> usize {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target.starts_with(dir))
            .count()
    }

    /// Run only by the test above, in a process of its own.
    #[test]
    fn journals_in_a_fresh_process() {
        let Some(dir) = std::env::var_os(CHILD) else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        assert!(super::configure(), "SQLite refused the options");
        let db = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(db.path().join("t.db")).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
             INSERT INTO t SELECT i, zeroblob(1000) FROM n;",
        )
        .unwrap();
        // In a transaction of several statements, an update of many rows that may fail (NOT
        // NULL) journals each page it changes: about 100 KB here (20 pages of 4 rows), past
        // SQLite's default of 64 KiB, then about 12 MB, past the bound.
        conn.execute_batch("BEGIN; INSERT INTO t VALUES (0, x'00');")
            .unwrap();
        conn.execute("UPDATE t SET v = randomblob(1000) WHERE id <= 80", [])
            .unwrap();
        assert_eq!(
            open_temporary_files(&dir),
            0,
            "a statement journal of 100 KB went to a file"
        );
        conn.execute("UPDATE t SET v = randomblob(1000)", [])
            .unwrap();
        assert_eq!(
            open_temporary_files(&dir),
            1,
            "a statement journal past the bound stayed in memory"
        );
        conn.execute_batch("COMMIT").unwrap();
    }
}
