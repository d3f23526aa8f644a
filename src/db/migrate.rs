//! Embedded migrations, applied at start, each in its own transaction. The schema version is
//! SQLite's `user_version`; a database newer than this binary is refused.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{DomainError, DomainResult};

/// (version, name, SQL). Versions are consecutive from 1.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "core", include_str!("../../migrations/0001_core.sql")),
    (
        2,
        "applications",
        include_str!("../../migrations/0002_applications.sql"),
    ),
    (
        3,
        "backups",
        include_str!("../../migrations/0003_backups.sql"),
    ),
    (
        4,
        "pending_signups",
        include_str!("../../migrations/0004_pending_signups.sql"),
    ),
];

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

pub fn current_version(conn: &Connection) -> DomainResult<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub fn apply(conn: &mut Connection) -> DomainResult<()> {
    let current = current_version(conn)?;
    let latest = latest_version();
    if current > latest {
        return Err(DomainError::Internal(format!(
            "the database has schema version {current}, newer than this armario understands ({latest}); \
             run a newer armario or restore a backup taken with this version"
        )));
    }
    // A migration that rebuilds a table drops the old one; with foreign keys on, that drop
    // would cascade into every referencing row. SQLite's documented way: keys off outside the
    // transaction, `foreign_key_check` before commit, keys back on afterwards.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = apply_each(conn, current);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

fn apply_each(conn: &mut Connection, current: u32) -> DomainResult<()> {
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let failed = |e: rusqlite::Error| {
            DomainError::Internal(format!("migration {version:04}_{name} failed: {e}"))
        };
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(failed)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        if let Some(table) = broken {
            return Err(DomainError::Internal(format!(
                "migration {version:04}_{name} left rows in {table} that refer to nothing"
            )));
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_once_and_refuses_newer() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        apply(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        let err = apply(&mut conn).unwrap_err().to_string();
        assert!(err.contains("newer than this armario"), "{err}");
    }
}
