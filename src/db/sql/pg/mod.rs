//! The PostgreSQL side of [`super::Db`]: one connection with its prepared statements, the
//! store's SQL said in PostgreSQL's dialect ([`super::dialect`]), values sent in the types the
//! server expects and read back as SQLite values ([`values`]), the companies' cells sealed and
//! opened in armario ([`cells`]), and the server's errors as the store's ([`errors`]).

mod cells;
mod errors;
mod values;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use rusqlite::types::Value;

use super::dialect;
use super::row::Fetched;
use crate::crypto::company_keys::KeyRing;
use errors::failure;
pub use errors::{error, error_in, learn_unique_columns};
use values::{Bound, Column};

/// Prepared statements kept per connection before the cache starts over (statements built at
/// run time, a search's filters say, would otherwise grow it without end).
const PREPARED_KEPT: usize = 512;

/// One connection to PostgreSQL and what it prepared, keyed by the store's own SQL.
pub struct Session {
    inner: RefCell<Inner>,
}

struct Inner {
    /// Always `Some` but while the session is dropped.
    client: Option<postgres::Client>,
    /// The companies' keys, for the cells this connection seals and opens.
    keys: Option<Arc<KeyRing>>,
    /// The store's SQL with its cell calls taken out ([`cells::plan`]).
    plans: HashMap<String, Arc<super::cells::Plan>>,
    prepared: HashMap<String, Prepared>,
    /// SQL whose parameters the server cannot type alone.
    needs_types: std::collections::HashSet<String>,
    in_transaction: bool,
}

impl Inner {
    fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("a session has its client until it is dropped")
    }
}

impl Drop for Session {
    /// The client closes its connection by blocking on a runtime of its own, which panics on a
    /// thread that drives async tasks (a store dropped in a request): it closes on a thread of
    /// its own.
    fn drop(&mut self) {
        if let Some(client) = self.inner.get_mut().client.take() {
            let _ = std::thread::Builder::new()
                .name("armario-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

#[derive(Clone)]
struct Prepared {
    statement: postgres::Statement,
    names: Arc<[String]>,
    /// Which parameters the statement uses: a value the cell calls consumed is sent as NULL.
    used: Arc<[bool]>,
}

impl Prepared {
    /// The values as the statement takes them.
    fn bind<'v>(&self, values: &'v [Value]) -> Vec<Bound<'v>> {
        const NOTHING: &Value = &Value::Null;
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Bound(if self.used.get(i) == Some(&true) {
                    v
                } else {
                    NOTHING
                })
            })
            .collect()
    }
}

impl Session {
    pub fn new(client: postgres::Client, keys: Option<Arc<KeyRing>>) -> Self {
        Self {
            inner: RefCell::new(Inner {
                client: Some(client),
                keys,
                plans: HashMap::new(),
                prepared: HashMap::new(),
                needs_types: Default::default(),
                in_transaction: false,
            }),
        }
    }

    /// The statement for `sql`, prepared once per connection. Where the server cannot tell a
    /// parameter's type from the SQL (`?3 IS NULL OR …`), the statement is prepared with the
    /// types of the values it runs with (kept per combination of kinds); a NULL is left for
    /// the server to infer, else taken as text.
    fn prepared(&self, sql: &str, values: Option<&[Value]>) -> rusqlite::Result<Prepared> {
        let mut inner = self.inner.borrow_mut();
        let typed = inner.needs_types.contains(sql);
        let key = if typed {
            format!("{sql}\u{0}{}", kinds(values))
        } else {
            sql.to_string()
        };
        if let Some(p) = inner.prepared.get(&key) {
            return Ok(p.clone());
        }
        let text = dialect::postgres(&self.plan_locked(&mut inner, sql)?.sql);
        let used = parameters_used(&text);
        let statement = if typed {
            if values.is_none() {
                // Prepared when it runs, with its values' types.
                return Err(failure(
                    rusqlite::ffi::SQLITE_MISUSE,
                    "a statement whose parameters need their values' types".into(),
                ));
            }
            let types = declared(values, &used, None);
            match attempt(&mut inner, |c| c.prepare_typed(&text, &types)) {
                Err(e) if cannot_infer(&e) => {
                    match probe_types(&mut inner, &text, &used)
                        .and_then(|types| attempt(&mut inner, |c| c.prepare_typed(&text, &types)))
                    {
                        Ok(statement) => Ok(statement),
                        Err(_) => by_value(&mut inner, &text, values, &used),
                    }
                }
                other => other,
            }
            .map_err(|e| error_in(&e, &text))?
        } else {
            match attempt(&mut inner, |c| c.prepare(&text)) {
                Ok(s) => s,
                Err(e) if cannot_infer(&e) => {
                    inner.needs_types.insert(sql.to_string());
                    drop(inner);
                    return self.prepared(sql, values);
                }
                Err(e) => return Err(error_in(&e, &text)),
            }
        };
        let names: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let p = Prepared {
            statement,
            names,
            used: used.into(),
        };
        if inner.prepared.len() >= PREPARED_KEPT {
            inner.prepared.clear();
        }
        inner.prepared.insert(key, p.clone());
        Ok(p)
    }

    /// Checks that `sql` prepares, as SQLite does when a statement is prepared.
    /// A statement whose parameters need the values' types is prepared when it runs.
    pub fn prepare(&self, sql: &str) -> rusqlite::Result<()> {
        match self.prepared(sql, None) {
            Err(_) if self.inner.borrow().needs_types.contains(sql) => Ok(()),
            other => other.map(drop),
        }
    }

    pub fn column_count(&self, sql: &str) -> rusqlite::Result<usize> {
        Ok(self.column_names(sql)?.len())
    }

    /// The names of the columns a row of `sql` has (its opened cells folded).
    pub fn column_names(&self, sql: &str) -> rusqlite::Result<Vec<String>> {
        let plan = self.plan(sql)?;
        Ok(cells::folded_names(&plan, &self.prepared(sql, None)?.names))
    }

    pub fn query(&self, sql: &str, values: &[Value]) -> rusqlite::Result<Fetched> {
        let plan = self.plan(sql)?;
        let values = self.with_computed(&plan, values)?;
        let fetched = self.run_query(sql, &values)?;
        self.fold(&plan, fetched)
    }

    fn run_query(&self, sql: &str, values: &[Value]) -> rusqlite::Result<Fetched> {
        let p = self.prepared(sql, Some(values))?;
        let bound = p.bind(values);
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let rows = self
            .inner
            .borrow_mut()
            .client()
            .query(&p.statement, &refs)
            .map_err(|e| error_in(&e, sql))?;
        let rows = rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<_, Column>(i).map(|c| c.0))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(&e))?;
        Ok(Fetched {
            names: p.names,
            rows,
        })
    }

    pub fn execute(&self, sql: &str, values: &[Value]) -> rusqlite::Result<usize> {
        let plan = self.plan(sql)?;
        let values = self.with_computed(&plan, values)?;
        let p = self.prepared(sql, Some(&values))?;
        let bound = p.bind(&values);
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let n = self
            .inner
            .borrow_mut()
            .client()
            .execute(&p.statement, &refs)
            .map_err(|e| error_in(&e, sql))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Statements without parameters, one after the other.
    pub fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.inner
            .borrow_mut()
            .client()
            .batch_execute(&dialect::postgres(sql))
            .map_err(|e| error_in(&e, sql))
    }

    /// Opens a transaction (`BEGIN` with `mode`, say `ISOLATION LEVEL REPEATABLE READ`).
    pub fn begin(&self, mode: &str) -> rusqlite::Result<()> {
        let sql = if mode.is_empty() {
            "BEGIN".to_string()
        } else {
            format!("BEGIN {mode}")
        };
        self.batch(&sql)?;
        self.inner.borrow_mut().in_transaction = true;
        Ok(())
    }

    /// Opens a transaction (with `mode`, as [`Session::begin`]) and runs `sql` in it, in one
    /// round trip. The transaction counts as open even when `sql` fails: the caller rolls it
    /// back.
    pub fn begin_with(&self, mode: &str, sql: &str) -> rusqlite::Result<()> {
        self.inner.borrow_mut().in_transaction = true;
        self.batch(&format!("BEGIN {mode}; {sql}"))
    }

    pub fn commit(&self) -> rusqlite::Result<()> {
        self.inner.borrow_mut().in_transaction = false;
        self.batch("COMMIT")
    }

    pub fn rollback(&self) -> rusqlite::Result<()> {
        self.inner.borrow_mut().in_transaction = false;
        self.batch("ROLLBACK")
    }

    pub fn in_transaction(&self) -> bool {
        self.inner.borrow().in_transaction
    }

    /// Whether the connection is still usable (the pool's check).
    pub fn is_closed(&self) -> bool {
        self.inner
            .borrow()
            .client
            .as_ref()
            .is_none_or(|c| c.is_closed())
    }
}

/// A preparation that may be refused and tried again another way: inside a transaction it runs
/// under a savepoint, since a refused statement would otherwise end the transaction.
fn attempt<T>(
    inner: &mut Inner,
    prepare: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error>,
) -> Result<T, postgres::Error> {
    if !inner.in_transaction {
        return prepare(inner.client());
    }
    inner.client().batch_execute("SAVEPOINT armario_prepare")?;
    let out = prepare(inner.client());
    let end = match out {
        Ok(_) => "RELEASE SAVEPOINT armario_prepare",
        Err(_) => "ROLLBACK TO SAVEPOINT armario_prepare",
    };
    inner.client().batch_execute(end)?;
    out
}

/// The types the server infers for the parameters once the tests of a parameter for NULL
/// (`$3 IS NULL`), which tell it nothing, are left out: PostgreSQL types a parameter where it
/// first meets it, and `$3 IS NULL OR id < $3` meets it first where it cannot. A parameter
/// only ever tested for NULL is text.
fn probe_types(inner: &mut Inner, text: &str, used: &[bool]) -> Result<Vec<Type>, postgres::Error> {
    static NULL_TEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\$\d+\s+IS\s+(NOT\s+)?NULL\b").expect("a valid pattern")
    });
    let probe = NULL_TEST.replace_all(text, "TRUE");
    let in_probe = parameters_used(&probe);
    let types: Vec<Type> = (0..used.len())
        .map(|i| {
            if used[i] && in_probe.get(i) == Some(&true) {
                Type::UNKNOWN
            } else {
                Type::TEXT
            }
        })
        .collect();
    let statement = attempt(inner, |c| c.prepare_typed(&probe, &types))?;
    Ok(statement.params().to_vec())
}

/// The statement prepared with its values' types, for what the server could not type even
/// with its NULL tests left out (`?14` as a time and in `CASE … ELSE ?14`): a NULL as text,
/// or as a number where text does not fit (`?2 IS NULL OR id < ?2`).
fn by_value(
    inner: &mut Inner,
    text: &str,
    values: Option<&[Value]>,
    used: &[bool],
) -> Result<postgres::Statement, postgres::Error> {
    let types = declared(values, used, Some(Type::TEXT));
    match attempt(inner, |c| c.prepare_typed(text, &types)) {
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_FUNCTION) => {
            let types = declared(values, used, Some(Type::INT8));
            attempt(inner, |c| c.prepare_typed(text, &types))
        }
        other => other,
    }
}

/// Whether the server refused a statement for a parameter whose type it cannot tell, or
/// told two ways (`?14` as a time and in `CASE … THEN NULL ELSE ?14`).
fn cannot_infer(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::INDETERMINATE_DATATYPE || *c == SqlState::AMBIGUOUS_PARAMETER
    })
}

/// The kinds of the values (`I`nteger, `R`eal, `T`ext, `B`lob, `N`ull) or `?` when unknown.
fn kinds(values: Option<&[Value]>) -> String {
    let Some(values) = values else {
        return "?".into();
    };
    values
        .iter()
        .map(|v| match v {
            Value::Null => 'N',
            Value::Integer(_) => 'I',
            Value::Real(_) => 'R',
            Value::Text(_) => 'T',
            Value::Blob(_) => 'B',
        })
        .collect()
}

/// The parameter types: a parameter the SQL does not use (a value the cell calls consumed) is
/// text, since the server cannot infer it; one it uses is left to the server to infer, or,
/// when `by_value` gives a NULL's type (the server could not), typed as its value.
fn declared(values: Option<&[Value]>, used: &[bool], by_value: Option<Type>) -> Vec<Type> {
    used.iter()
        .enumerate()
        .map(
            |(i, used)| match (used, values.and_then(|v| v.get(i)), &by_value) {
                (false, _, _) => Type::TEXT,
                (true, _, None) => Type::UNKNOWN,
                (true, Some(Value::Integer(_)), _) => Type::INT8,
                (true, Some(Value::Real(_)), _) => Type::FLOAT8,
                (true, Some(Value::Blob(_)), _) => Type::BYTEA,
                (true, Some(Value::Null) | None, Some(null)) => null.clone(),
                (true, Some(Value::Text(_)), _) => Type::TEXT,
            },
        )
        .collect()
}

/// Which of `$1`…`$n` PostgreSQL's SQL uses (outside quotes), up to the highest.
fn parameters_used(sql: &str) -> Vec<bool> {
    let mut used = Vec::new();
    let mut quoted = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (Some(q), c) if c == q => quoted = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quoted = Some(c),
            (None, '$') => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                if n > 0 {
                    if used.len() < n {
                        used.resize(n, false);
                    }
                    used[n - 1] = true;
                }
            }
            _ => {}
        }
    }
    used
}
