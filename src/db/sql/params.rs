//! The values a statement is run with: every form rusqlite takes (`params![…]`, arrays, tuples,
//! `[]`, an iterator), bound as they are on SQLite and read as values for PostgreSQL.

use rusqlite::types::{ToSql, ToSqlOutput, Value};

use crate::db::cell_functions::owned;

/// What a statement can be run with. On SQLite the values are bound as rusqlite binds them; on
/// PostgreSQL each is read once as a SQLite value and sent in the type the server expects.
pub trait Params {
    /// The parameters as rusqlite binds them.
    fn sqlite(self) -> impl rusqlite::Params;
    /// The parameters as values, in order.
    fn values(&self) -> rusqlite::Result<Vec<Value>>;
}

/// The value a parameter stands for, owned.
pub fn value_of(p: &dyn ToSql) -> rusqlite::Result<Value> {
    Ok(match p.to_sql()? {
        ToSqlOutput::Borrowed(v) => owned(v),
        ToSqlOutput::Owned(v) => v,
        other => {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!("a parameter of an unsupported kind: {other:?}").into(),
            ))
        }
    })
}

impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn sqlite(self) -> impl rusqlite::Params {
        self
    }
    fn values(&self) -> rusqlite::Result<Vec<Value>> {
        Ok(Vec::new())
    }
}

impl Params for () {
    fn sqlite(self) -> impl rusqlite::Params {
        self
    }
    fn values(&self) -> rusqlite::Result<Vec<Value>> {
        Ok(Vec::new())
    }
}

impl Params for &[&dyn ToSql] {
    fn sqlite(self) -> impl rusqlite::Params {
        self
    }
    fn values(&self) -> rusqlite::Result<Vec<Value>> {
        self.iter().map(|p| value_of(*p)).collect()
    }
}

impl<T: ToSql> Params for (T,) {
    fn sqlite(self) -> impl rusqlite::Params {
        self
    }
    fn values(&self) -> rusqlite::Result<Vec<Value>> {
        Ok(vec![value_of(&self.0)?])
    }
}

macro_rules! tuple_params {
    ($(($($i:tt $t:ident),+))+) => {$(
        impl<$($t: ToSql),+> Params for ($($t,)+) {
            fn sqlite(self) -> impl rusqlite::Params {
                self
            }
            fn values(&self) -> rusqlite::Result<Vec<Value>> {
                Ok(vec![$(value_of(&self.$i)?),+])
            }
        }
    )+};
}

tuple_params! {
    (0 A, 1 B)
    (0 A, 1 B, 2 C)
    (0 A, 1 B, 2 C, 3 D)
    (0 A, 1 B, 2 C, 3 D, 4 E)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O, 15 P)
}

macro_rules! array_params {
    ($($n:literal)+) => {$(
        impl<T: ToSql> Params for &[&T; $n] {
            fn sqlite(self) -> impl rusqlite::Params {
                self
            }
            fn values(&self) -> rusqlite::Result<Vec<Value>> {
                self.iter().map(|p| value_of(*p)).collect::<rusqlite::Result<_>>()
            }
        }
        impl<T: ToSql> Params for [T; $n] {
            fn sqlite(self) -> impl rusqlite::Params {
                self
            }
            fn values(&self) -> rusqlite::Result<Vec<Value>> {
                self.iter().map(|p| value_of(p)).collect()
            }
        }
    )+};
}

array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// Parameters from an iterator, as `rusqlite::params_from_iter`.
#[derive(Clone, Debug)]
pub struct FromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> FromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    FromIter(iter)
}

impl<I> Params for FromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    fn sqlite(self) -> impl rusqlite::Params {
        rusqlite::params_from_iter(self.0)
    }
    fn values(&self) -> rusqlite::Result<Vec<Value>> {
        self.0.clone().into_iter().map(|p| value_of(&p)).collect()
    }
}
