//! A PostgreSQL database as either end of a move. Its transactions see every company's rows
//! (the platform scope, set inside each, so a pooler handing the next statement to another
//! server connection cannot leave a move seeing none), it reads inside one repeatable-read
//! snapshot, and writes in one transaction. Rows go in as multi-row INSERTs: COPY is refused on tables under row-level
//! security.

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::Client;
use rusqlite::types::Value;

use super::shapes::Shape;
use super::Side;
use crate::crypto::cell::CELL_MAGIC;
use crate::db::pg::{self, BULK_FILL_BEGINS, BULK_FILL_DONE, REBUILD_TRIGRAMS};

/// How a column's values are stored in PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int8,
    Float8,
    Text,
    Bytea,
    /// BYTEA holding what SQLite keeps as text or as a sealed cell (a person's e-mail, name).
    Cell,
}

/// Bind parameters per statement, under PostgreSQL's limit of 65,535.
const MAX_PARAMS: usize = 60_000;

pub(super) struct PgSide {
    client: Client,
    where_: String,
    kinds: HashMap<String, Vec<Kind>>,
    identities: HashMap<String, Option<String>>,
    /// The source's high-water marks, applied to the identities by `check`.
    marks: HashMap<String, i64>,
}

/// Every transaction of a move sees every company's rows; the setting ends with it.
const PLATFORM: &str = "SELECT set_config('armario.scope', 'platform', true)";

impl PgSide {
    pub fn open(url: &str, ca_file: Option<&Path>, write: bool) -> Result<PgSide, String> {
        let where_ = pg::redacted(url);
        let mut client = pg::connect(url, ca_file)?;
        if write {
            pg::migrate::apply(&mut client).map_err(|e| format!("{where_}: {e}"))?;
        }
        let version = pg::migrate::current_version(&mut client)?;
        let latest = pg::migrate::latest_version();
        if version != latest {
            return Err(match version {
                0 => format!("{where_} holds no armario store"),
                v => format!("{where_} is at schema version {v}, this armario's is {latest}"),
            });
        }
        Ok(PgSide {
            client,
            where_,
            kinds: HashMap::new(),
            identities: HashMap::new(),
            marks: HashMap::new(),
        })
    }

    fn failed(&self) -> impl Fn(postgres::Error) -> String + '_ {
        move |e| format!("{}: {e}", self.where_)
    }

    /// The storage of each of the table's columns, checked against the SQLite shape.
    fn kinds(&mut self, table: &Shape) -> Result<Vec<Kind>, String> {
        if let Some(k) = self.kinds.get(&table.name) {
            return Ok(k.clone());
        }
        let rows = self
            .client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1",
                &[&table.name],
            )
            .map_err(|e| format!("{}: {e}", self.where_))?;
        let types: HashMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        if types.len() != table.columns.len() {
            return Err(format!(
                "{}: table {} has {} columns, the SQLite schema {}",
                self.where_,
                table.name,
                types.len(),
                table.columns.len()
            ));
        }
        let mut kinds = Vec::with_capacity(table.columns.len());
        for c in &table.columns {
            let kind = match (types.get(&c.name).map(String::as_str), c.declared.as_str()) {
                (Some("bigint"), _) => Kind::Int8,
                (Some("double precision"), _) => Kind::Float8,
                (Some("text"), _) => Kind::Text,
                (Some("bytea"), "TEXT") => Kind::Cell,
                (Some("bytea"), _) => Kind::Bytea,
                (other, _) => {
                    return Err(format!(
                        "{}: column {}.{} is {}, which a move cannot carry",
                        self.where_,
                        table.name,
                        c.name,
                        other.unwrap_or("missing")
                    ))
                }
            };
            kinds.push(kind);
        }
        self.kinds.insert(table.name.clone(), kinds.clone());
        Ok(kinds)
    }
}

fn read_value(row: &postgres::Row, i: usize, kind: Kind) -> Result<Value, postgres::Error> {
    Ok(match kind {
        Kind::Int8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Integer),
        Kind::Float8 => row
            .try_get::<_, Option<f64>>(i)?
            .map_or(Value::Null, Value::Real),
        Kind::Text => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bytea => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Blob),
        Kind::Cell => match row.try_get::<_, Option<Vec<u8>>>(i)? {
            None => Value::Null,
            Some(b) if b.starts_with(CELL_MAGIC) => Value::Blob(b),
            Some(b) => match String::from_utf8(b) {
                Ok(s) => Value::Text(s),
                Err(e) => Value::Blob(e.into_bytes()),
            },
        },
    })
}

/// Whether a SQLite value fits the column; a move refuses a row that does not.
fn fits(value: &Value, kind: Kind) -> bool {
    matches!(
        (value, kind),
        (Value::Null, _)
            | (Value::Integer(_), Kind::Int8)
            | (Value::Real(_), Kind::Float8)
            | (Value::Text(_), Kind::Text | Kind::Cell)
            | (Value::Blob(_), Kind::Bytea | Kind::Cell)
    )
}

/// Whether a person's cell comes back with its own type: PostgreSQL keeps both clear text and
/// sealed cells as bytes, and tells them apart by the cell's mark.
fn cell_round_trips(value: &Value) -> bool {
    match value {
        Value::Text(t) => !t.as_bytes().starts_with(CELL_MAGIC),
        Value::Blob(b) => b.starts_with(CELL_MAGIC),
        _ => true,
    }
}

/// A SQLite value bound as a parameter of the column's type (checked by `fits` first).
#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => i.to_sql_checked(ty, out),
            Value::Real(f) => f.to_sql_checked(ty, out),
            Value::Text(s) if *ty == Type::BYTEA => s.as_bytes().to_sql_checked(ty, out),
            Value::Text(s) => s.as_str().to_sql_checked(ty, out),
            Value::Blob(b) => b.as_slice().to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl Side for PgSide {
    fn snapshot(&mut self) -> Result<(), String> {
        let where_ = self.where_.clone();
        self.client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {PLATFORM}"
            ))
            .map_err(|e| format!("{where_}: {e}"))
    }

    fn each_row(
        &mut self,
        table: &Shape,
        f: &mut dyn FnMut(Vec<Value>) -> Result<(), String>,
    ) -> Result<(), String> {
        let kinds = self.kinds(table)?;
        // Text keys in byte order, as SQLite's BINARY collation orders them.
        let order = table
            .key
            .iter()
            .map(|&i| match kinds[i] {
                Kind::Text => format!("\"{}\" COLLATE \"C\"", table.columns[i].name),
                _ => format!("\"{}\"", table.columns[i].name),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {} FROM \"{}\" ORDER BY {order}",
            table.column_list(),
            table.name
        );
        let where_ = self.where_.clone();
        let fail = |e: postgres::Error| format!("{where_}: table {}: {e}", table.name);
        let mut rows = self
            .client
            .query_raw(&sql, std::iter::empty::<&(dyn ToSql + Sync)>())
            .map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            let row = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| read_value(&r, i, *k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(fail)?;
            f(row)?;
        }
        Ok(())
    }

    /// The tables derived from the companies (their counts per status, their trigrams) are
    /// built once after the copy ([`Side::check`]), not by triggers one company at a time.
    fn begin(&mut self) -> Result<(), String> {
        self.client
            .batch_execute(&format!("BEGIN; {PLATFORM}; {BULK_FILL_BEGINS}"))
            .map_err(self.failed())
    }

    fn has_rows(&mut self, table: &Shape) -> Result<bool, String> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{}\")", table.name);
        let row = self.client.query_one(&sql, &[]).map_err(self.failed())?;
        Ok(row.get(0))
    }

    fn clear(&mut self, table: &Shape) -> Result<(), String> {
        self.client
            .batch_execute(&format!("DELETE FROM \"{}\"", table.name))
            .map_err(self.failed())
    }

    fn insert(&mut self, table: &Shape, rows: &[Vec<Value>]) -> Result<(), String> {
        let kinds = self.kinds(table)?;
        for row in rows {
            for (i, (value, kind)) in row.iter().zip(&kinds).enumerate() {
                if *kind == Kind::Cell && !cell_round_trips(value) {
                    return Err(format!(
                        "table {} column {}: a value whose type would not survive the move \
                         (clear text that starts like a sealed cell, or a blob that is not one)",
                        table.name, table.columns[i].name
                    ));
                }
                if !fits(value, *kind) {
                    return Err(format!(
                        "table {} column {}: a {} value where PostgreSQL keeps {kind:?}",
                        table.name,
                        table.columns[i].name,
                        value.data_type()
                    ));
                }
            }
        }
        let width = table.columns.len();
        let per_statement = (MAX_PARAMS / width).max(1);
        for chunk in rows.chunks(per_statement) {
            let tuples = (0..chunk.len())
                .map(|r| {
                    let marks = (1..=width)
                        .map(|c| format!("${}", r * width + c))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("({marks})")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO \"{}\" ({}) VALUES {tuples}",
                table.name,
                table.column_list()
            );
            let params: Vec<Param> = chunk.iter().flatten().map(Param).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            self.client
                .execute(&sql, &refs)
                .map_err(|e| format!("{}: table {}: {e}", self.where_, table.name))?;
        }
        Ok(())
    }

    fn high_water(&mut self, table: &Shape) -> Result<Option<i64>, String> {
        let Some(column) = self.identity(table)? else {
            return Ok(None);
        };
        let row = self
            .client
            .query_one(
                "SELECT s.last_value FROM pg_sequences s
                 WHERE format('%I.%I', s.schemaname, s.sequencename)::regclass
                     = pg_get_serial_sequence($1, $2)::regclass",
                &[&table.name, &column],
            )
            .map_err(self.failed())?;
        Ok(row.get(0))
    }

    fn keep_high_water(&mut self, table: &Shape, id: i64) -> Result<(), String> {
        self.marks.insert(table.name.clone(), id);
        Ok(())
    }

    /// The tables derived from the companies are built and their triggers back on, and each
    /// identity continues after the highest id copied or handed out by the source.
    fn check(&mut self, tables: &[Shape]) -> Result<(), String> {
        self.client
            .batch_execute(&format!("{REBUILD_TRIGRAMS}; {BULK_FILL_DONE}"))
            .map_err(self.failed())?;
        for t in tables {
            let Some(column) = self.identity(t)? else {
                continue;
            };
            let mark = self.marks.get(&t.name).copied().unwrap_or(0);
            self.client
                .execute(
                    &format!(
                        "SELECT CASE WHEN n > 0 THEN setval(pg_get_serial_sequence($1, $2), n, true)
                                     ELSE setval(pg_get_serial_sequence($1, $2), 1, false) END
                         FROM (SELECT greatest(coalesce(max(\"{column}\"), 0), $3) AS n
                               FROM \"{}\") m",
                        t.name
                    ),
                    &[&t.name, &column, &mark],
                )
                .map_err(self.failed())?;
        }
        Ok(())
    }

    /// Commits, then gathers the planner's statistics of the tables just filled: until
    /// autovacuum gets to them the planner would guess their sizes, and plan the owner's
    /// reads as scans of whole tables.
    fn commit(&mut self) -> Result<(), String> {
        self.client.batch_execute("COMMIT").map_err(self.failed())?;
        self.client
            .batch_execute(crate::db::pg::ANALYZE_OWN_TABLES)
            .map_err(self.failed())
    }

    fn rollback(&mut self) {
        let _ = self.client.batch_execute("ROLLBACK");
    }
}

impl PgSide {
    /// The table's identity column, if it has one (looked up once per table).
    fn identity(&mut self, table: &Shape) -> Result<Option<String>, String> {
        if let Some(known) = self.identities.get(&table.name) {
            return Ok(known.clone());
        }
        let row = self
            .client
            .query_opt(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1
                   AND is_identity = 'YES'",
                &[&table.name],
            )
            .map_err(self.failed())?;
        let column: Option<String> = row.map(|r| r.get(0));
        self.identities.insert(table.name.clone(), column.clone());
        Ok(column)
    }
}
