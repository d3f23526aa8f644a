//! PostgreSQL's errors as the store's.

/// The server's error as the store's: a broken constraint reads as SQLite says it, so the
/// callers' mapping (a taken address is a 409 on `email`) holds on both stores. Values the
/// server quotes in its detail (a key that already exists) are left out.
pub fn error(e: &postgres::Error) -> rusqlite::Error {
    use postgres::error::SqlState;
    use rusqlite::ffi;
    let Some(db) = e.as_db_error() else {
        return failure(ffi::SQLITE_IOERR, format!("PostgreSQL: {e}"));
    };
    let table = db.table().unwrap_or("");
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        // The detail names the key's columns, but the server leaves it out on a table under
        // row-level security: the index's columns are then read from what the store learnt
        // when it opened ([`learn_unique_columns`]).
        let learnt = db.constraint().and_then(unique_columns);
        let columns = db
            .detail()
            .and_then(|d| d.strip_prefix("Key ("))
            .and_then(|d| d.split_once(")=").map(|(cols, _)| cols.to_string()))
            .or(learnt)
            .unwrap_or_default();
        let named: Vec<String> = columns
            .split(',')
            .map(|c| format!("{table}.{}", c.trim()))
            .collect();
        return failure(
            ffi::SQLITE_CONSTRAINT_UNIQUE,
            format!("UNIQUE constraint failed: {}", named.join(", ")),
        );
    }
    if *code == SqlState::FOREIGN_KEY_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
            "FOREIGN KEY constraint failed".into(),
        );
    }
    if *code == SqlState::CHECK_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_CHECK,
            format!("CHECK constraint failed: {}", db.constraint().unwrap_or("")),
        );
    }
    if *code == SqlState::NOT_NULL_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_NOTNULL,
            format!(
                "NOT NULL constraint failed: {table}.{}",
                db.column().unwrap_or("")
            ),
        );
    }
    if *code == SqlState::RAISE_EXCEPTION {
        // A trigger's refusal, as SQLite's RAISE(ABORT, …).
        return failure(ffi::SQLITE_CONSTRAINT_TRIGGER, db.message().to_string());
    }
    if *code == SqlState::DISK_FULL {
        return failure(ffi::SQLITE_FULL, format!("PostgreSQL: {}", db.message()));
    }
    failure(
        ffi::SQLITE_ERROR,
        format!("PostgreSQL: {} ({})", db.message(), code.code()),
    )
}

/// As [`error`], and for an error that is not a broken constraint (a statement the server
/// could not take), the beginning of the statement: the values are parameters, never in it.
pub fn error_in(e: &postgres::Error, sql: &str) -> rusqlite::Error {
    match error(e) {
        rusqlite::Error::SqliteFailure(f, Some(m))
            if matches!(
                f.extended_code,
                rusqlite::ffi::SQLITE_ERROR | rusqlite::ffi::SQLITE_IOERR
            ) =>
        {
            let statement: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let cut: String = statement.chars().take(240).collect();
            rusqlite::Error::SqliteFailure(f, Some(format!("{m} in: {cut}")))
        }
        other => other,
    }
}

/// The columns of each unique index of the schema, by index name.
static UNIQUE_COLUMNS: std::sync::RwLock<Option<std::collections::HashMap<String, String>>> =
    std::sync::RwLock::new(None);

/// Reads the columns of every unique index of the current schema (once the migrations ran).
pub fn learn_unique_columns(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    let rows = client.query(
        "SELECT c.relname::text,
                string_agg(a.attname::text, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
         WHERE i.indisunique AND n.nspname = current_schema()
         GROUP BY c.relname",
        &[],
    )?;
    let map = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    *UNIQUE_COLUMNS.write().unwrap_or_else(|p| p.into_inner()) = Some(map);
    Ok(())
}

fn unique_columns(index: &str) -> Option<String> {
    UNIQUE_COLUMNS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()?
        .get(index)
        .cloned()
}

pub(super) fn failure(code: std::os::raw::c_int, message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message))
}
