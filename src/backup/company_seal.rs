//! Each company's personal data inside a backup is sealed under a data key of its own.
//!
//! Before a snapshot is compressed and sealed, every personal column of a company's rows (the
//! list is `db::personal_columns`) is replaced in the copy by AES-256-GCM ciphertext under
//! that company's data key, and the columns worked out from them (an e-mail's index) are
//! emptied. The keys are not in the snapshot: the manifest carries them, each sealed under the
//! master key. Erasing a company removes its key from the manifest of every retained backup,
//! and then no one, not even with the master key, can read that company's personal data in any
//! of them. A restore opens the cells whose key is there and writes what `Unreadable` says
//! instead of the others; the next start indexes the e-mails again.
//!
//! The copy is made without indexes: those over sealed columns would index ciphertext, and the
//! others only repeat their tables (a third of the file on a million companies). It lists
//! them, and a restore builds them once the cells are open.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::db::Db;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::error::{BackupError, Result};
use super::seal_keys::SealKeys;
use super::snapshot::{count_new_tables, facts_of, DbFacts};
use crate::crypto::cell::{aad, aad_prefix, open_cell, seal_bytes, CELL_MAGIC};
use crate::crypto::company_keys::KeyRing;
use crate::db::personal_columns::{self as personal, PersonalColumns, BY_COMPANY};

/// Each company's data key in one backup, by company id.
pub type CompanyKeys = BTreeMap<String, [u8; 32]>;

/// A sealed copy's keys and what the manifest records of it.
pub struct SealedCopy {
    pub keys: CompanyKeys,
    pub facts: DbFacts,
}

/// What a restore found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Unsealed {
    /// Cells opened with their company's key.
    pub opened: u64,
    /// Companies whose cells could not be opened (their key is gone): their rows now hold what
    /// `Unreadable` says.
    pub unreadable: BTreeSet<String>,
}

fn db_err(what: &'static str) -> impl Fn(crate::error::DomainError) -> BackupError {
    move |e| BackupError::IntegrityCheck(format!("{what}: {e}"))
}

fn open_rw(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(BackupError::sqlite("opening the snapshot"))?;
    // A value replaced in place leaves no trace of the old bytes in the file (free blocks and
    // freed pages are zeroed), so the sealed object holds no clear copy of what was sealed.
    // The copy is private and thrown away on any failure, so it keeps no journal at all: a
    // journal in memory would hold every page changed, the whole audit log on a large store.
    // Stored checks (a slug's or an e-mail's form) do not apply to ciphertext.
    // A page cache of 64 MiB (SQLite's default is 2 MiB) lets the rewrite of a large table
    // spill each page to the file once, not again and again as its neighbours split.
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA journal_mode = OFF;
         PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF;
         PRAGMA cache_size = -65536;",
    )
    .map_err(BackupError::sqlite("preparing the snapshot"))?;
    Ok(conn)
}

/// Seals the personal columns of every company's rows in the snapshot at `path` under the
/// company's key and returns the keys, one per company that had any, with the sealed copy's
/// facts for the manifest. A company's key is the
/// store's own (`company_keys`, opened with `live`), which already seals its users' fields and
/// its secrets; the snapshot keeps none of them, the manifest carries them.
pub fn seal_snapshot(path: &Path, live: &KeyRing) -> Result<SealedCopy> {
    let mut conn = open_rw(path)?;
    // The sealed copy is not flushed to the disk: it is read back at once and removed, and
    // the object made of it is what the run stores durably. (A restore's copy is flushed: it
    // becomes the live file.)
    conn.pragma_update(None, "synchronous", "OFF")
        .map_err(BackupError::sqlite("preparing the snapshot"))?;
    let tx = conn
        .transaction()
        .map_err(BackupError::sqlite("sealing the snapshot"))?;
    let started = std::time::Instant::now();
    let search = personal::suspend_search_index(&Db::sqlite(&tx))
        .map_err(db_err("emptying the search index"))?;
    tracing::debug!(ms = started.elapsed().as_millis(), "search index emptied");
    let started = std::time::Instant::now();
    let keys = Arc::new(Mutex::new(live_keys(&tx, live)?));
    tracing::debug!(ms = started.elapsed().as_millis(), "company keys read");
    let mut set_aside = Vec::new();
    for p in BY_COMPANY {
        let columns =
            personal::present(&Db::sqlite(&tx), p).map_err(db_err("reading the schema"))?;
        if columns.is_empty() {
            continue;
        }
        let emptied =
            personal::present_emptied(&Db::sqlite(&tx), p).map_err(db_err("reading the schema"))?;
        let mut indexes =
            personal::suspend_indexes(&Db::sqlite(&tx), p, &[&columns[..], &emptied].concat())
                .map_err(db_err("setting the sealed columns' indexes aside"))?;
        let keys = keys.clone();
        let started = std::time::Instant::now();
        let prefixes: Vec<Vec<u8>> = columns.iter().map(|c| aad_prefix(p.table, c)).collect();
        let mut aad = Vec::with_capacity(128);
        personal::seal_all(
            &Db::sqlite(&tx),
            p,
            &columns,
            move |company, column, is_text, bytes| {
                let mut keys = keys.lock().unwrap_or_else(|e| e.into_inner());
                aad.clear();
                aad.extend_from_slice(&prefixes[column]);
                aad.extend_from_slice(company.as_bytes());
                seal_bytes(keys.cipher(company), &aad, is_text, bytes)
            },
        )
        .map_err(db_err("sealing personal columns"))?;
        personal::empty_all(&Db::sqlite(&tx), p, &emptied)
            .map_err(db_err("emptying derived columns"))?;
        indexes.extend(
            personal::drop_pending_index(&Db::sqlite(&tx), p)
                .map_err(db_err("setting the sealed columns' indexes aside"))?,
        );
        tracing::debug!(
            table = p.table,
            ms = started.elapsed().as_millis(),
            indexes_set_aside = indexes.len(),
            "table sealed"
        );
        set_aside.extend(indexes);
    }
    // Counted while the other indexes are still there: SQLite counts a table's rows through its
    // smallest index, a fraction of the table's pages (on a million companies 0.7 s against
    // 7 s without). What follows adds no row and removes none; it only makes the list of
    // indexes set aside, counted once written.
    let started = std::time::Instant::now();
    let mut facts = facts_of(&tx)?;
    tracing::debug!(ms = started.elapsed().as_millis(), "rows counted");
    let started = std::time::Instant::now();
    set_aside.extend(
        personal::drop_all_indexes(&Db::sqlite(&tx))
            .map_err(db_err("setting the other indexes aside"))?,
    );
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        indexes_set_aside = set_aside.len(),
        "other indexes dropped"
    );
    let started = std::time::Instant::now();
    personal::set_indexes_aside(&Db::sqlite(&tx), &set_aside)
        .map_err(db_err("listing the indexes a restore builds"))?;
    count_new_tables(&tx, &mut facts.row_counts)?;
    personal::resume_search_index(&Db::sqlite(&tx), &search, false)
        .map_err(db_err("restoring the search index's triggers"))?;
    if has_company_keys(&tx)? {
        tx.execute("UPDATE company_keys SET sealed = NULL, key_id = NULL", [])
            .map_err(BackupError::sqlite(
                "taking the companies' keys out of the snapshot",
            ))?;
    }
    tx.commit()
        .map_err(BackupError::sqlite("sealing the snapshot"))?;
    tracing::debug!(ms = started.elapsed().as_millis(), "company keys taken out");
    let keys = std::mem::take(&mut *keys.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(SealedCopy {
        keys: keys.into_keys(),
        facts,
    })
}

/// Whether the file has the store's company keys (a file from an older armario has none).
fn has_company_keys(conn: &Connection) -> Result<bool> {
    crate::db::has_table(&Db::sqlite(conn), "company_keys")
        .map_err(BackupError::sqlite("reading the snapshot's schema"))
}

/// The store's company keys in the snapshot, opened, straight into the table the seal looks
/// them up in. A key that does not open stops the run: what it seals would be lost to the
/// backup.
fn live_keys(conn: &Connection, live: &KeyRing) -> Result<SealKeys> {
    let mut keys = SealKeys::default();
    if !has_company_keys(conn)? {
        return Ok(keys);
    }
    let mut failed = None;
    crate::db::company_keys::for_each_sealed(&Db::sqlite(conn), |company, sealed, key_id| {
        match live.unseal_company_key(&company, &sealed, &key_id) {
            Ok(key) => keys.insert(&company, *key),
            Err(e) => {
                failed = Some(BackupError::IntegrityCheck(format!(
                    "the data key of company {company} does not open: {e}"
                )))
            }
        }
        failed.is_none()
    })
    .map_err(db_err("reading the companies' keys"))?;
    match failed {
        Some(e) => Err(e),
        None => Ok(keys),
    }
}

/// Opens what the keys open in the restored copy at `path`; rows of a company whose key is not
/// among `keys` get what `Unreadable` says.
pub fn unseal_snapshot(path: &Path, keys: &CompanyKeys) -> Result<Unsealed> {
    let mut conn = open_rw(path)?;
    let tx = conn
        .transaction()
        .map_err(BackupError::sqlite("opening the snapshot's sealed columns"))?;
    let search = personal::suspend_search_index(&Db::sqlite(&tx))
        .map_err(db_err("emptying the search index"))?;
    let mut report = Unsealed::default();
    for p in BY_COMPANY {
        let unreadable = unseal_table(&tx, p, keys, &mut report)?;
        personal::make_unreadable(&Db::sqlite(&tx), p, &unreadable)
            .map_err(db_err("replacing what cannot be read"))?;
    }
    personal::rebuild_set_aside_indexes(&Db::sqlite(&tx))
        .map_err(db_err("building the indexes the backup was made without"))?;
    personal::resume_search_index(&Db::sqlite(&tx), &search, true)
        .map_err(db_err("rebuilding the search index"))?;
    tx.commit()
        .map_err(BackupError::sqlite("opening the snapshot's sealed columns"))?;
    Ok(report)
}

fn unseal_table(
    conn: &Connection,
    p: &PersonalColumns,
    keys: &CompanyKeys,
    report: &mut Unsealed,
) -> Result<Vec<Vec<Value>>> {
    let mut unreadable: BTreeSet<Vec<KeyValue>> = BTreeSet::new();
    let columns =
        personal::present_openable(&Db::sqlite(conn), p).map_err(db_err("reading the schema"))?;
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let mut after = 0;
    loop {
        let (rows, next) = personal::rows_page(&Db::sqlite(conn), p, &columns, after)
            .map_err(db_err("reading personal columns"))?;
        'rows: for mut row in rows {
            let mut opened = 0;
            for (column, value) in columns.iter().zip(row.values.iter_mut()) {
                let Value::Blob(bytes) = &*value else {
                    continue;
                };
                if !bytes.starts_with(CELL_MAGIC) {
                    continue;
                }
                let aad = aad(p.table, column, &row.company_id);
                match keys
                    .get(&row.company_id)
                    .and_then(|k| open_cell(k, &aad, bytes))
                {
                    Some(clear) => {
                        *value = clear;
                        opened += 1;
                    }
                    None => {
                        unreadable.insert(row.key.iter().map(KeyValue::from).collect());
                        report.unreadable.insert(row.company_id);
                        continue 'rows;
                    }
                }
            }
            if opened > 0 {
                personal::set_row(&Db::sqlite(conn), p, &columns, &row.key, &row.values)
                    .map_err(db_err("opening personal columns"))?;
                report.opened += opened;
            }
        }
        match next {
            Some(n) => after = n,
            None => break,
        }
    }
    Ok(unreadable
        .into_iter()
        .map(|key| key.into_iter().map(Value::from).collect())
        .collect())
}

/// A key column's value, ordered, so each row is replaced once however many of its cells
/// were unreadable.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum KeyValue {
    Null,
    Integer(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<&Value> for KeyValue {
    fn from(v: &Value) -> Self {
        match v {
            Value::Integer(i) => KeyValue::Integer(*i),
            Value::Text(t) => KeyValue::Text(t.clone()),
            Value::Blob(b) => KeyValue::Blob(b.clone()),
            // Keys are never real numbers; NULL never names a row.
            Value::Real(_) | Value::Null => KeyValue::Null,
        }
    }
}

impl From<KeyValue> for Value {
    fn from(k: KeyValue) -> Self {
        match k {
            KeyValue::Null => Value::Null,
            KeyValue::Integer(i) => Value::Integer(i),
            KeyValue::Text(t) => Value::Text(t),
            KeyValue::Blob(b) => Value::Blob(b),
        }
    }
}

#[cfg(test)]
#[path = "company_seal_tests.rs"]
mod tests;
