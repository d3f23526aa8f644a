//! `armario migrate-store`: copies every table from one store to another (a SQLite file or a
//! PostgreSQL URL, either way), then proves the copy before it commits: each table's row count
//! and content hash read back from the target must equal the source's, and ids deleted rows
//! used are not handed out again. Sealed values travel as they are; the target must be empty;
//! the source is only read, inside one snapshot.
//!
//! The tables and their columns are the SQLite schema at this binary's version. Tables the
//! store derives from others (the company search index, the per-status counts) are not
//! copied: a SQLite target rebuilds them through its triggers as rows arrive.

mod digest;
mod pg_side;
mod shapes;
mod sqlite_side;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::types::Value;

pub use digest::TableDigest;
use shapes::Shape;

/// One end of a move.
#[derive(Clone, Debug)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// A URL names PostgreSQL; anything else is the path of a SQLite file.
    pub fn parse(s: &str) -> Location {
        if super::pg::is_url(s) {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("SQLite file {}", p.display()),
            Location::Postgres(u) => format!("PostgreSQL {}", super::pg::redacted(u)),
        }
    }
}

/// What a move copied and verified.
#[derive(Debug)]
pub struct MoveReport {
    pub tables: Vec<TableDigest>,
    pub seconds: f64,
}

impl MoveReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Rows handed to the target at a time.
const BATCH_ROWS: usize = 2_000;

/// A store a move reads from and writes to.
trait Side {
    /// Starts the one read snapshot every later read of a source sees.
    fn snapshot(&mut self) -> Result<(), String>;
    /// Calls `f` with each row of `table`, in primary-key order, with the SQLite value types.
    fn each_row(
        &mut self,
        table: &Shape,
        f: &mut dyn FnMut(Vec<Value>) -> Result<(), String>,
    ) -> Result<(), String>;
    /// Opens the target's one write transaction.
    fn begin(&mut self) -> Result<(), String>;
    fn has_rows(&mut self, table: &Shape) -> Result<bool, String>;
    fn clear(&mut self, table: &Shape) -> Result<(), String>;
    fn insert(&mut self, table: &Shape, rows: &[Vec<Value>]) -> Result<(), String>;
    /// The highest id the table ever handed out, when it keeps one (SQLite's `AUTOINCREMENT`,
    /// a PostgreSQL identity): deleted rows' ids are never given again, and the audit chain
    /// counts on it.
    fn high_water(&mut self, table: &Shape) -> Result<Option<i64>, String>;
    fn keep_high_water(&mut self, table: &Shape, id: i64) -> Result<(), String>;
    /// Checks what the target checks (references, ids to come), inside the transaction.
    fn check(&mut self, tables: &[Shape]) -> Result<(), String>;
    fn commit(&mut self) -> Result<(), String>;
    fn rollback(&mut self);
}

fn open(location: &Location, ca_file: Option<&Path>, write: bool) -> Result<Box<dyn Side>, String> {
    Ok(match location {
        Location::Sqlite(path) if write => Box::new(sqlite_side::SqliteSide::create(path)?),
        Location::Sqlite(path) => Box::new(sqlite_side::SqliteSide::open_source(path)?),
        Location::Postgres(url) => Box::new(pg_side::PgSide::open(url, ca_file, write)?),
    })
}

/// Copies `from` into the empty `to`, reads the copy back inside the same transaction and
/// commits only when every table's row count and content hash match the source's.
pub fn run(from: &Location, to: &Location, ca_file: Option<&Path>) -> Result<MoveReport, String> {
    let started = Instant::now();
    let tables = shapes::tables()?;
    let mut source = open(from, ca_file, false)?;
    let mut target = open(to, ca_file, true)?;
    source.snapshot()?;
    target.begin()?;
    if let Err(e) = clear_or_refuse(target.as_mut(), &tables, to) {
        target.rollback();
        return Err(e);
    }
    match copy_and_verify(source.as_mut(), target.as_mut(), &tables) {
        Ok(digests) => {
            target.commit()?;
            Ok(MoveReport {
                tables: digests,
                seconds: started.elapsed().as_secs_f64(),
            })
        }
        Err(e) => {
            target.rollback();
            Err(format!("{e}; nothing was written"))
        }
    }
}

/// Refuses a target that holds any row, and empties the tables the schema itself fills (the
/// source's rows replace them).
fn clear_or_refuse(target: &mut dyn Side, tables: &[Shape], to: &Location) -> Result<(), String> {
    for t in tables.iter().filter(|t| !t.seeded) {
        if target.has_rows(t)? {
            return Err(format!(
                "{} is not empty (table {} has rows): a move only writes into an empty store",
                to.describe(),
                t.name
            ));
        }
    }
    for t in tables.iter().filter(|t| t.seeded) {
        target.clear(t)?;
    }
    Ok(())
}

fn copy_and_verify(
    source: &mut dyn Side,
    target: &mut dyn Side,
    tables: &[Shape],
) -> Result<Vec<TableDigest>, String> {
    let mut expected = Vec::with_capacity(tables.len());
    let mut marks = Vec::with_capacity(tables.len());
    for table in tables {
        expected.push(copy_table(source, target, table)?);
        let mark = source.high_water(table)?;
        if let Some(id) = mark {
            target.keep_high_water(table, id)?;
        }
        marks.push(mark);
    }
    target.check(tables)?;
    for ((table, want), mark) in tables.iter().zip(&expected).zip(&marks) {
        let got = digest_table(target, table)?;
        if got.rows != want.rows {
            return Err(format!(
                "table {}: the source has {} rows, the copy {}",
                table.name, want.rows, got.rows
            ));
        }
        if got.hash != want.hash {
            return Err(format!(
                "table {}: the copy's content differs (hash {} against {})",
                table.name,
                &want.hex()[..16],
                &got.hex()[..16]
            ));
        }
        if let (Some(want), Some(got)) = (mark, target.high_water(table)?) {
            if got < *want {
                return Err(format!(
                    "table {}: the copy would hand out ids from {} again (the source reached {want})",
                    table.name,
                    got + 1
                ));
            }
        }
    }
    Ok(expected)
}

/// Each table's row count and content hash, as `migrate-store` computes them: the same on
/// either store for the same rows.
pub fn digests(location: &Location, ca_file: Option<&Path>) -> Result<Vec<TableDigest>, String> {
    let tables = shapes::tables()?;
    let mut side = open(location, ca_file, false)?;
    side.snapshot()?;
    tables
        .iter()
        .map(|t| digest_table(side.as_mut(), t))
        .collect()
}

fn copy_table(
    source: &mut dyn Side,
    target: &mut dyn Side,
    table: &Shape,
) -> Result<TableDigest, String> {
    let mut digest = digest::Hasher::new(&table.name);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    source.each_row(table, &mut |row| {
        digest.row(&row);
        batch.push(row);
        if batch.len() == BATCH_ROWS {
            target.insert(table, &batch)?;
            batch.clear();
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        target.insert(table, &batch)?;
    }
    Ok(digest.finish())
}

fn digest_table(side: &mut dyn Side, table: &Shape) -> Result<TableDigest, String> {
    let mut digest = digest::Hasher::new(&table.name);
    side.each_row(table, &mut |row| {
        digest.row(&row);
        Ok(())
    })?;
    Ok(digest.finish())
}
