//! A row read by either store, with rusqlite's way of reading its columns: `r.get(0)` into any
//! type that reads from SQLite, so the same code reads a row from both.

use std::sync::Arc;

use rusqlite::types::{FromSql, FromSqlError, Type, Value, ValueRef};

/// A column by its place or by its name.
pub trait ColumnIndex: Copy {
    fn sqlite(self) -> impl rusqlite::RowIndex;
    fn place(self, names: &[String]) -> rusqlite::Result<usize>;
}

impl ColumnIndex for usize {
    fn sqlite(self) -> impl rusqlite::RowIndex {
        self
    }
    fn place(self, names: &[String]) -> rusqlite::Result<usize> {
        if self < names.len() {
            Ok(self)
        } else {
            Err(rusqlite::Error::InvalidColumnIndex(self))
        }
    }
}

impl ColumnIndex for &str {
    fn sqlite(self) -> impl rusqlite::RowIndex {
        self
    }
    fn place(self, names: &[String]) -> rusqlite::Result<usize> {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(self))
            .ok_or_else(|| rusqlite::Error::InvalidColumnName(self.to_string()))
    }
}

#[derive(Clone, Copy)]
pub struct Row<'r> {
    inner: Inner<'r>,
}

#[derive(Clone, Copy)]
enum Inner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Values {
        values: &'r [Value],
        names: &'r [String],
    },
}

impl<'r> Row<'r> {
    pub(super) fn sqlite(row: &'r rusqlite::Row<'r>) -> Self {
        Self {
            inner: Inner::Sqlite(row),
        }
    }

    pub(super) fn values(values: &'r [Value], names: &'r [String]) -> Self {
        Self {
            inner: Inner::Values { values, names },
        }
    }

    pub fn get<I: ColumnIndex, T: FromSql>(&self, idx: I) -> rusqlite::Result<T> {
        match self.inner {
            Inner::Sqlite(r) => r.get(idx.sqlite()),
            Inner::Values { values, names } => {
                let i = idx.place(names)?;
                let v = ValueRef::from(&values[i]);
                T::column_result(v).map_err(|e| conversion(i, &names[i], v, e))
            }
        }
    }

    pub fn get_ref<I: ColumnIndex>(&self, idx: I) -> rusqlite::Result<ValueRef<'_>> {
        match self.inner {
            Inner::Sqlite(r) => r.get_ref(idx.sqlite()),
            Inner::Values { values, names } => Ok(ValueRef::from(&values[idx.place(names)?])),
        }
    }
}

/// rusqlite's error for a column that does not read as the type asked for.
fn conversion(i: usize, name: &str, v: ValueRef<'_>, e: FromSqlError) -> rusqlite::Error {
    match e {
        FromSqlError::InvalidType => {
            rusqlite::Error::InvalidColumnType(i, name.to_string(), v.data_type())
        }
        FromSqlError::OutOfRange(n) => rusqlite::Error::IntegralValueOutOfRange(i, n),
        FromSqlError::Other(err) => {
            rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), err)
        }
        other => rusqlite::Error::FromSqlConversionFailure(i, Type::Null, Box::new(other)),
    }
}

/// Rows read whole from PostgreSQL, with their columns' names.
#[derive(Clone, Debug, Default)]
pub struct Fetched {
    pub names: Arc<[String]>,
    pub rows: Vec<Vec<Value>>,
}

/// The rows of a query, read one at a time (`while let Some(r) = rows.next()?`).
pub struct Rows<'s> {
    inner: RowsInner<'s>,
}

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Fetched { fetched: Fetched, next: usize },
}

impl<'s> Rows<'s> {
    pub(super) fn sqlite(rows: rusqlite::Rows<'s>) -> Self {
        Self {
            inner: RowsInner::Sqlite(rows),
        }
    }

    pub(super) fn fetched(fetched: Fetched) -> Self {
        Self {
            inner: RowsInner::Fetched { fetched, next: 0 },
        }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> rusqlite::Result<Option<Row<'_>>> {
        match &mut self.inner {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(Row::sqlite)),
            RowsInner::Fetched { fetched, next } => {
                let Some(values) = fetched.rows.get(*next) else {
                    return Ok(None);
                };
                *next += 1;
                Ok(Some(Row::values(values, &fetched.names)))
            }
        }
    }
}

/// The rows of a query, each mapped by `f` (`stmt.query_map(params, |r| r.get(0))?`).
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<'s, F> MappedRows<'s, F> {
    pub(super) fn new(rows: Rows<'s>, f: F) -> Self {
        Self { rows, f }
    }
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
{
    type Item = rusqlite::Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        let f = &mut self.f;
        match self.rows.next() {
            Ok(Some(row)) => Some(f(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
