//! A search's page and total in one pass over its matches. Each match's sort key, id and rowid
//! are read once; the rows that may still belong to the page are kept in order as they go by
//! (never more than a page of them), and the total is the number of matches. Only the page's
//! companies are then read whole, by rowid.
//!
//! One SQL statement did this before, with the matches and the page kept in temporary tables
//! and sorted there: on a million companies, "sao paulo 12" spent about a fifth of its time
//! writing and sorting those tables.

use std::cmp::Ordering;
use std::sync::LazyLock;

use rusqlite::types::ValueRef;

use super::companies::{from_row, COLUMNS, FROM};
use super::company_list::{column, conditions, direction, past_cursor, Args, Lookup};
use crate::db::sql::{params_from_iter, Db};
use crate::domain::company::{Company, CompanyFilter};
use crate::domain::company_sort::{CompanyCursor, CompanySort, SortValue};
use crate::domain::Page;
use crate::error::{DomainError, DomainResult};

/// A sort value as SQL orders it: every number before every text, texts byte by byte (the
/// `BINARY` collation).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    Number(i64),
    Text(&'a str),
}

impl<'a> Key<'a> {
    fn read(value: ValueRef<'a>) -> DomainResult<Self> {
        match value {
            ValueRef::Integer(n) => Ok(Key::Number(n)),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Key::Text)
                .map_err(DomainError::internal),
            other => Err(DomainError::internal(format!(
                "a company's sort value is {:?}, not a number or text",
                other.data_type()
            ))),
        }
    }

    fn of(value: &'a SortValue) -> Self {
        match value {
            SortValue::Number(n) => Key::Number(*n),
            SortValue::Text(t) => Key::Text(t),
        }
    }

    fn owned(self) -> SortValue {
        match self {
            Key::Number(n) => SortValue::Number(n),
            Key::Text(t) => SortValue::Text(t.to_string()),
        }
    }
}

/// A match that may be on the page.
struct Kept {
    value: SortValue,
    id: String,
    rowid: i64,
}

/// The first `room` matches in the order, kept sorted while the matches go by.
struct Best {
    descending: bool,
    room: usize,
    rows: Vec<Kept>,
}

impl Best {
    fn new(sort: CompanySort, room: usize) -> Self {
        Self {
            descending: sort.descending,
            room,
            rows: Vec::with_capacity(room),
        }
    }

    /// How (`a`'s value, `a`'s id) compares with `b`'s in the order: `Less` comes first.
    fn order(&self, a: (Key<'_>, &str), b: (Key<'_>, &str)) -> Ordering {
        let o = a.cmp(&b);
        if self.descending {
            o.reverse()
        } else {
            o
        }
    }

    fn offer(&mut self, value: Key<'_>, id: &str, rowid: i64) {
        if self.room == 0 {
            return;
        }
        if self.rows.len() == self.room {
            let last = self.rows.last().expect("full, so not empty");
            if self.order((value, id), (Key::of(&last.value), &last.id)) != Ordering::Less {
                return;
            }
            self.rows.pop();
        }
        let at = self.rows.partition_point(|k| {
            self.order((Key::of(&k.value), &k.id), (value, id)) == Ordering::Less
        });
        let kept = Kept {
            value: value.owned(),
            id: id.to_string(),
            rowid,
        };
        self.rows.insert(at, kept);
    }
}

/// The SQL of every match's rowid, sort value and id, and its arguments (apart, so a test can
/// read its plan).
pub(crate) fn matches_query(
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
) -> (String, Args) {
    let mut args: Args = Vec::new();
    let matches = conditions(filter, lookup, &mut args);
    let sql = format!(
        "SELECT c.rowid, {}, c.id FROM companies c WHERE 1 = 1{matches}",
        column(sort.key)
    );
    (sql, args)
}

/// The SQL that reads one company whole by its rowid.
pub(crate) fn row_query() -> &'static str {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {COLUMNS} FROM {FROM} WHERE c.rowid = ?1"));
    &SQL
}

/// A search's page (after `after`, in `sort`) and how many companies match it in all. Both
/// statements read one snapshot: a company removed or renamed between them would otherwise be
/// missing from, or out of place on, the page.
pub(crate) fn page_and_total(
    conn: &Db,
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> DomainResult<(Page<Company>, u64)> {
    super::in_snapshot(conn, |conn| {
        // One more than the page, to know that another page follows.
        let mut best = Best::new(sort, limit as usize + 1);
        let total = each_match(conn, filter, lookup, sort, after.as_ref(), &mut best)?;
        let mut read = conn.prepare_cached(row_query())?;
        let items = best
            .rows
            .iter()
            .map(|k| read.query_row([k.rowid], from_row))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((Page::from_rows(items, limit, |c| sort.cursor_key(c)), total))
    })
}

/// The same in one statement, PostgreSQL's form: it has no rowids to come back to, and each
/// statement is a round trip. The matches' ids and sort values are kept once (a materialized
/// `WITH`), counted, and the page taken from them in order; only the page's companies are read
/// whole. A page past the last match is one row with the count and no company. Planned once
/// for any search (PostgreSQL would otherwise plan it again for each search's values).
pub(crate) fn page_and_total_in_one(
    conn: &Db,
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> DomainResult<(Page<Company>, u64)> {
    let (sql, args) = in_one_query(filter, lookup, sort, after, limit);
    conn.generic_plans(|conn| {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let (mut items, mut total) = (Vec::new(), 0u64);
        while let Some(r) = rows.next()? {
            total = r.get::<_, i64>("armario_total")?.max(0) as u64;
            if r.get::<_, Option<String>>(0)?.is_some() {
                items.push(from_row(&r)?);
            }
        }
        Ok((Page::from_rows(items, limit, |c| sort.cursor_key(c)), total))
    })
}

/// The SQL of [`page_and_total_in_one`] and its arguments.
fn in_one_query(
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> (String, Args) {
    let mut args: Args = Vec::new();
    let matches = conditions(filter, lookup, &mut args);
    let past = after
        .map(|a| {
            format!(
                " WHERE {}",
                past_cursor(a, sort, ("m.k", "m.id"), &mut args)
            )
        })
        .unwrap_or_default();
    let (col, dir) = (column(sort.key), direction(sort));
    let sql = format!(
        "WITH m AS MATERIALIZED (SELECT c.id, {col} AS k FROM companies c WHERE 1 = 1{matches}), \
              p AS (SELECT m.id, m.k FROM m{past} ORDER BY m.k {dir}, m.id {dir} LIMIT {n}) \
         SELECT {COLUMNS}, t.n AS armario_total \
         FROM (SELECT count(*) AS n FROM m) t \
         LEFT JOIN (p JOIN ({FROM}) ON c.id = p.id) ON true \
         ORDER BY p.k {dir}, p.id {dir}",
        n = limit + 1
    );
    (sql, args)
}

/// Offers `best` every match past `after`, and counts them all.
fn each_match(
    conn: &Db,
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
    after: Option<&CompanyCursor>,
    best: &mut Best,
) -> DomainResult<u64> {
    let (sql, args) = matches_query(filter, lookup, sort);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut total = 0u64;
    while let Some(r) = rows.next()? {
        total += 1;
        let value = Key::read(r.get_ref(1)?)?;
        let id = r.get_ref(2)?.as_str().map_err(DomainError::internal)?;
        let past = after.is_none_or(|a| {
            best.order((value, id), (Key::of(&a.value), a.id.as_str())) == Ordering::Greater
        });
        if past {
            best.offer(value, id, r.get(0)?);
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(best: &Best) -> Vec<(String, i64)> {
        best.rows.iter().map(|k| (k.id.clone(), k.rowid)).collect()
    }

    #[test]
    fn the_first_rows_in_the_order_are_kept_whatever_order_they_come_in() {
        let sort = CompanySort::default();
        let mut best = Best::new(
            CompanySort {
                descending: false,
                ..sort
            },
            3,
        );
        for (value, id, rowid) in [
            ("b", "cmp_2", 1),
            ("a", "cmp_9", 2),
            ("c", "cmp_1", 3),
            ("a", "cmp_3", 4),
            ("b", "cmp_1", 5),
        ] {
            best.offer(Key::Text(value), id, rowid);
        }
        // (a, cmp_3), (a, cmp_9), (b, cmp_1): equal values in id order, the rest left out.
        assert_eq!(
            kept(&best),
            [
                ("cmp_3".into(), 4),
                ("cmp_9".into(), 2),
                ("cmp_1".into(), 5)
            ]
        );

        let mut best = Best::new(
            CompanySort {
                descending: true,
                ..sort
            },
            2,
        );
        for (n, id) in [(5, "cmp_a"), (9, "cmp_b"), (9, "cmp_c"), (1, "cmp_d")] {
            best.offer(Key::Number(n), id, n);
        }
        assert_eq!(kept(&best), [("cmp_c".into(), 9), ("cmp_b".into(), 9)]);
    }

    #[test]
    fn numbers_come_before_texts_and_texts_go_byte_by_byte_as_in_sql() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sql: Vec<String> = conn
            .prepare(
                "SELECT v FROM (SELECT 'b' AS v UNION ALL SELECT 'B' UNION ALL SELECT 'á' \
                 UNION ALL SELECT 'ab' UNION ALL SELECT 'a') ORDER BY v",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut ours: Vec<&str> = vec!["b", "B", "á", "ab", "a"];
        ours.sort_by_key(|t| Key::Text(t));
        assert_eq!(sql, ours);
        assert!(Key::Number(i64::MAX) < Key::Text(""));
    }
}
