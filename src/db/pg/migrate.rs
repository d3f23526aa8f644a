//! The PostgreSQL store's migrations, one file per schema version under
//! `migrations/postgres/`. It starts at the version SQLite had reached when PostgreSQL came
//! (28, every earlier migration folded into one), and from then on both stores move together:
//! the same version number means the same tables and columns on either. A database newer than
//! this binary is refused. Replicas starting together take an advisory lock, so one migrates.

use postgres::Client;

/// (version, name, SQL), versions increasing.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        28,
        "baseline",
        include_str!("../../../migrations/postgres/0028_baseline.sql"),
    ),
    (
        29,
        "audit_sealed",
        include_str!("../../../migrations/postgres/0029_audit_sealed.sql"),
    ),
    (
        30,
        "search_edits",
        include_str!("../../../migrations/postgres/0030_search_edits.sql"),
    ),
    (
        31,
        "search_pending",
        include_str!("../../../migrations/postgres/0031_search_pending.sql"),
    ),
    (
        32,
        "company_user_counts",
        include_str!("../../../migrations/postgres/0032_company_user_counts.sql"),
    ),
    (
        33,
        "login_throttle",
        include_str!("../../../migrations/postgres/0033_login_throttle.sql"),
    ),
    (
        34,
        "owner_reads",
        include_str!("../../../migrations/postgres/0034_owner_reads.sql"),
    ),
    (
        35,
        "company_trigrams",
        include_str!("../../../migrations/postgres/0035_company_trigrams.sql"),
    ),
];

/// The key of the advisory lock migrations take (any constant shared by every replica).
const MIGRATION_LOCK: i64 = 0x6172_6d61_7269_6f01;

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// The schema version of the database, 0 when armario never ran on it.
pub fn current_version(client: &mut Client) -> Result<u32, String> {
    let present: bool = client
        .query_one("SELECT to_regclass('armario_schema') IS NOT NULL", &[])
        .map_err(|e| format!("cannot read the schema version: {e}"))?
        .get(0);
    if !present {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM armario_schema WHERE id = 1", &[])
        .map_err(|e| format!("cannot read the schema version: {e}"))?;
    Ok(row.map(|r| r.get::<_, i32>(0) as u32).unwrap_or(0))
}

/// Brings the database to this binary's schema, in one transaction under the lock.
pub fn apply(client: &mut Client) -> Result<(), String> {
    let mut tx = client
        .transaction()
        .map_err(|e| format!("cannot start a migration: {e}"))?;
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .map_err(|e| format!("cannot start a migration: {e}"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(|e| format!("cannot take the migration lock: {e}"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS armario_schema (
             id       INT PRIMARY KEY CHECK (id = 1),
             version  INT NOT NULL
         )",
    )
    .map_err(|e| format!("cannot create the schema version table: {e}"))?;
    let current: i32 = tx
        .query_opt("SELECT version FROM armario_schema WHERE id = 1", &[])
        .map_err(|e| format!("cannot read the schema version: {e}"))?
        .map(|r| r.get(0))
        .unwrap_or(0);
    let latest = latest_version() as i32;
    if current > latest {
        return Err(format!(
            "the database is at schema version {current}, newer than this binary's {latest}: \
             run a newer armario"
        ));
    }
    for (version, name, sql) in MIGRATIONS {
        let version = *version as i32;
        if version <= current {
            continue;
        }
        tx.batch_execute(sql)
            .map_err(|e| format!("migration {version} ({name}) failed: {e}"))?;
        tx.execute(
            "INSERT INTO armario_schema (id, version) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            &[&version],
        )
        .map_err(|e| format!("cannot record schema version {version}: {e}"))?;
        tracing::info!(version, name, "PostgreSQL migration applied");
    }
    tx.commit()
        .map_err(|e| format!("cannot commit the migrations: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_stores_are_at_the_same_schema_version() {
        assert_eq!(
            super::latest_version(),
            crate::db::migrate::latest_version(),
            "a SQLite migration needs its PostgreSQL twin under migrations/postgres/"
        );
    }
}
