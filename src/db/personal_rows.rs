//! Reading and writing the personal cells that `personal_columns` lists: which of them a
//! database has, a company's rows a page at a time, writing sealed or opened cells back, and
//! what stands in for rows whose company's key is gone. The companies' search index is set
//! aside while the cells change.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::personal_columns::{PersonalColumns, Unreadable};
use crate::crypto::cell::CELL_MAGIC;
use crate::error::DomainResult;

/// The sealed columns of `p` this database has: none when the table or its key is missing (a
/// copy of another schema, or an older one).
pub fn present(conn: &Connection, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    present_of(conn, p, p.sealed)
}

/// The emptied columns of `p` the file has (see [`PersonalColumns::emptied`]).
pub fn present_emptied(conn: &Connection, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    present_of(conn, p, p.emptied)
}

/// What a restore opens: the sealed columns, and the emptied ones an older backup sealed.
pub fn present_openable(conn: &Connection, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    let mut columns = present(conn, p)?;
    columns.extend(present_emptied(conn, p)?);
    Ok(columns)
}

fn present_of(
    conn: &Connection,
    p: &PersonalColumns,
    wanted: &'static [&'static str],
) -> DomainResult<Vec<&'static str>> {
    let columns: Vec<String> = conn
        .prepare_cached("SELECT name FROM pragma_table_info(?1)")?
        .query_map([p.table], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let has = |c: &str| c == "rowid" || columns.iter().any(|x| x == c);
    if columns.is_empty() || !p.key.iter().all(|k| has(k)) {
        return Ok(Vec::new());
    }
    Ok(wanted.iter().copied().filter(|c| has(c)).collect())
}

/// Empties `columns` (emptied columns of `p`) in every company's row.
pub fn empty_all(conn: &Connection, p: &PersonalColumns, columns: &[&str]) -> DomainResult<usize> {
    if columns.is_empty() {
        return Ok(0);
    }
    let set: Vec<String> = columns.iter().map(|c| format!("{c} = NULL")).collect();
    let any: Vec<String> = columns.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    // Table, columns and company expression are compile-time constants of `BY_COMPANY`.
    Ok(conn.execute(
        &format!(
            "UPDATE {} SET {} WHERE ({}) IS NOT NULL AND ({})",
            p.table,
            set.join(", "),
            p.company,
            any.join(" OR ")
        ),
        [],
    )?)
}

/// The search index over companies' names holds the text it indexes. In a sealed copy it is
/// emptied, and a restore rebuilds it from the opened text. While cells change, its triggers
/// are set aside (they would index ciphertext, one row at a time); this returns them, to put
/// back with [`resume_search_index`]. Nothing to do in a database without the index.
pub fn suspend_search_index(conn: &Connection) -> DomainResult<Vec<String>> {
    let has: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'company_search')",
        [],
        |r| r.get(0),
    )?;
    if !has {
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
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// Puts the triggers back, and with `rebuild` indexes the companies' text again.
pub fn resume_search_index(
    conn: &Connection,
    triggers: &[String],
    rebuild: bool,
) -> DomainResult<()> {
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

/// One row's personal cells, in the order of the columns asked for, with its key and company.
pub struct Row {
    /// The values of the table's `key` columns.
    pub key: Vec<Value>,
    pub company_id: String,
    pub values: Vec<Value>,
}

/// How many rows a page holds: large tables (audit events) are read a page at a time, so
/// sealing a snapshot holds one page in memory, not the table.
pub const PAGE: usize = 5_000;

/// The rows of a company that have any of `columns` set, a page at a time: after the rowid
/// `after`, with the rowid to continue from when the page is full. A table keyed otherwise
/// (small ones: sessions, secrets, contacts) comes whole in one page.
pub fn rows_page(
    conn: &Connection,
    p: &PersonalColumns,
    columns: &[&str],
    after: i64,
) -> DomainResult<(Vec<Row>, Option<i64>)> {
    let n = p.key.len();
    let any = columns
        .iter()
        .map(|c| format!("{c} IS NOT NULL"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let by_rowid = p.key == ["rowid"];
    // Table, columns and company expression are compile-time constants of `BY_COMPANY`.
    let sql = if by_rowid {
        format!(
            "SELECT rowid, {company}, {cols} FROM {table} WHERE rowid > ?1 AND ({any})
             ORDER BY rowid LIMIT {PAGE}",
            company = p.company,
            cols = columns.join(", "),
            table = p.table,
        )
    } else {
        format!(
            // `?1` is unused here; it keeps one parameter list for both forms.
            "SELECT {key}, {company}, {cols} FROM {table} WHERE ?1 IS NOT NULL AND ({any})",
            key = p.key.join(", "),
            company = p.company,
            cols = columns.join(", "),
            table = p.table,
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([after], |r| {
        let key: Vec<Value> = (0..n).map(|i| r.get(i)).collect::<Result<_, _>>()?;
        let values: Vec<Value> = (0..columns.len())
            .map(|i| r.get(n + 1 + i))
            .collect::<Result<_, _>>()?;
        Ok((key, r.get::<_, Option<String>>(n)?, values))
    })?;
    let mut out = Vec::new();
    let mut last = None;
    let mut read = 0;
    for row in rows {
        let (key, company, values) = row?;
        read += 1;
        if let Some(Value::Integer(id)) = key.first() {
            last = Some(*id);
        }
        if let Some(company_id) = company {
            out.push(Row {
                key,
                company_id,
                values,
            });
        }
    }
    let next = if by_rowid && read == PAGE { last } else { None };
    Ok((out, next))
}

/// Drops the indexes of `p`'s table that name any of `columns` and returns their SQL, to put
/// back with [`restore_indexes`]. Sealing writes random ciphertext into those columns: each of
/// a million rows would move to a random place in each such index, while building the index
/// again after the rows have changed is one sort. The index of the rows still in clear
/// (`p.pending`) stays for [`seal_all`] to read; [`drop_pending_index`] drops it after.
pub fn suspend_indexes(
    conn: &Connection,
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
            // The name comes from the schema.
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
            dropped.push(sql);
        }
    }
    Ok(dropped)
}

/// The SQL of `p`'s index of rows still in clear, when the file has it.
fn pending_index_sql(conn: &Connection, p: &PersonalColumns) -> DomainResult<Option<String>> {
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

/// Drops `p`'s index of rows still in clear, once [`seal_all`] has read it, and returns its
/// SQL to put back like the others [`suspend_indexes`] returns.
pub fn drop_pending_index(conn: &Connection, p: &PersonalColumns) -> DomainResult<Vec<String>> {
    let Some(sql) = pending_index_sql(conn, p)? else {
        return Ok(Vec::new());
    };
    if let Some(pending) = &p.pending {
        // The name is a constant of `BY_COMPANY`.
        conn.execute_batch(&format!("DROP INDEX \"{}\"", pending.index))?;
    }
    Ok(vec![sql])
}

/// Drops every index the file still has (those SQLite makes for a `UNIQUE` or `PRIMARY KEY`
/// constraint excepted) and returns their SQL, to put back with [`restore_indexes`]. For a
/// sealed copy: indexes hold nothing their tables do not, and on a million companies they were
/// 2.3 of its 7.9 GB. Freed pages are zeroed where `secure_delete` is on, and zeros cost a
/// backup's compression almost nothing; a restore builds the indexes once.
pub fn drop_all_indexes(conn: &Connection) -> DomainResult<Vec<String>> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut dropped = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        // The name comes from the schema.
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        dropped.push(sql);
    }
    Ok(dropped)
}

/// Creates again the indexes [`suspend_indexes`] dropped.
pub fn restore_indexes(conn: &Connection, indexes: &[String]) -> DomainResult<()> {
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
pub fn set_indexes_aside(conn: &Connection, indexes: &[String]) -> DomainResult<()> {
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
pub fn rebuild_set_aside_indexes(conn: &Connection) -> DomainResult<usize> {
    let listed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
        [SET_ASIDE],
        |r| r.get(0),
    )?;
    if !listed {
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

/// Rewrites every personal cell of `p` that is not sealed yet (text, or a blob without
/// [`CELL_MAGIC`]) in one statement: `seal(company, column, is_text, bytes)` gives the cell's
/// new bytes, `column` being an index into `columns`. Rows without a company keep theirs. One
/// `UPDATE` over the table costs a fraction of reading the rows out and writing each back with
/// a statement of its own, which on ten million audit events took minutes; the cells reach
/// `seal` as SQLite holds them, without a copy. A table the store seals itself is read
/// through its index of rows still in clear (`p.pending`), not scanned whole.
pub fn seal_all(
    conn: &Connection,
    p: &PersonalColumns,
    columns: &[&'static str],
    seal: impl FnMut(&str, usize, bool, &[u8]) -> Vec<u8> + Send + std::panic::UnwindSafe + 'static,
) -> DomainResult<()> {
    let magic = hex::encode(CELL_MAGIC);
    let open = |c: &str| {
        format!(
            "(typeof({c}) = 'text' OR (typeof({c}) = 'blob' AND substr({c}, 1, {len}) IS NOT x'{magic}'))",
            len = CELL_MAGIC.len()
        )
    };
    let set: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{c} = CASE WHEN {} THEN {SEAL}({i}, {}, {c}) ELSE {c} END",
                open(c),
                p.company
            )
        })
        .collect();
    let any: Vec<String> = columns.iter().map(|c| open(c)).collect();
    let count = columns.len();
    let seal = std::cell::RefCell::new(seal);
    conn.create_scalar_function(SEAL, 3, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let column = usize::try_from(ctx.get::<i64>(0)?)
            .ok()
            .filter(|i| *i < count)
            .ok_or_else(|| unexpected("a column number out of range"))?;
        let (is_text, bytes) = match ctx.get_raw(2) {
            ValueRef::Text(t) => (true, t),
            ValueRef::Blob(b) => (false, b),
            _ => return Err(unexpected("a cell that is neither text nor blob")),
        };
        let company = match ctx.get_raw(1) {
            ValueRef::Null => return Ok(ToSqlOutput::Owned(ctx.get::<Value>(2)?)),
            company => company
                .as_str()
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?,
        };
        let sealed = (seal.borrow_mut())(company, column, is_text, bytes);
        Ok(ToSqlOutput::Owned(Value::Blob(sealed)))
    })?;
    let within = match (&p.pending, pending_index_sql(conn, p)?) {
        (Some(pending), Some(_)) => format!(
            "rowid IN (SELECT rowid FROM {} INDEXED BY {} WHERE {}) AND ",
            p.table, pending.index, pending.rows
        ),
        _ => String::new(),
    };
    // Table, columns, company expression and index are compile-time constants of `BY_COMPANY`.
    let sql = format!(
        "UPDATE {} SET {} WHERE {within}({})",
        p.table,
        set.join(", "),
        any.join(" OR ")
    );
    let done = conn.execute(&sql, []);
    conn.remove_function(SEAL, 3)?;
    done?;
    Ok(())
}

fn unexpected(what: &'static str) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(what.into())
}

/// The name [`seal_all`] gives its function while it runs.
const SEAL: &str = "armario_seal_cell";

/// Writes a row's personal cells back, in the order of `columns`.
pub fn set_row(
    conn: &Connection,
    p: &PersonalColumns,
    columns: &[&str],
    key: &[Value],
    values: &[Value],
) -> DomainResult<()> {
    let set: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        p.table,
        set.join(", "),
        where_key(p, columns.len() + 1)
    );
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values.iter().chain(key)))?;
    Ok(())
}

/// `k1 = ?n AND k2 = ?n+1 ...`: the row of a key, its values numbered from `first`.
fn where_key(p: &PersonalColumns, first: usize) -> String {
    let terms: Vec<String> = p
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + first))
        .collect();
    terms.join(" AND ")
}

/// Applies `p.unreadable` to the rows of `rowids`. An audit event whose personal part is
/// replaced also loses the salt of its commitment, as an anonymisation does, so the chain
/// still verifies.
pub fn make_unreadable(
    conn: &Connection,
    p: &PersonalColumns,
    rows: &[Vec<Value>],
) -> DomainResult<()> {
    let sql = match p.unreadable {
        Unreadable::Delete => format!("DELETE FROM {} WHERE {}", p.table, where_key(p, 1)),
        Unreadable::Replace(with) => {
            let set: Vec<String> = with.iter().map(|(c, e)| format!("{c} = {e}")).collect();
            format!(
                "UPDATE {} SET {} WHERE {}",
                p.table,
                set.join(", "),
                where_key(p, 1)
            )
        }
    };
    for key in rows {
        conn.prepare_cached(&sql)?.execute(params_from_iter(key))?;
        if p.table == "audit_events" {
            conn.prepare_cached("UPDATE audit_chain SET personal_salt = NULL WHERE event_id = ?1")?
                .execute(params_from_iter(key))?;
        }
    }
    Ok(())
}
