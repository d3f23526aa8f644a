//! SQL for application usage counters, added in batches.

use rusqlite::params;

use crate::db::sql::{Db, Row};
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

/// The filter's conditions over `?1` (first day), `?2` (last day), `?3` (application) and `?4`
/// (company). Written per filter rather than as `(?4 IS NULL OR company_id = ?4)`, which no
/// index can serve: with a million companies a company's month must be a range of
/// `usage_daily_company`, not a walk over every row.
fn where_clause(f: &UsageFilter) -> String {
    let mut sql = "day >= COALESCE(?1, '') AND day <= COALESCE(?2, '9999-12-31')".to_string();
    sql.push_str(match f.application_id {
        Some(_) => " AND application_id = ?3",
        None => " AND ?3 IS NULL",
    });
    sql.push_str(match f.company_id {
        Some(_) => " AND company_id = ?4",
        None => " AND ?4 IS NULL",
    });
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
    let sql = format!(
        "SELECT {ROW} WHERE {} ORDER BY day, application_id, company_id, route_group LIMIT ?5",
        where_clause(f)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            params![f.from_day, f.to_day, f.application_id, f.company_id, limit],
            from_row,
        )?
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
    let sql = page_sql(f);
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![
            f.from_day,
            f.to_day,
            f.application_id,
            f.company_id,
            after.map(|a| &a.day),
            after.map(|a| &a.application_id),
            after.map(|a| &a.company_id),
            after.map(|a| &a.route_group),
            limit + 1
        ],
        limit,
        from_row,
        UsageAfter::key,
    )
}

/// The SQL of [`page`] (apart, so a test can read its plan).
pub(crate) fn page_sql(f: &UsageFilter) -> String {
    format!(
        "SELECT {ROW} \
         WHERE {} AND (?5 IS NULL OR (day, application_id, company_id, route_group) > (?5, ?6, ?7, ?8)) \
         ORDER BY day, application_id, company_id, route_group LIMIT ?9",
        where_clause(f)
    )
}

/// The SQL of [`total`].
pub(crate) fn total_sql(f: &UsageFilter) -> String {
    format!(
        "SELECT COALESCE(SUM(requests), 0) FROM usage_daily WHERE {}",
        where_clause(f)
    )
}

/// The sum of requests over every row of the report, whatever page is read.
pub fn total(conn: &Db, f: &UsageFilter) -> DomainResult<i64> {
    let sql = total_sql(f);
    Ok(super::cached_row(
        conn,
        &sql,
        params![f.from_day, f.to_day, f.application_id, f.company_id],
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
    let sql = format!(
        "SELECT u.company_id, \
         COALESCE(NULLIF(trim(c.display_name), ''), NULLIF(trim(c.trade_name), ''), c.legal_name), \
         SUM(u.requests) FROM usage_daily u LEFT JOIN companies c ON c.id = u.company_id \
         WHERE {} AND u.company_id <> '' AND (?5 IS NULL OR u.company_id > ?5) \
         GROUP BY u.company_id, c.id ORDER BY u.company_id LIMIT ?6",
        where_clause(f)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![
            f.from_day,
            f.to_day,
            f.application_id,
            f.company_id,
            after,
            limit + 1
        ],
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
