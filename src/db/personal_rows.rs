//! Reading and writing the personal cells that `personal_columns` lists: which of them a
//! database has, a company's rows a page at a time, writing sealed or opened cells back, and
//! what stands in for rows whose company's key is gone. What happens to the indexes meanwhile
//! is `personal_indexes`.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use super::personal_columns::{PersonalColumns, Unreadable};
use super::personal_indexes::pending_index_sql;
use crate::crypto::cell::CELL_MAGIC;
use crate::db::sql::{params_from_iter, Db};
use crate::error::DomainResult;

/// The sealed columns of `p` this database has: none when the table or its key is missing (a
/// copy of another schema, or an older one).
pub fn present(conn: &Db, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    present_of(conn, p, p.sealed)
}

/// The emptied columns of `p` the file has (see [`PersonalColumns::emptied`]).
pub fn present_emptied(conn: &Db, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    present_of(conn, p, p.emptied)
}

/// What a restore opens: the sealed columns, and the emptied ones an older backup sealed.
pub fn present_openable(conn: &Db, p: &PersonalColumns) -> DomainResult<Vec<&'static str>> {
    let mut columns = present(conn, p)?;
    columns.extend(present_emptied(conn, p)?);
    Ok(columns)
}

fn present_of(
    conn: &Db,
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
pub fn empty_all(conn: &Db, p: &PersonalColumns, columns: &[&str]) -> DomainResult<usize> {
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
    conn: &Db,
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

/// Rewrites every personal cell of `p` that is not sealed yet (text, or a blob without
/// [`CELL_MAGIC`]) in one statement: `seal(company, column, is_text, bytes)` gives the cell's
/// new bytes, `column` being an index into `columns`. Rows without a company keep theirs. One
/// `UPDATE` over the table costs a fraction of reading the rows out and writing each back with
/// a statement of its own, which on ten million audit events took minutes; the cells reach
/// `seal` as SQLite holds them, without a copy. A table the store seals itself is read
/// through its index of rows still in clear (`p.pending`), not scanned whole.
pub fn seal_all(
    conn: &Db,
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
    let db = conn;
    // The sealing runs as a function the SQLite connection is given for this one statement.
    let conn = db.sqlite_only("sealing a backup's cells")?;
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
    let within = match (&p.pending, pending_index_sql(db, p)?) {
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
    conn: &Db,
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
pub fn make_unreadable(conn: &Db, p: &PersonalColumns, rows: &[Vec<Value>]) -> DomainResult<()> {
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
