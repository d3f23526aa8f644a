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
        let columns = db
            .detail()
            .and_then(|d| d.strip_prefix("Key ("))
            .and_then(|d| d.split_once(")=").map(|(cols, _)| cols))
            .unwrap_or("");
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

pub(super) fn failure(code: std::os::raw::c_int, message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message))
}
