//! The PostgreSQL side of [`super::Db`]: one connection with its prepared statements, the
//! store's SQL said in PostgreSQL's dialect, values sent in the types the server expects and
//! read back as SQLite values, and the server's errors as the store's errors.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use rusqlite::types::Value;

use super::row::Fetched;
use super::{cells, dialect};
use crate::crypto::company_keys::KeyRing;
use crate::db::cell_functions::{open_value, seal_value, CompanyKey};

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
    plans: HashMap<String, Arc<cells::Plan>>,
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
        let statement = if typed {
            if values.is_none() {
                // Prepared when it runs, with its values' types.
                return Err(failure(
                    rusqlite::ffi::SQLITE_MISUSE,
                    "a statement whose parameters need their values' types".into(),
                ));
            }
            let used = parameters_used(&text);
            let types = declared(values, &used, Type::UNKNOWN);
            match attempt(&mut inner, |c| c.prepare_typed(&text, &types)) {
                Err(e) if cannot_infer(&e) => {
                    let types = declared(values, &used, Type::TEXT);
                    attempt(&mut inner, |c| c.prepare_typed(&text, &types))
                }
                other => other,
            }
            .map_err(|e| error(&e))?
        } else {
            match attempt(&mut inner, |c| c.prepare(&text)) {
                Ok(s) => s,
                Err(e) if cannot_infer(&e) => {
                    inner.needs_types.insert(sql.to_string());
                    drop(inner);
                    return self.prepared(sql, values);
                }
                Err(e) => return Err(error(&e)),
            }
        };
        let names: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let p = Prepared { statement, names };
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
        Ok(self.prepared(sql, None)?.names.len())
    }

    pub fn column_names(&self, sql: &str) -> rusqlite::Result<Vec<String>> {
        Ok(self.prepared(sql, None)?.names.to_vec())
    }

    fn plan_locked(&self, inner: &mut Inner, sql: &str) -> rusqlite::Result<Arc<cells::Plan>> {
        if let Some(p) = inner.plans.get(sql) {
            return Ok(p.clone());
        }
        let plan = Arc::new(cells::plan(sql).map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e))?);
        if inner.plans.len() >= PREPARED_KEPT {
            inner.plans.clear();
        }
        inner.plans.insert(sql.to_string(), plan.clone());
        Ok(plan)
    }

    fn plan(&self, sql: &str) -> rusqlite::Result<Arc<cells::Plan>> {
        let mut inner = self.inner.borrow_mut();
        self.plan_locked(&mut inner, sql)
    }

    /// The caller's values with the plan's computed ones after them.
    fn with_computed(&self, plan: &cells::Plan, values: &[Value]) -> rusqlite::Result<Vec<Value>> {
        let mut all = values.to_vec();
        if plan.computed.is_empty() {
            return Ok(all);
        }
        let keys = self.inner.borrow().keys.clone();
        let ring = keys.as_deref();
        let arg = |n: usize| {
            values
                .get(n.wrapping_sub(1))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let text = |v: Value| match v {
            Value::Text(t) => Some(t),
            _ => None,
        };
        for c in &plan.computed {
            let v = match c {
                cells::Computed::Seal {
                    table,
                    column,
                    company,
                    value,
                } => {
                    let company = text(arg(*company));
                    seal_value(
                        table,
                        column,
                        company.as_deref(),
                        arg(*value),
                        ring,
                        |r, c| self.company_key(r, c),
                    )?
                }
                cells::Computed::EmailIndex { value } => match (ring, text(arg(*value))) {
                    (Some(r), Some(email)) => Value::Blob(r.email_index(&email)),
                    _ => Value::Null,
                },
                cells::Computed::MasterKeyId => {
                    ring.map_or(Value::Null, |r| Value::Text(r.current_key_id().to_string()))
                }
                cells::Computed::NewCompanyKey { company } => match (ring, text(arg(*company))) {
                    (Some(r), Some(company)) => {
                        let (key, sealed) = r.new_company_key(&company);
                        r.remember(&company, &key);
                        Value::Blob(sealed.bytes)
                    }
                    _ => Value::Null,
                },
                cells::Computed::ForgetCompanyKey { company } => {
                    if let (Some(r), Some(company)) = (ring, text(arg(*company))) {
                        r.forget(&company);
                    }
                    Value::Integer(1)
                }
            };
            all.push(v);
        }
        Ok(all)
    }

    /// The company's key: from the ring's memory, else read from `company_keys` and opened.
    fn company_key(&self, ring: &KeyRing, company: &str) -> rusqlite::Result<CompanyKey> {
        if let Some(key) = ring.cached(company) {
            return Ok(Some(key));
        }
        let found = self.run_query(
            "SELECT sealed, key_id FROM company_keys WHERE company_id = ?1 AND sealed IS NOT NULL",
            &[Value::Text(company.to_string())],
        )?;
        match found.rows.first().map(Vec::as_slice) {
            Some([Value::Blob(sealed), Value::Text(key_id)]) => ring
                .open_company_key(company, sealed, key_id)
                .map(Some)
                .map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e.to_string())),
            _ => Ok(None),
        }
    }

    /// Each folded group of columns read as the one value it opens to.
    fn fold(&self, plan: &cells::Plan, mut fetched: Fetched) -> rusqlite::Result<Fetched> {
        if plan.folds.is_empty() {
            return Ok(fetched);
        }
        let keys = self.inner.borrow().keys.clone();
        let ring = keys.as_deref();
        for row in &mut fetched.rows {
            for f in plan.folds.iter().rev() {
                let group: Vec<Value> = row.splice(f.at..f.at + f.width, []).collect();
                let company = match &group[0] {
                    Value::Text(t) => Some(t.as_str()),
                    _ => None,
                };
                let joined = match group.get(2..4) {
                    Some([Value::Blob(sealed), Value::Text(key_id)]) => Some((sealed, key_id)),
                    _ => None,
                };
                let opened = open_value(
                    &f.table,
                    &f.column,
                    company,
                    group[1].clone(),
                    ring,
                    |r, c| match joined {
                        Some((sealed, key_id)) if r.cached(c).is_none() => r
                            .open_company_key(c, sealed, key_id)
                            .map(Some)
                            .map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e.to_string())),
                        _ => self.company_key(r, c),
                    },
                )?;
                row.insert(f.at, opened);
            }
        }
        let mut names = fetched.names.to_vec();
        for f in plan.folds.iter().rev() {
            names.drain(f.at + 1..f.at + f.width);
        }
        fetched.names = names.into();
        Ok(fetched)
    }

    pub fn query(&self, sql: &str, values: &[Value]) -> rusqlite::Result<Fetched> {
        let plan = self.plan(sql)?;
        let values = self.with_computed(&plan, values)?;
        let fetched = self.run_query(sql, &values)?;
        self.fold(&plan, fetched)
    }

    fn run_query(&self, sql: &str, values: &[Value]) -> rusqlite::Result<Fetched> {
        let p = self.prepared(sql, Some(values))?;
        let bound: Vec<Bound<'_>> = values.iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let rows = self
            .inner
            .borrow_mut()
            .client()
            .query(&p.statement, &refs)
            .map_err(|e| error(&e))?;
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
        let bound: Vec<Bound<'_>> = values.iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let n = self
            .inner
            .borrow_mut()
            .client()
            .execute(&p.statement, &refs)
            .map_err(|e| error(&e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Statements without parameters, one after the other.
    pub fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.inner
            .borrow_mut()
            .client()
            .batch_execute(&dialect::postgres(sql))
            .map_err(|e| error(&e))
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

/// The parameter types: each value's; for a NULL, `null` where the SQL uses the parameter and
/// text where it does not (a value the cell calls consumed), which the server cannot infer.
fn declared(values: Option<&[Value]>, used: &[bool], null: Type) -> Vec<Type> {
    used.iter()
        .enumerate()
        .map(|(i, used)| match values.and_then(|v| v.get(i)) {
            Some(Value::Integer(_)) => Type::INT8,
            Some(Value::Real(_)) => Type::FLOAT8,
            Some(Value::Text(_)) => Type::TEXT,
            Some(Value::Blob(_)) => Type::BYTEA,
            Some(Value::Null) | None if *used => null.clone(),
            Some(Value::Null) | None => Type::TEXT,
        })
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

/// A value sent as the type the server inferred for its parameter: the store's values are
/// SQLite's (integers, reals, texts, blobs), its columns BIGINT, DOUBLE PRECISION, TEXT and
/// BYTEA, and a comparison may ask for another (an INTEGER count, a boolean).
#[derive(Debug)]
struct Bound<'v>(&'v Value);

type Failure = Box<dyn StdError + Sync + Send>;

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => integer(*i, ty, out),
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ if is_text(ty) => f.to_string().to_sql(&Type::TEXT, out),
                _ => Err(format!("a real number where {ty} is expected").into()),
            },
            Value::Text(s) => text(s, ty, out),
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => match std::str::from_utf8(b) {
                    Ok(s) => text(s, ty, out),
                    Err(_) => Err(format!("bytes where {ty} is expected").into()),
                },
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn integer(i: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
    match *ty {
        Type::INT8 => i.to_sql(ty, out),
        Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
        Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
        Type::BOOL => (i != 0).to_sql(ty, out),
        Type::FLOAT8 => (i as f64).to_sql(ty, out),
        Type::FLOAT4 => (i as f32).to_sql(ty, out),
        _ if is_text(ty) => i.to_string().to_sql(&Type::TEXT, out),
        _ => Err(format!("an integer where {ty} is expected").into()),
    }
}

fn text(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
    match *ty {
        Type::BYTEA => s.as_bytes().to_sql(ty, out),
        Type::JSONB => {
            out.extend_from_slice(&[1]);
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
        _ if is_text(ty) || *ty == Type::JSON => {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        _ => Err(format!("text where {ty} is expected").into()),
    }
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

/// A column read as the SQLite value it stands for.
struct Column(Value);

impl<'a> FromSql<'a> for Column {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Failure> {
        let v = match *ty {
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => json_value(raw.get(1..).unwrap_or(&[]))?,
            Type::NUMERIC => numeric(raw)?,
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        };
        Ok(Column(v))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Failure> {
        Ok(Column(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A JSON value as SQLite's `json_extract` gives it: a number as a number, a string as its
/// text, true and false as 1 and 0, null as NULL, an object or array as its JSON text. (The
/// store keeps JSON as text; a JSONB column comes only from `json_extract`, see `dialect`.)
fn json_value(raw: &[u8]) -> Result<Value, Failure> {
    use serde_json::Value as Json;
    Ok(match serde_json::from_slice::<Json>(raw)? {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s),
        other => Value::Text(other.to_string()),
    })
}

/// A NUMERIC (what `sum` of BIGINTs gives) as an integer when it is whole and fits, as a real
/// otherwise. Its binary form: digit count, weight, sign, scale, then base-10,000 digits.
fn numeric(raw: &[u8]) -> Result<Value, Failure> {
    let word = |i: usize| -> Result<u16, Failure> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("a short NUMERIC")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    let digits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let scale = word(3)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    let mut whole: i128 = 0;
    let mut real = 0f64;
    let mut fits = scale == 0;
    for i in 0..digits {
        let d = i128::from(word(4 + i)?);
        let power = weight - i as i32;
        real += d as f64 * 10_000f64.powi(power);
        if power < 0 {
            fits &= d == 0;
        } else if fits {
            let scaled = 10_000i128
                .checked_pow(power as u32)
                .and_then(|p| p.checked_mul(d));
            match scaled.and_then(|s| whole.checked_add(s)) {
                Some(w) => whole = w,
                None => fits = false,
            }
        }
    }
    let whole = if negative { -whole } else { whole };
    Ok(match i64::try_from(whole) {
        Ok(w) if fits => Value::Integer(w),
        _ => Value::Real(if negative { -real } else { real }),
    })
}

/// The server's error as the store's: a broken constraint reads as SQLite says it, so the
/// callers' mapping (a taken address is a 409 on `email`) holds on both stores. Values the
/// server quotes in its detail (a key that already exists) are left out.
pub fn error(e: &postgres::Error) -> rusqlite::Error {
    use postgres::error::SqlState;
    use rusqlite::ffi;
    let Some(db) = e.as_db_error() else {
        return failure(ffi::SQLITE_IOERR, format!("PostgreSQL: {e}"));
    };
    let table = db.table().unwrap_or("");
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        let columns = db
            .detail()
            .and_then(|d| d.strip_prefix("Key ("))
            .and_then(|d| d.split_once(")=").map(|(cols, _)| cols))
            .unwrap_or("");
        let named: Vec<String> = columns
            .split(',')
            .map(|c| format!("{table}.{}", c.trim()))
            .collect();
        return failure(
            ffi::SQLITE_CONSTRAINT_UNIQUE,
            format!("UNIQUE constraint failed: {}", named.join(", ")),
        );
    }
    if *code == SqlState::FOREIGN_KEY_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
            "FOREIGN KEY constraint failed".into(),
        );
    }
    if *code == SqlState::CHECK_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_CHECK,
            format!("CHECK constraint failed: {}", db.constraint().unwrap_or("")),
        );
    }
    if *code == SqlState::NOT_NULL_VIOLATION {
        return failure(
            ffi::SQLITE_CONSTRAINT_NOTNULL,
            format!(
                "NOT NULL constraint failed: {table}.{}",
                db.column().unwrap_or("")
            ),
        );
    }
    if *code == SqlState::RAISE_EXCEPTION {
        // A trigger's refusal, as SQLite's RAISE(ABORT, …).
        return failure(ffi::SQLITE_CONSTRAINT_TRIGGER, db.message().to_string());
    }
    if *code == SqlState::DISK_FULL {
        return failure(ffi::SQLITE_FULL, format!("PostgreSQL: {}", db.message()));
    }
    failure(
        ffi::SQLITE_ERROR,
        format!("PostgreSQL: {} ({})", db.message(), code.code()),
    )
}

fn failure(code: std::os::raw::c_int, message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_of(digits: &[u16], weight: i16, sign: u16, scale: u16) -> Value {
        let mut raw = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, scale] {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        numeric(&raw).unwrap()
    }

    #[test]
    fn a_whole_numeric_reads_as_an_integer_and_a_fraction_as_a_real() {
        // 123456789 = 1·10000² + 2345·10000 + 6789
        assert_eq!(
            numeric_of(&[1, 2345, 6789], 2, 0, 0),
            Value::Integer(123_456_789)
        );
        assert_eq!(numeric_of(&[42], 0, 0x4000, 0), Value::Integer(-42));
        assert_eq!(numeric_of(&[], 0, 0, 0), Value::Integer(0));
        // 1.5 = 1 + 5000·10000⁻¹
        assert_eq!(numeric_of(&[1, 5000], 0, 0, 1), Value::Real(1.5));
    }
}
