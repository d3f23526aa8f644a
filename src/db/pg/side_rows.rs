//! The rows a PostgreSQL dump leaves out: those of the tables whose personal columns the store
//! keeps in clear (a company's names and contacts, invitations' addresses, configurations,
//! sessions' addresses, mail and webhook payloads…). The dump goes without their data; the
//! backup reads them, in the dump's own snapshot, as JSON, seals their personal columns under
//! each company's key (`backup::pg_rows`) and keeps them beside the dump. A restore writes them
//! back between the dump's data and its indexes and constraints, opened where the key is still
//! there and as `Unreadable` says where it is not.
//!
//! Tables the store seals itself (secrets, audit events) stay in the dump as they are. People
//! are sealed by the store too, but their e-mails' index (a keyed hash, with which anyone
//! holding the master key could test a guessed address) must not travel: their rows go beside
//! the dump as they are, with the index emptied, and the first start after a restore computes
//! it again (`company_keys::reindex_pending`).

use serde_json::{Map, Value};

use crate::db::personal_columns::{PersonalColumns, BY_COMPANY};
use crate::db::sql::Db;

/// Tables whose personal columns the PostgreSQL store seals under the company's key as it
/// writes them: a dump holds them as they are.
const SEALED_BY_STORE: &[&str] = &["users", "company_secrets", "audit_events"];

/// Rows read per round trip.
const FETCH: usize = 1000;

/// One row of a table a dump leaves out: its company (none: not a company's row, kept in
/// clear) and its columns by name, as `row_to_json` gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct SideRow {
    pub table: &'static str,
    pub company: Option<String>,
    pub row: Map<String, Value>,
}

/// The tables whose rows travel beside the dump, with their personal columns: those the store
/// keeps in clear, and those with a column no copy holds (`emptied`).
pub fn tables() -> impl Iterator<Item = &'static PersonalColumns> {
    BY_COMPANY
        .iter()
        .filter(|p| !SEALED_BY_STORE.contains(&p.table) || !p.emptied.is_empty())
}

/// The columns of `p` a backup seals: none where the store has sealed them already.
pub fn sealed_here(p: &PersonalColumns) -> &'static [&'static str] {
    if SEALED_BY_STORE.contains(&p.table) {
        &[]
    } else {
        p.sealed
    }
}

/// The table of `name` among [`tables`].
pub fn table(name: &str) -> Option<&'static PersonalColumns> {
    tables().find(|p| p.table == name)
}

/// Hands every row of `p`'s table, as the transaction sees it, to `each`, a page at a time
/// through a cursor (a table of a million companies is never held at once); returns how many.
pub(super) fn read(
    db: &Db,
    p: &'static PersonalColumns,
    each: &mut dyn FnMut(SideRow) -> Result<(), String>,
) -> Result<u64, String> {
    let failed = |e: rusqlite::Error| format!("reading {}: {e}", p.table);
    // Table and company expression are compile-time constants of `BY_COMPANY`.
    db.execute_batch(&format!(
        "DECLARE armario_side_rows NO SCROLL CURSOR FOR
         SELECT {company}, row_to_json(t)::text FROM {table} t",
        company = p.company,
        table = p.table
    ))
    .map_err(failed)?;
    let mut read = 0;
    loop {
        let page: Vec<(Option<String>, String)> = db
            .prepare(&format!("FETCH {FETCH} FROM armario_side_rows"))
            .map_err(failed)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(failed)?
            .collect::<rusqlite::Result<_>>()
            .map_err(failed)?;
        let last = page.len() < FETCH;
        for (company, json) in page {
            let mut row = match serde_json::from_str(&json) {
                Ok(Value::Object(row)) => row,
                _ => return Err(format!("reading {}: a row that is not an object", p.table)),
            };
            // As the file's backups: a company's rows (the platform's own people keep theirs).
            if company.is_some() {
                for column in p.emptied {
                    row.insert(column.to_string(), Value::Null);
                }
            }
            each(SideRow {
                table: p.table,
                company,
                row,
            })?;
            read += 1;
        }
        if last {
            break;
        }
    }
    db.execute_batch("CLOSE armario_side_rows")
        .map_err(failed)?;
    Ok(read)
}

/// Writes one row back into its table: every column from the JSON, as `row_to_json` gave it.
pub(super) fn insert(db: &Db, row: &SideRow) -> Result<(), String> {
    let json = Value::Object(row.row.clone()).to_string();
    // The table is one of `tables()`, a compile-time constant.
    db.prepare_cached(&format!(
        "INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, (?1::text)::json)",
        table = row.table
    ))
    .and_then(|mut s| s.execute([json]))
    .map(|_| ())
    .map_err(|e| format!("writing a row of {} back: {e}", row.table))
}
