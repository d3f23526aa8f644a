//! Which master keys the stored data depends on: the key id beside every sealed column, and the
//! keys `keys rotate` retired (backups taken before a rotation are still sealed with them).

use crate::db::sql::Db;
use crate::error::DomainResult;

/// Every table that stores sealed values, with the column that records the sealing key's id.
/// A new sealed column belongs here; the test below fails until it is listed.
pub const SEALED_KEY_COLUMNS: &[(&str, &str)] = &[
    ("company_keys", "key_id"),
    ("company_secrets", "key_id"),
    ("outbox", "key_id"),
    ("user_totp", "key_id"),
    ("signing_keys", "key_id"),
    ("webhook_endpoints", "key_id"),
];

/// The distinct key ids found in the sealed columns, each with the table it was found in.
/// `SELECT DISTINCT` over an index on the key id column skips from one id to the next, so a
/// table with a row per company (`company_keys`) costs a few seeks, not a scan, at every start.
pub fn key_ids_in_use(conn: &Db) -> DomainResult<Vec<(String, &'static str)>> {
    let mut out = Vec::new();
    for (table, column) in SEALED_KEY_COLUMNS {
        // Both names are compile-time constants from the list above, never input.
        let sql =
            format!("SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY 1");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            out.push((row?, *table));
        }
    }
    Ok(out)
}

/// Key ids this database was rotated away from (`keys.rotated` audit events): older backups
/// are legitimately sealed with them.
pub fn retired_key_ids(conn: &Db) -> DomainResult<Vec<String>> {
    // The details are opened as a whole column (the form both stores take) and read here:
    // a rotation is a rare event.
    let mut stmt = conn.prepare(
        "SELECT armario_open('audit_events', 'details', company_id, details)
         FROM audit_events WHERE action = 'keys.rotated'",
    )?;
    let details = stmt
        .query_map([], |r| r.get::<_, Option<String>>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut ids: Vec<String> = details
        .iter()
        .flatten()
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .filter_map(|d| d.get("from_key_id")?.as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of the schema named `key_id` sits beside sealed data and must be checked.
    #[test]
    fn every_key_id_column_is_listed() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND p.name LIKE '%key_id'",
            )
            .unwrap();
        let found: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!found.is_empty());
        for (table, column) in found {
            assert!(
                SEALED_KEY_COLUMNS.contains(&(table.as_str(), column.as_str())),
                "{table}.{column} holds key ids but is not in SEALED_KEY_COLUMNS"
            );
        }
        assert!(key_ids_in_use(&crate::db::Db::sqlite(&conn))
            .unwrap()
            .is_empty());
        assert!(retired_key_ids(&crate::db::Db::sqlite(&conn))
            .unwrap()
            .is_empty());
    }
}
