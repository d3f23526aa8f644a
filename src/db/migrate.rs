//! Embedded migrations, applied at start, each in its own transaction. The schema version is
//! SQLite's `user_version`; a database newer than this binary is refused.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{DomainError, DomainResult};

/// (version, name, SQL). Versions increase from 1.
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
    (
        5,
        "search_fold",
        include_str!("../../migrations/0005_search_fold.sql"),
    ),
    (
        6,
        "outbox",
        include_str!("../../migrations/0006_outbox.sql"),
    ),
    (
        7,
        "company_sort",
        include_str!("../../migrations/0007_company_sort.sql"),
    ),
    (
        8,
        "invitations",
        include_str!("../../migrations/0008_invitations.sql"),
    ),
    (9, "mfa", include_str!("../../migrations/0009_mfa.sql")),
    (
        10,
        "sessions",
        include_str!("../../migrations/0010_sessions.sql"),
    ),
    (
        11,
        "magic_links",
        include_str!("../../migrations/0011_magic_links.sql"),
    ),
    (
        12,
        "email_addresses",
        include_str!("../../migrations/0012_email_addresses.sql"),
    ),
    (
        13,
        "alerts",
        include_str!("../../migrations/0013_alerts.sql"),
    ),
    (
        14,
        "invitation_language",
        include_str!("../../migrations/0014_invitation_language.sql"),
    ),
    (
        15,
        "app_roles",
        include_str!("../../migrations/0015_app_roles.sql"),
    ),
    (16, "oidc", include_str!("../../migrations/0016_oidc.sql")),
    (
        17,
        "webhooks",
        include_str!("../../migrations/0017_webhooks.sql"),
    ),
    (
        18,
        "plan_name",
        include_str!("../../migrations/0018_plan_name.sql"),
    ),
    (19, "plans", include_str!("../../migrations/0019_plans.sql")),
    (
        20,
        "config",
        include_str!("../../migrations/0020_config.sql"),
    ),
    (
        21,
        "provisioning",
        include_str!("../../migrations/0021_provisioning.sql"),
    ),
    (
        22,
        "audit_chain",
        include_str!("../../migrations/0022_audit_chain.sql"),
    ),
    (
        23,
        "privacy_requests",
        include_str!("../../migrations/0023_privacy_requests.sql"),
    ),
    (
        24,
        "erasures",
        include_str!("../../migrations/0024_erasures.sql"),
    ),
    (
        25,
        "retention_settings",
        include_str!("../../migrations/0025_retention_settings.sql"),
    ),
    (
        26,
        "company_search",
        include_str!("../../migrations/0026_company_search.sql"),
    ),
    (
        27,
        "erasure_reach",
        include_str!("../../migrations/0027_erasure_reach.sql"),
    ),
    (
        28,
        "company_keys",
        include_str!("../../migrations/0028_company_keys.sql"),
    ),
    (
        29,
        "audit_sealed",
        include_str!("../../migrations/0029_audit_sealed.sql"),
    ),
    (
        30,
        "search_edits",
        include_str!("../../migrations/0030_search_edits.sql"),
    ),
    (
        31,
        "search_pending",
        include_str!("../../migrations/0031_search_pending.sql"),
    ),
    (
        32,
        "company_user_counts",
        include_str!("../../migrations/0032_company_user_counts.sql"),
    ),
    (
        33,
        "login_throttle",
        include_str!("../../migrations/0033_login_throttle.sql"),
    ),
    (
        34,
        "owner_reads",
        include_str!("../../migrations/0034_owner_reads.sql"),
    ),
    (
        35,
        "company_trigrams",
        include_str!("../../migrations/0035_company_trigrams.sql"),
    ),
];

/// The version whose migration also chains the audit events already stored.
const AUDIT_CHAIN_VERSION: u32 = 22;
/// The version that indexes users' e-mails (its column is added before its SQL runs).
const COMPANY_KEYS_VERSION: u32 = 28;

fn add_column_once(
    conn: &Connection,
    table: &str,
    column: &str,
    kind: &str,
) -> rusqlite::Result<()> {
    let present: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )?;
    if !present {
        // The names are constants of this file, never input.
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
    }
    Ok(())
}

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

pub fn current_version(conn: &Connection) -> DomainResult<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub fn apply(conn: &mut Connection) -> DomainResult<()> {
    apply_keyed(conn, None)
}

/// [`apply`], with the companies' keys when the master key is known: a migration that reads
/// sealed cells (the chain's, over audit events) opens them.
pub fn apply_keyed(
    conn: &mut Connection,
    ring: Option<std::sync::Arc<crate::crypto::company_keys::KeyRing>>,
) -> DomainResult<()> {
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
    register_functions(conn, ring)?;
    let result = apply_each(conn, current, true);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

/// Functions migrations may call to compute what SQL cannot: `armario_search_text(field, ...)`
/// is `domain::search::search_text` (NULL fields count as empty).
fn register_functions(
    conn: &Connection,
    ring: Option<std::sync::Arc<crate::crypto::company_keys::KeyRing>>,
) -> DomainResult<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "armario_search_text",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let fields = (0..ctx.len())
                .map(|i| ctx.get::<Option<String>>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let refs: Vec<Option<&str>> = fields.iter().map(Option::as_deref).collect();
            Ok(crate::domain::search::search_text(&refs))
        },
    )?;
    conn.create_scalar_function(
        "armario_sort_name",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let display = ctx.get::<Option<String>>(0)?;
            let trade = ctx.get::<Option<String>>(1)?;
            let legal = ctx.get::<String>(2)?;
            Ok(crate::domain::company_sort::sort_name(
                display.as_deref(),
                trade.as_deref(),
                &legal,
            ))
        },
    )?;
    // Without the master key (a unit test, a store move) they pass clear values through.
    super::company_keys::register(conn, ring)?;
    Ok(())
}

/// This binary's schema in a new in-memory database, applied without a word in the log: what
/// a store move reads the tables and columns from.
pub fn schema_in_memory() -> DomainResult<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    register_functions(&conn, None)?;
    apply_each(&mut conn, 0, false)?;
    Ok(conn)
}

fn apply_each(conn: &mut Connection, current: u32, log: bool) -> DomainResult<()> {
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let failed = |e: rusqlite::Error| {
            DomainError::Internal(format!("migration {version:04}_{name} failed: {e}"))
        };
        let tx = conn.transaction()?;
        if *version == COMPANY_KEYS_VERSION {
            // SQLite has no `ADD COLUMN IF NOT EXISTS`; the migration must run again on a
            // database rolled back to an older version.
            add_column_once(&tx, "users", "email_index", "BLOB").map_err(failed)?;
        }
        tx.execute_batch(sql).map_err(failed)?;
        if *version == AUDIT_CHAIN_VERSION {
            super::audit_chain::backfill(&super::Db::sqlite(&tx))?;
        }
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
        if log {
            tracing::info!(version, name, "applied migration");
        }
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

    #[test]
    fn rebuilding_companies_and_users_keeps_every_referencing_row() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        // Stop at version 3, fill it, then apply 0004 (which rebuilds both tables).
        for (version, _, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at)
               VALUES ('c1', 'A', '11222333000181', 'a', 'active', 1, 1),
                      ('c2', 'B', '11444777000161', 'b', 'pending', 2, 2);
             INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at)
               VALUES ('u1', 'c1', 'a@x.test', 'A', 'company_admin', 'active', 'h', 1, 1);
             INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (x'01', 'u1', 1, 9);
             INSERT INTO company_secrets (company_id, kind, sealed, key_id, hint, updated_at)
               VALUES ('c1', 'omie', x'00', 'k', 'h', 1);",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM sessions"), 1);
        assert_eq!(count("SELECT COUNT(*) FROM company_secrets"), 1);
        assert_eq!(
            count("SELECT COUNT(*) FROM companies WHERE approved_at IS NOT NULL"),
            1
        );
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        // A pending sign-up may now share the CNPJ of a live company; two live ones may not.
        conn.execute_batch(
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at)
               VALUES ('c3', 'C', '11222333000181', 'a', 'pending', 3, 3);",
        )
        .unwrap();
        let clash = conn.execute_batch(
            "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, approved_at)
               VALUES ('c4', 'D', '11222333000181', 'd', 'active', 4, 4, 4);",
        );
        assert!(clash.is_err());
    }
}
