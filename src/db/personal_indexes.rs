//! What a sealed copy does with its indexes. The companies' search index is emptied and its
//! triggers set aside while cells change; the indexes over sealed columns, the index of rows
//! still in clear and then every other index are dropped and listed in the copy; a restore
//! builds them all again once the cells are open.

use rusqlite::OptionalExtension;

use super::personal_columns::PersonalColumns;
use crate::db::sql::Db;
use crate::error::DomainResult;

/// The search index over companies' names holds the text it indexes. In a sealed copy it is
/// emptied, and a restore rebuilds it from the opened text. While cells change, its triggers
/// are set aside (they would index ciphertext, one row at a time); this returns them, to put
/// back with [`resume_search_index`]. Nothing to do in a database without the index.
pub fn suspend_search_index(conn: &Db) -> DomainResult<Vec<String>> {
    if !super::has_table(conn, "company_search")? {
        return Ok(Vec::new());
    }
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'trigger' AND name LIKE 'company\\_search\\_%' ESCAPE '\\'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &triggers {
        // The name comes from the schema and matched the pattern above.
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    super::cached_execute(
        conn,
        "INSERT INTO company_search (company_search) VALUES ('delete-all')",
        [],
    )?;
    // The index is empty now, and a restore indexes every company again.
    if super::has_table(conn, "company_search_pending")? {
        super::search_upkeep::forget_pending(conn)?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// Puts the triggers back, and with `rebuild` indexes the companies' text again.
pub fn resume_search_index(conn: &Db, triggers: &[String], rebuild: bool) -> DomainResult<()> {
    if triggers.is_empty() {
        return Ok(());
    }
    for sql in triggers {
        conn.execute_batch(sql)?;
    }
    if rebuild {
        super::cached_execute(
            conn,
            "INSERT INTO company_search (company_search) VALUES ('rebuild')",
            [],
        )?;
    }
    Ok(())
}

/// Drops the indexes of `p`'s table that name any of `columns` and returns their SQL, to put
/// back with [`restore_indexes`]. Sealing writes random ciphertext into those columns: each of
/// a million rows would move to a random place in each such index, while building the index
/// again after the rows have changed is one sort. The index of the rows still in clear
/// (`p.pending`) stays for [`seal_all`](super::personal_rows::seal_all) to read; [`drop_pending_index`] drops it after.
pub fn suspend_indexes(
    conn: &Db,
    p: &PersonalColumns,
    columns: &[&str],
) -> DomainResult<Vec<String>> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
        )?
        .query_map([p.table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut dropped = Vec::new();
    for (name, sql) in indexes {
        if p.pending
            .as_ref()
            .is_some_and(|pending| pending.index == name)
        {
            continue;
        }
        let names_a_column = sql
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|word| columns.contains(&word));
        if names_a_column {
            drop_index(conn, &name)?;
            dropped.push(sql);
        }
    }
    Ok(dropped)
}

/// The SQL of `p`'s index of rows still in clear, when the file has it.
pub(super) fn pending_index_sql(conn: &Db, p: &PersonalColumns) -> DomainResult<Option<String>> {
    let Some(pending) = &p.pending else {
        return Ok(None);
    };
    Ok(conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1 AND tbl_name = ?2",
            [pending.index, p.table],
            |r| r.get(0),
        )
        .optional()?)
}

/// Drops `p`'s index of rows still in clear, once [`seal_all`](super::personal_rows::seal_all) has read it, and returns its
/// SQL to put back like the others [`suspend_indexes`] returns.
pub fn drop_pending_index(conn: &Db, p: &PersonalColumns) -> DomainResult<Vec<String>> {
    let Some(sql) = pending_index_sql(conn, p)? else {
        return Ok(Vec::new());
    };
    if let Some(pending) = &p.pending {
        drop_index(conn, pending.index)?;
    }
    Ok(vec![sql])
}

/// Drops every index the file still has (those SQLite makes for a `UNIQUE` or `PRIMARY KEY`
/// constraint excepted) and returns their SQL, to put back with [`restore_indexes`]. For a
/// sealed copy: indexes hold nothing their tables do not, and on a million companies they were
/// 2.3 of its 7.9 GB. Freed pages are zeroed where `secure_delete` is on, and zeros cost a
/// backup's compression almost nothing; a restore builds the indexes once.
pub fn drop_all_indexes(conn: &Db) -> DomainResult<Vec<String>> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut dropped = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        drop_index(conn, &name)?;
        dropped.push(sql);
    }
    Ok(dropped)
}

/// Drops the index `name` (read from the schema or a constant, quoted all the same).
fn drop_index(conn: &Db, name: &str) -> DomainResult<()> {
    conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    Ok(())
}

/// Creates again the indexes [`suspend_indexes`] dropped.
pub fn restore_indexes(conn: &Db, indexes: &[String]) -> DomainResult<()> {
    for sql in indexes {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// Where a sealed copy lists the indexes it was made without.
const SET_ASIDE: &str = "backup_set_aside_indexes";

/// Lists the indexes [`suspend_indexes`] dropped in a table of the sealed copy itself, for
/// [`rebuild_set_aside_indexes`] to build at restore, after the cells are opened. Built in the
/// copy, they would index ciphertext that the restore replaces anyway: on a million companies
/// that was a quarter of the sealing.
pub fn set_indexes_aside(conn: &Db, indexes: &[String]) -> DomainResult<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {SET_ASIDE} (sql TEXT NOT NULL)"
    ))?;
    for sql in indexes {
        conn.execute(&format!("INSERT INTO {SET_ASIDE} (sql) VALUES (?1)"), [sql])?;
    }
    Ok(())
}

/// Builds the indexes a sealed copy was made without and drops their list; how many it built
/// (none in a copy made before indexes were set aside).
pub fn rebuild_set_aside_indexes(conn: &Db) -> DomainResult<usize> {
    if !super::has_table(conn, SET_ASIDE)? {
        return Ok(0);
    }
    let indexes: Vec<String> = conn
        .prepare(&format!("SELECT sql FROM {SET_ASIDE} ORDER BY rowid"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    restore_indexes(conn, &indexes)?;
    conn.execute_batch(&format!("DROP TABLE {SET_ASIDE}"))?;
    Ok(indexes.len())
}
