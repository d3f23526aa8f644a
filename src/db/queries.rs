//! Helpers every storage module shares: statements through the connection's cache, the
//! schema's version and tables, LIKE patterns, snapshots and keyset pages.

use super::{sql, Db};
use crate::error::DomainResult;

/// Runs one statement through the connection's statement cache: preparing an insert compiles
/// the triggers it fires (the search index, the kept counts), which costs more than running it.
pub(crate) fn cached_execute<P: sql::Params>(
    conn: &Db,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the connection's statement cache: hot lookups skip SQL compilation.
pub(crate) fn cached_row<T, P, F>(conn: &Db, sql: &str, params: P, f: F) -> rusqlite::Result<T>
where
    P: sql::Params,
    F: FnOnce(&sql::Row<'_>) -> rusqlite::Result<T>,
{
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// The schema version of the store `conn` reaches (SQLite keeps it in the file's header,
/// PostgreSQL in `armario_schema`).
pub fn schema_version(conn: &Db) -> DomainResult<u32> {
    let sql = match conn.dialect() {
        sql::Dialect::Sqlite => "PRAGMA user_version",
        sql::Dialect::Postgres => "SELECT version FROM armario_schema WHERE id = 1",
    };
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// Whether the file has the table `name` (a file from an older armario may not).
pub(crate) fn has_table(conn: &Db, name: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
    )?
    .query_row([name], |r| r.get(0))
}

/// Escapes LIKE wildcards so a search for "50%" means the text "50%"; use with `ESCAPE '\\'`.
pub(crate) fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Runs `read` on one snapshot of the store, so statements read apart see the same rows: in a
/// read transaction of its own (rolled back after; it writes nothing), or in the transaction
/// the caller is already in.
pub fn in_snapshot<T>(conn: &Db, read: impl FnOnce(&Db) -> DomainResult<T>) -> DomainResult<T> {
    if conn.is_autocommit() {
        conn.snapshot(read)
    } else {
        read(conn)
    }
}

/// Runs a keyset query that fetched `limit + 1` rows: the extra row only says that another
/// page exists, and the cursor is the key of the last row kept.
pub(crate) fn keyset_page<T>(
    stmt: &mut sql::Stmt<'_>,
    args: &[Box<dyn rusqlite::ToSql>],
    limit: u32,
    from_row: impl FnMut(&sql::Row<'_>) -> rusqlite::Result<T>,
    key: impl Fn(&T) -> String,
) -> DomainResult<crate::domain::Page<T>> {
    keyset(
        stmt,
        sql::params_from_iter(args.iter()),
        limit,
        from_row,
        key,
    )
}

/// [`keyset_page`] with fixed parameters.
pub(crate) fn keyset<T>(
    stmt: &mut sql::Stmt<'_>,
    params: impl sql::Params,
    limit: u32,
    from_row: impl FnMut(&sql::Row<'_>) -> rusqlite::Result<T>,
    key: impl Fn(&T) -> String,
) -> DomainResult<crate::domain::Page<T>> {
    let items = stmt
        .query_map(params, from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(crate::domain::Page::from_rows(items, limit, key))
}

/// The database's size in bytes as its store counts it: SQLite's pages in use, or PostgreSQL's
/// `pg_database_size`.
pub fn database_size(conn: &Db) -> DomainResult<i64> {
    let sql = match conn.dialect() {
        sql::Dialect::Sqlite => {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        }
        sql::Dialect::Postgres => "SELECT pg_database_size(current_database())",
    };
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// What a claim adds to its select on PostgreSQL: ` FOR UPDATE [OF table] SKIP LOCKED`, so a
/// claim never waits for, nor takes, rows another transaction holds. SQLite has one writer and
/// nothing to add.
pub(crate) fn skip_locked(conn: &Db, table: &str) -> String {
    match conn.dialect() {
        sql::Dialect::Sqlite => String::new(),
        sql::Dialect::Postgres if table.is_empty() => " FOR UPDATE SKIP LOCKED".into(),
        sql::Dialect::Postgres => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
    }
}
