//! A SQLite file as either end of a move. As a source it is opened read-only and read inside
//! one transaction (a server may keep running on it); as a target it is created, or must be
//! an armario schema with no rows, and is filled in one transaction.

use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension};

use super::shapes::Shape;
use super::Side;
use crate::db::migrate;

pub(super) struct SqliteSide {
    conn: Connection,
    path: PathBuf,
}

fn failed(path: &Path) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

impl SqliteSide {
    pub fn open_source(path: &Path) -> Result<SqliteSide, String> {
        if !path.is_file() {
            return Err(format!("{}: no such SQLite file", path.display()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(failed(path))?;
        let version = migrate::current_version(&conn).map_err(|e| e.to_string())?;
        let latest = migrate::latest_version();
        if version != latest {
            return Err(format!(
                "{} is at schema version {version}, this armario's is {latest}: {}",
                path.display(),
                if version < latest {
                    "start this armario on it once to upgrade it, then move it"
                } else {
                    "move it with the newer armario that wrote it"
                }
            ));
        }
        Ok(SqliteSide {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens the target file, creating it and its schema when it is new. An existing file must
    /// be armario's at this version; nothing is written to it before `begin_empty` has found it
    /// empty.
    pub fn create(path: &Path) -> Result<SqliteSide, String> {
        let mut conn = Connection::open(path).map_err(failed(path))?;
        let version = migrate::current_version(&conn).map_err(|e| e.to_string())?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(failed(path))?;
        let latest = migrate::latest_version();
        match (version, tables) {
            (0, 0) => {
                conn.pragma_update(None, "journal_mode", "WAL")
                    .map_err(failed(path))?;
                migrate::apply(&mut conn).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            (0, _) => {
                return Err(format!(
                    "{} holds tables that are not armario's: refusing to write into it",
                    path.display()
                ))
            }
            (v, _) if v != latest => {
                return Err(format!(
                    "{} is an armario store at schema version {v}, not this armario's {latest}: \
                     a move writes into a new file or an empty store of this version",
                    path.display()
                ))
            }
            _ => {}
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(failed(path))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(failed(path))?;
        Ok(SqliteSide {
            conn,
            path: path.to_path_buf(),
        })
    }
}

impl Side for SqliteSide {
    fn snapshot(&mut self) -> Result<(), String> {
        // The first read after BEGIN fixes what every later read of this transaction sees.
        self.conn
            .execute_batch("BEGIN; SELECT count(*) FROM sqlite_master;")
            .map_err(failed(&self.path))
    }

    fn each_row(
        &mut self,
        table: &Shape,
        f: &mut dyn FnMut(Vec<Value>) -> Result<(), String>,
    ) -> Result<(), String> {
        let order = table
            .key
            .iter()
            .map(|&i| format!("\"{}\" COLLATE BINARY", table.columns[i].name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {} FROM \"{}\" ORDER BY {order}",
            table.column_list(),
            table.name
        );
        let mut stmt = self.conn.prepare(&sql).map_err(failed(&self.path))?;
        let mut rows = stmt.query([]).map_err(failed(&self.path))?;
        let width = table.columns.len();
        while let Some(r) = rows.next().map_err(failed(&self.path))? {
            let row = (0..width)
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(failed(&self.path))?;
            f(row)?;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), String> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(failed(&self.path))
    }

    fn has_rows(&mut self, table: &Shape) -> Result<bool, String> {
        self.conn
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM \"{}\")", table.name),
                [],
                |r| r.get(0),
            )
            .map_err(failed(&self.path))
    }

    fn clear(&mut self, table: &Shape) -> Result<(), String> {
        self.conn
            .execute(&format!("DELETE FROM \"{}\"", table.name), [])
            .map(|_| ())
            .map_err(failed(&self.path))
    }

    fn insert(&mut self, table: &Shape, rows: &[Vec<Value>]) -> Result<(), String> {
        let marks = (1..=table.columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({marks})",
            table.name,
            table.column_list()
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(failed(&self.path))?;
        for row in rows {
            stmt.execute(params_from_iter(row.iter()))
                .map_err(|e| format!("{}: a row of {}: {e}", self.path.display(), table.name))?;
        }
        Ok(())
    }

    fn high_water(&mut self, table: &Shape) -> Result<Option<i64>, String> {
        self.conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [&table.name],
                |r| r.get(0),
            )
            .optional()
            .map_err(failed(&self.path))
    }

    fn keep_high_water(&mut self, table: &Shape, id: i64) -> Result<(), String> {
        // Only tables declared AUTOINCREMENT keep a mark; the others reuse max(id) + 1 anyway.
        self.conn
            .execute(
                "INSERT INTO sqlite_sequence (name, seq)
                 SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)
                   AND EXISTS (SELECT 1 FROM sqlite_master
                               WHERE type = 'table' AND name = ?1 AND sql LIKE '%AUTOINCREMENT%')",
                params![table.name, id],
            )
            .and_then(|_| {
                self.conn.execute(
                    "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
                    params![table.name, id],
                )
            })
            .map(|_| ())
            .map_err(failed(&self.path))
    }

    fn check(&mut self, _tables: &[Shape]) -> Result<(), String> {
        let broken: Option<String> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                let mut rows = s.query([])?;
                Ok(match rows.next()? {
                    Some(r) => Some(format!(
                        "{} row {} references a missing row of {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, Value>(1).map(|v| format!("{v:?}"))?,
                        r.get::<_, String>(2)?
                    )),
                    None => None,
                })
            })
            .map_err(failed(&self.path))?;
        match broken {
            Some(b) => Err(format!("{}: {b}", self.path.display())),
            None => Ok(()),
        }
    }

    fn commit(&mut self) -> Result<(), String> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(failed(&self.path))
    }

    fn rollback(&mut self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}
