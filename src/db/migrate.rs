//! Embedded migrations, applied at start, each in its own transaction. The schema version is
//! SQLite's `user_version`; a database newer than this binary is refused.

use rusqlite::Connection;

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
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(|e| {
            DomainError::Internal(format!("migration {version:04}_{name} failed: {e}"))
        })?;
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
