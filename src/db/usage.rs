//! SQL for application usage counters, added in batches.

use rusqlite::{params, Connection};

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

pub fn add(conn: &Connection, key: &UsageKey, requests: u64) -> DomainResult<()> {
    conn.execute(
        "INSERT INTO usage_daily (day, application_id, company_id, route_group, requests) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, application_id, company_id, route_group) DO UPDATE SET requests = requests + excluded.requests",
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
}

/// Rows in the period (days inclusive), oldest first; at most `limit`.
pub fn query(conn: &Connection, f: &UsageFilter, limit: u32) -> DomainResult<Vec<UsageRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, application_id, company_id, route_group, requests FROM usage_daily
         WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2)
           AND (?3 IS NULL OR application_id = ?3) AND (?4 IS NULL OR company_id = ?4)
         ORDER BY day, application_id, company_id, route_group LIMIT ?5",
    )?;
    let rows = stmt
        .query_map(
            params![f.from_day, f.to_day, f.application_id, f.company_id, limit],
            |r| {
                Ok(UsageRow {
                    day: r.get(0)?,
                    application_id: r.get(1)?,
                    company_id: r.get(2)?,
                    route_group: r.get(3)?,
                    requests: r.get(4)?,
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
