//! SQL for application usage counters, added in batches.

use rusqlite::params;

use crate::db::sql::{params_from_iter, Db, Row};
use crate::domain::Page;
use crate::error::DomainResult;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageKey {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub application_id: String,
    /// Empty when the request named no company.
    pub company_id: String,
    pub route_group: &'static str,
}

pub fn add(conn: &Db, key: &UsageKey, requests: u64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO usage_daily (day, application_id, company_id, route_group, requests) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, application_id, company_id, route_group) DO UPDATE SET requests = usage_daily.requests + excluded.requests",
        params![key.day, key.application_id, key.company_id, key.route_group, requests as i64],
    )?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct UsageFilter {
    pub from_day: Option<String>,
    pub to_day: Option<String>,
    pub application_id: Option<String>,
    pub company_id: Option<String>,
}

pub struct UsageRow {
    pub day: String,
    pub application_id: String,
    pub company_id: String,
    pub route_group: String,
    pub requests: i64,
    /// The application's name; `None` once it is deleted.
    pub application_name: Option<String>,
    /// The company's shown name; `None` for requests that named none, or once it is deleted.
    pub company_name: Option<String>,
}

/// The columns of a row with the names beside the ids.
const ROW: &str = "u.day, u.application_id, u.company_id, u.route_group, u.requests, a.name, \
    COALESCE(NULLIF(trim(c.display_name), ''), NULLIF(trim(c.trade_name), ''), c.legal_name) \
    FROM usage_daily u LEFT JOIN applications a ON a.id = u.application_id \
    LEFT JOIN companies c ON c.id = u.company_id";

/// Values bound to a statement built for its filter.
pub(crate) type Args = Vec<Box<dyn rusqlite::ToSql>>;

/// The filter's conditions, each only when set, numbered from `?1` with their values in
/// `args`. Written per filter rather than as `(?4 IS NULL OR company_id = ?4)`, which no index
/// can serve: with a million companies a company's month must be a range of
/// `usage_daily_company`, not a walk over every row. And no `?n IS NULL` either: PostgreSQL
/// would plan such a statement again on every run, for the values it is given.
fn where_clause(f: &UsageFilter, args: &mut Args) -> String {
    let mut sql = "1 = 1".to_string();
    let set = [
        ("day >=", &f.from_day),
        ("day <=", &f.to_day),
        ("application_id =", &f.application_id),
        ("company_id =", &f.company_id),
    ];
    for (clause, value) in set {
        if let Some(v) = value {
            args.push(Box::new(v.clone()));
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        }
    }
    sql
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<UsageRow> {
    Ok(UsageRow {
        day: r.get(0)?,
        application_id: r.get(1)?,
        company_id: r.get(2)?,
        route_group: r.get(3)?,
        requests: r.get(4)?,
        application_name: r.get(5)?,
        company_name: r.get(6)?,
    })
}

/// Rows in the period (days inclusive), oldest first; at most `limit` (the CSV export).
pub fn query(conn: &Db, f: &UsageFilter, limit: u32) -> DomainResult<Vec<UsageRow>> {
    let mut args = Args::new();
    let sql = format!(
        "SELECT {ROW} WHERE {} ORDER BY day, application_id, company_id, route_group LIMIT {limit}",
        where_clause(f, &mut args)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Where a page of usage rows starts: the key of the last row of the previous page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageAfter {
    pub day: String,
    pub application_id: String,
    pub company_id: String,
    pub route_group: String,
}

impl UsageAfter {
    /// The cursor key of a row: its four key columns, none of which holds a `|`.
    pub fn key(r: &UsageRow) -> String {
        format!(
            "{}|{}|{}|{}",
            r.day, r.application_id, r.company_id, r.route_group
        )
    }

    pub fn parse(key: &str) -> Option<Self> {
        let mut parts = key.split('|');
        let after = Self {
            day: parts.next()?.to_string(),
            application_id: parts.next()?.to_string(),
            company_id: parts.next()?.to_string(),
            route_group: parts.next()?.to_string(),
        };
        parts.next().is_none().then_some(after)
    }
}

/// A page of rows in the period, in key order (oldest day first).
pub fn page(
    conn: &Db,
    f: &UsageFilter,
    after: Option<&UsageAfter>,
    limit: u32,
) -> DomainResult<Page<UsageRow>> {
    let (sql, args) = page_query(f, after, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params_from_iter(args.iter()),
        limit,
        from_row,
        UsageAfter::key,
    )
}

/// The SQL of [`page`] and its values (apart, so a test can read its plan).
pub(crate) fn page_query(
    f: &UsageFilter,
    after: Option<&UsageAfter>,
    limit: u32,
) -> (String, Args) {
    let mut args = Args::new();
    let mut sql = format!("SELECT {ROW} WHERE {}", where_clause(f, &mut args));
    if let Some(a) = after {
        for v in [&a.day, &a.application_id, &a.company_id, &a.route_group] {
            args.push(Box::new(v.clone()));
        }
        let n = args.len();
        sql.push_str(&format!(
            " AND (day, application_id, company_id, route_group) > (?{}, ?{}, ?{}, ?{n})",
            n - 3,
            n - 2,
            n - 1
        ));
    }
    sql.push_str(&format!(
        " ORDER BY day, application_id, company_id, route_group LIMIT {}",
        limit + 1
    ));
    (sql, args)
}

/// The SQL of [`total`] and its values.
pub(crate) fn total_query(f: &UsageFilter) -> (String, Args) {
    let mut args = Args::new();
    let sql = format!(
        "SELECT COALESCE(SUM(requests), 0) FROM usage_daily WHERE {}",
        where_clause(f, &mut args)
    );
    (sql, args)
}

/// The sum of requests over every row of the report, whatever page is read.
pub fn total(conn: &Db, f: &UsageFilter) -> DomainResult<i64> {
    let (sql, args) = total_query(f);
    Ok(super::cached_row(
        conn,
        &sql,
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?)
}

/// One company's requests over a period, with its shown name.
pub struct CompanyTotal {
    pub company_id: String,
    pub company_name: Option<String>,
    pub requests: i64,
}

/// Requests per company over the period, a page in company id order; requests that named no
/// company are left out.
pub fn by_company(
    conn: &Db,
    f: &UsageFilter,
    after: Option<&str>,
    limit: u32,
) -> DomainResult<Page<CompanyTotal>> {
    let mut args = Args::new();
    let mut sql = format!(
        "SELECT u.company_id, \
         COALESCE(NULLIF(trim(c.display_name), ''), NULLIF(trim(c.trade_name), ''), c.legal_name), \
         SUM(u.requests) FROM usage_daily u LEFT JOIN companies c ON c.id = u.company_id \
         WHERE {} AND u.company_id <> ''",
        where_clause(f, &mut args)
    );
    if let Some(after) = after {
        args.push(Box::new(after.to_string()));
        sql.push_str(&format!(" AND u.company_id > ?{}", args.len()));
    }
    sql.push_str(&format!(
        " GROUP BY u.company_id, c.id ORDER BY u.company_id LIMIT {}",
        limit + 1
    ));
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params_from_iter(args.iter()),
        limit,
        |r| {
            Ok(CompanyTotal {
                company_id: r.get(0)?,
                company_name: r.get(1)?,
                requests: r.get(2)?,
            })
        },
        |t| t.company_id.clone(),
    )
}
