//! The rows a PostgreSQL dump leaves out (`db::pg::side_rows`: the tables whose personal
//! columns the store keeps in clear), sealed per company as the SQLite file's copy is: each
//! personal column's value under the company's data key, bound to its table, column and
//! company. Erasing a company removes its key from every manifest, and then no one, not even
//! with the master key, reads its names and contacts in any PostgreSQL backup either.
//!
//! A PostgreSQL snapshot is the dump as `pg_dump` wrote it, then the rows, one JSON object per
//! line, then a trailer: the rows' length (8 bytes, little-endian) and [`MAGIC`]. A backup made
//! before the rows were kept apart is the dump alone, with no trailer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::company_seal::CompanyKeys;
use super::error::{BackupError, Result};
use super::seal_keys::SealKeys;
use crate::crypto::cell::{aad, open_cell, seal_bytes};
use crate::crypto::company_keys::KeyRing;
use crate::db::personal_columns::Unreadable;
use crate::db::pg::backup::{DumpSink, SealedKey};
use crate::db::pg::side_rows::{self, SideRow};

/// Ends a snapshot that has rows after its dump.
const MAGIC: &[u8; 8] = b"ARMPGR1\n";
const TRAILER: u64 = 16;

/// One row as the snapshot keeps it: its clear columns, and its personal ones sealed.
#[derive(Serialize, Deserialize)]
struct Line {
    #[serde(rename = "t")]
    table: String,
    #[serde(rename = "c")]
    company: Option<String>,
    #[serde(rename = "r")]
    row: Map<String, Value>,
    /// Each personal column's sealed cell (base64) by name.
    #[serde(rename = "s", default)]
    sealed: BTreeMap<String, String>,
}

/// Takes a dump's companies' keys and, once `pg_dump` has written the dump, the rows it left
/// out, sealed, after it.
pub struct Writer<'a> {
    dest: PathBuf,
    file: Option<BufWriter<File>>,
    written: u64,
    live: &'a KeyRing,
    keys: SealKeys,
    failed: Option<BackupError>,
}

impl<'a> Writer<'a> {
    pub fn new(dest: &Path, live: &'a KeyRing) -> Self {
        Self {
            dest: dest.to_path_buf(),
            file: None,
            written: 0,
            live,
            keys: SealKeys::default(),
            failed: None,
        }
    }

    fn file(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            let file = OpenOptions::new().append(true).open(&self.dest)?;
            self.file = Some(BufWriter::with_capacity(1 << 20, file));
        }
        Ok(self.file.as_mut().expect("opened just above"))
    }

    /// Writes the trailer and returns the keys the rows are sealed under (with those of
    /// companies that had no rows), or what stopped the dump.
    pub fn finish(mut self) -> Result<CompanyKeys> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let written = self.written;
        let io = |e| BackupError::io("writing the snapshot's rows")(e);
        let file = self.file().map_err(io)?;
        file.write_all(&written.to_le_bytes()).map_err(io)?;
        file.write_all(MAGIC).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(self.keys.into_keys())
    }

    fn seal(&mut self, row: SideRow) -> Line {
        let mut line = Line {
            table: row.table.to_string(),
            company: row.company,
            row: row.row,
            sealed: BTreeMap::new(),
        };
        let (Some(company), Some(p)) = (&line.company, side_rows::table(row.table)) else {
            return line;
        };
        let cipher = self.keys.cipher(company);
        for column in side_rows::sealed_here(p) {
            match line.row.get(*column) {
                None | Some(Value::Null) => continue,
                Some(value) => {
                    let clear = value.to_string();
                    let cell = seal_bytes(
                        cipher,
                        &aad(p.table, column, company),
                        true,
                        clear.as_bytes(),
                    );
                    line.sealed.insert(column.to_string(), B64.encode(cell));
                    line.row.remove(*column);
                }
            }
        }
        line
    }
}

impl DumpSink for Writer<'_> {
    fn key(&mut self, k: SealedKey) -> bool {
        match self
            .live
            .unseal_company_key(&k.company, &k.sealed, &k.key_id)
        {
            Ok(key) => {
                self.keys.insert(&k.company, *key);
                true
            }
            Err(e) => {
                self.failed = Some(BackupError::IntegrityCheck(format!(
                    "the data key of company {} does not open: {e}",
                    k.company
                )));
                false
            }
        }
    }

    fn row(&mut self, row: SideRow) -> std::result::Result<(), String> {
        let line = self.seal(row);
        let mut bytes = serde_json::to_vec(&line).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        self.file()
            .and_then(|f| f.write_all(&bytes))
            .map_err(|e| format!("writing the snapshot's rows: {e}"))?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

/// Where [`split`] puts a snapshot's rows: beside it, in the same private directory.
pub fn rows_beside(snapshot: &Path) -> PathBuf {
    snapshot.with_extension("rows")
}

/// Leaves the dump alone in `snapshot` (cut, in place, where its rows begin) and moves the rows
/// to [`rows_beside`] it; a snapshot without rows (an older backup) is left as it is.
pub fn split(snapshot: &Path) -> Result<()> {
    let io = |e| BackupError::io("reading the snapshot's rows")(e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(snapshot)
        .map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size < TRAILER {
        return Ok(());
    }
    let mut trailer = [0u8; TRAILER as usize];
    file.seek(SeekFrom::Start(size - TRAILER)).map_err(io)?;
    file.read_exact(&mut trailer).map_err(io)?;
    if &trailer[8..] != MAGIC {
        return Ok(());
    }
    let len = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    let Some(start) = (size - TRAILER).checked_sub(len) else {
        return Err(BackupError::IntegrityCheck(
            "the snapshot's rows are longer than the snapshot".into(),
        ));
    };
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut rows = File::create(rows_beside(snapshot)).map_err(io)?;
    std::io::copy(&mut (&mut file).take(len), &mut rows).map_err(io)?;
    file.set_len(start).map_err(io)?;
    Ok(())
}

/// The rows kept beside a dump, opened with the backup's keys: a row whose company's key is
/// gone (erased since) is left out or gets what `Unreadable` says, as in the SQLite file's
/// restore.
pub struct Opener<'k> {
    lines: Option<std::io::Lines<BufReader<File>>>,
    keys: &'k CompanyKeys,
    /// Where `Unreadable`'s SQL expressions are worked out.
    scratch: Option<rusqlite::Connection>,
    pub opened: u64,
    pub unreadable: BTreeSet<String>,
    /// Rows left out by table: the backup holds them, no one can read them.
    pub left_out: BTreeMap<String, u64>,
}

impl<'k> Opener<'k> {
    /// The rows [`split`] put beside `snapshot` (none for a backup without them).
    pub fn new(snapshot: &Path, keys: &'k CompanyKeys) -> Result<Self> {
        let lines = match File::open(rows_beside(snapshot)) {
            Ok(f) => Some(BufReader::with_capacity(1 << 20, f).lines()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(BackupError::io("reading the snapshot's rows")(e)),
        };
        Ok(Self {
            lines,
            keys,
            scratch: None,
            opened: 0,
            unreadable: BTreeSet::new(),
            left_out: BTreeMap::new(),
        })
    }

    fn open(&mut self, line: &str) -> std::result::Result<Option<SideRow>, String> {
        let mut line: Line =
            serde_json::from_str(line).map_err(|e| format!("a row of the snapshot: {e}"))?;
        let Some(p) = side_rows::table(&line.table) else {
            return Err(format!("a row of the snapshot for table {:?}", line.table));
        };
        let mut lost = false;
        if let Some(company) = &line.company {
            let key = self.keys.get(company);
            for (column, cell) in std::mem::take(&mut line.sealed) {
                let clear =
                    B64.decode(&cell).ok().zip(key).and_then(|(cell, key)| {
                        open_cell(key, &aad(p.table, &column, company), &cell)
                    });
                match clear.as_ref().map(|v| match v {
                    SqlValue::Text(t) => serde_json::from_str::<Value>(t).ok(),
                    _ => None,
                }) {
                    Some(Some(value)) => {
                        line.row.insert(column, value);
                        self.opened += 1;
                    }
                    _ => lost = true,
                }
            }
            if lost {
                self.unreadable.insert(company.clone());
            }
        }
        if lost {
            match p.unreadable {
                Unreadable::Delete => {
                    *self.left_out.entry(line.table).or_default() += 1;
                    return Ok(None);
                }
                Unreadable::Replace(columns) => {
                    for (column, sql) in columns {
                        let value = self.replacement(sql)?;
                        line.row.insert(column.to_string(), value);
                    }
                }
            }
        }
        Ok(Some(SideRow {
            table: p.table,
            company: line.company,
            row: line.row,
        }))
    }

    /// What `Unreadable::Replace`'s expression (the same the SQLite file's restore writes)
    /// gives, as JSON.
    fn replacement(&mut self, sql: &str) -> std::result::Result<Value, String> {
        let failed = |e: rusqlite::Error| format!("working out {sql}: {e}");
        if self.scratch.is_none() {
            self.scratch = Some(rusqlite::Connection::open_in_memory().map_err(failed)?);
        }
        let conn = self.scratch.as_ref().expect("opened just above");
        let value: SqlValue = conn
            .query_row(&format!("SELECT {sql}"), [], |r| r.get(0))
            .map_err(failed)?;
        Ok(match value {
            SqlValue::Null => Value::Null,
            SqlValue::Integer(i) => Value::from(i),
            SqlValue::Real(f) => Value::from(f),
            SqlValue::Text(t) => Value::String(t),
            SqlValue::Blob(b) => Value::String(format!("\\x{}", hex::encode(b))),
        })
    }
}

impl Iterator for Opener<'_> {
    type Item = std::result::Result<SideRow, String>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.lines.as_mut()?.next()? {
                Ok(line) => line,
                Err(e) => return Some(Err(format!("reading the snapshot's rows: {e}"))),
            };
            match self.open(&line) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
#[path = "pg_rows_tests.rs"]
mod tests;
