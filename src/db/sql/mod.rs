//! The one interface the storage modules reach either store through. [`Db`] is a connection
//! (or a transaction on one) to the SQLite file or to PostgreSQL; its statements, rows and
//! parameters read as rusqlite's do, so a storage function is written once and runs on both.
//! On SQLite every call goes straight to rusqlite; on PostgreSQL the SQL is said in its dialect
//! ([`dialect`]), values travel as SQLite's, and errors come back as SQLite's.

mod cells;
mod dialect;
mod params;
pub mod pg;
mod row;

use rusqlite::Connection;

pub use params::{params_from_iter, value_of, FromIter, Params};
pub use row::{ColumnIndex, Fetched, MappedRows, Row, Rows};

/// Which store a [`Db`] reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection to either store, or a transaction on one.
#[derive(Clone, Copy)]
pub struct Db<'a> {
    inner: Inner<'a>,
}

#[derive(Clone, Copy)]
enum Inner<'a> {
    Sqlite(&'a Connection),
    Postgres(&'a pg::Session),
}

impl<'a> Db<'a> {
    pub fn sqlite(conn: &'a Connection) -> Self {
        Self {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn postgres(session: &'a pg::Session) -> Self {
        Self {
            inner: Inner::Postgres(session),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (its pragmas, its functions, the online
    /// backup): `None` on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&'a Connection> {
        match self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// The SQLite connection where only SQLite can be meant; on PostgreSQL, an error naming
    /// what is not there.
    pub fn sqlite_only(&self, what: &str) -> rusqlite::Result<&'a Connection> {
        self.as_sqlite().ok_or_else(|| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
                Some(format!("{what} is SQLite's alone")),
            )
        })
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        match self.inner {
            Inner::Sqlite(c) => c.execute(sql, params.sqlite()),
            Inner::Postgres(s) => s.execute(sql, &params.values()?),
        }
    }

    pub fn execute_batch(&self, sql: &str) -> rusqlite::Result<()> {
        match self.inner {
            Inner::Sqlite(c) => c.execute_batch(sql),
            Inner::Postgres(s) => s.batch(sql),
        }
    }

    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        match self.inner {
            Inner::Sqlite(c) => c.query_row(sql, params.sqlite(), |r| f(&Row::sqlite(r))),
            Inner::Postgres(s) => first_row(s.query(sql, &params.values()?)?, f),
        }
    }

    pub fn prepare(&self, sql: &str) -> rusqlite::Result<Stmt<'a>> {
        Ok(Stmt {
            inner: match self.inner {
                Inner::Sqlite(c) => StmtInner::Plain(c.prepare(sql)?),
                Inner::Postgres(s) => {
                    s.prepare(sql)?;
                    StmtInner::Postgres(s, sql.to_string())
                }
            },
        })
    }

    /// As [`Db::prepare`], kept by the connection for the next run of the same SQL.
    pub fn prepare_cached(&self, sql: &str) -> rusqlite::Result<Stmt<'a>> {
        Ok(Stmt {
            inner: match self.inner {
                Inner::Sqlite(c) => StmtInner::Cached(c.prepare_cached(sql)?),
                Inner::Postgres(s) => {
                    s.prepare(sql)?;
                    StmtInner::Postgres(s, sql.to_string())
                }
            },
        })
    }

    /// Whether no transaction is open on the connection.
    pub fn is_autocommit(&self) -> bool {
        match self.inner {
            Inner::Sqlite(c) => c.is_autocommit(),
            Inner::Postgres(s) => !s.in_transaction(),
        }
    }

    /// Runs `f` in a read transaction of its own, rolled back after (it writes nothing): its
    /// statements read one snapshot of the store.
    pub fn snapshot<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        match self.inner {
            Inner::Sqlite(c) => {
                let tx = c.unchecked_transaction()?;
                f(&Db::sqlite(&tx))
            }
            // Already in one (a read opened for a company, repeatable read from its start):
            // its statements share a snapshot, and its company stays set.
            Inner::Postgres(s) if s.in_transaction() => f(self),
            Inner::Postgres(s) => {
                s.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                let out = f(self);
                s.rollback()?;
                out
            }
        }
    }

    /// Runs `f` with PostgreSQL planning its statements once for any values (a generic plan,
    /// kept with the prepared statement) instead of again for each run's values. For statements
    /// whose best plan does not depend on the values but whose plans made for the values look
    /// cheaper to PostgreSQL's estimate, so it would pay their planning on every run (the audit
    /// list: 1.2 ms of planning against 0.2 ms of execution). The file plans once anyway.
    pub fn generic_plans<T, E>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let Inner::Postgres(s) = self.inner else {
            return f(self);
        };
        // Inside a transaction the setting is the transaction's, and ends with it (a failed
        // statement there leaves nothing to put back until the rollback); outside, the
        // connection's, put back after whatever `f` did.
        if s.in_transaction() {
            s.batch("SET LOCAL plan_cache_mode = force_generic_plan")?;
            let out = f(self)?;
            s.batch("SET LOCAL plan_cache_mode TO DEFAULT")?;
            Ok(out)
        } else {
            s.batch("SET plan_cache_mode = force_generic_plan")?;
            let out = f(self);
            s.batch("RESET plan_cache_mode")?;
            out
        }
    }
}

fn first_row<T>(
    fetched: Fetched,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    match fetched.rows.first() {
        Some(values) => f(&Row::values(values, &fetched.names)),
        None => Err(rusqlite::Error::QueryReturnedNoRows),
    }
}

/// A prepared statement on either store.
pub struct Stmt<'a> {
    inner: StmtInner<'a>,
}

enum StmtInner<'a> {
    Plain(rusqlite::Statement<'a>),
    Cached(rusqlite::CachedStatement<'a>),
    Postgres(&'a pg::Session, String),
}

impl<'a> Stmt<'a> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'a>> {
        match &mut self.inner {
            StmtInner::Plain(s) => Some(s),
            StmtInner::Cached(s) => Some(s),
            StmtInner::Postgres(..) => None,
        }
    }

    pub fn execute<P: Params>(&mut self, params: P) -> rusqlite::Result<usize> {
        if let Some(s) = self.sqlite() {
            return s.execute(params.sqlite());
        }
        let StmtInner::Postgres(session, sql) = &self.inner else {
            unreachable!("a SQLite statement is run above")
        };
        session.execute(sql, &params.values()?)
    }

    pub fn query<P: Params>(&mut self, params: P) -> rusqlite::Result<Rows<'_>> {
        if let StmtInner::Postgres(session, sql) = &self.inner {
            return Ok(Rows::fetched(session.query(sql, &params.values()?)?));
        }
        let s = self.sqlite().expect("a PostgreSQL statement is run above");
        Ok(Rows::sqlite(s.query(params.sqlite())?))
    }

    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> rusqlite::Result<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        Ok(MappedRows::new(self.query(params)?, f))
    }

    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        if let StmtInner::Postgres(session, sql) = &self.inner {
            return first_row(session.query(sql, &params.values()?)?, f);
        }
        let s = self.sqlite().expect("a PostgreSQL statement is run above");
        s.query_row(params.sqlite(), |r| f(&Row::sqlite(r)))
    }

    pub fn exists<P: Params>(&mut self, params: P) -> rusqlite::Result<bool> {
        if let StmtInner::Postgres(session, sql) = &self.inner {
            return Ok(!session.query(sql, &params.values()?)?.rows.is_empty());
        }
        let s = self.sqlite().expect("a PostgreSQL statement is run above");
        s.exists(params.sqlite())
    }

    pub fn column_names(&self) -> Vec<String> {
        match &self.inner {
            StmtInner::Plain(s) => s.column_names().into_iter().map(String::from).collect(),
            StmtInner::Cached(s) => s.column_names().into_iter().map(String::from).collect(),
            StmtInner::Postgres(session, sql) => session.column_names(sql).unwrap_or_default(),
        }
    }

    pub fn column_count(&self) -> usize {
        match &self.inner {
            StmtInner::Plain(s) => s.column_count(),
            StmtInner::Cached(s) => s.column_count(),
            StmtInner::Postgres(session, sql) => session.column_count(sql).unwrap_or(0),
        }
    }
}
