//! SQL for the companies list: filters, the orders of `domain::company_sort` with keyset
//! pages over (sort value, id), and the count of every company the filters match.

use rusqlite::Connection;

use super::companies::{from_row, COLUMNS};
use crate::domain::company::{Company, CompanyFilter};
use crate::domain::company_sort::{CompanyCursor, CompanySort, SortKey, SortValue};
use crate::domain::search::fold;
use crate::domain::Page;
use crate::error::DomainResult;

type Args = Vec<Box<dyn rusqlite::ToSql>>;

/// ` AND …` conditions for the filters, with their arguments appended to `args`.
fn conditions(filter: &CompanyFilter, args: &mut Args) -> String {
    let mut sql = String::new();
    if let Some(only) = &filter.only {
        args.push(Box::new(only.clone()));
        sql.push_str(&format!(" AND c.id = ?{}", args.len()));
    }
    if let Some(status) = filter.status {
        args.push(Box::new(status.as_str()));
        sql.push_str(&format!(" AND c.status = ?{}", args.len()));
    }
    if let Some(q) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        // Names and slug are matched folded (accents and case ignored) on both sides.
        args.push(Box::new(super::like_pattern(&fold(q))));
        let mut cond = format!("c.search_fold LIKE ?{} ESCAPE '\\'", args.len());
        // A query that looks like (part of) a CNPJ, numeric or alphanumeric, also matches
        // the stored bare upper-case characters.
        let chars: String = q
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|ch| ch.to_ascii_uppercase())
            .collect();
        if chars.len() >= 2
            && q.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ".-/ ".contains(ch))
        {
            args.push(Box::new(format!("%{chars}%")));
            cond.push_str(&format!(" OR c.cnpj LIKE ?{}", args.len()));
        }
        sql.push_str(&format!(" AND ({cond})"));
    }
    sql
}

/// The column an order sorts by; each has an index on (column, id).
fn column(key: SortKey) -> &'static str {
    match key {
        SortKey::Name => "c.sort_name",
        SortKey::Cnpj => "c.cnpj",
        SortKey::Status => "c.status",
        SortKey::Created => "c.created_at",
    }
}

pub fn list(
    conn: &Connection,
    filter: &CompanyFilter,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> DomainResult<Page<Company>> {
    let mut args: Args = Vec::new();
    let mut sql = format!(
        "SELECT {COLUMNS} FROM companies c WHERE 1 = 1{}",
        conditions(filter, &mut args)
    );
    let col = column(sort.key);
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = after {
        match after.value {
            SortValue::Text(t) => args.push(Box::new(t)),
            SortValue::Number(n) => args.push(Box::new(n)),
        }
        args.push(Box::new(after.id));
        let (v, id) = (args.len() - 1, args.len());
        sql.push_str(&format!(" AND ({col}, c.id) {cmp} (?{v}, ?{id})"));
    }
    sql.push_str(&format!(
        " ORDER BY {col} {dir}, c.id {dir} LIMIT {}",
        limit + 1
    ));
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset_page(&mut stmt, &args, limit, from_row, |c| sort.cursor_key(c))
}

/// How many companies the filters match, on every page.
pub fn count(conn: &Connection, filter: &CompanyFilter) -> DomainResult<u64> {
    let mut args: Args = Vec::new();
    let sql = format!(
        "SELECT COUNT(*) FROM companies c WHERE 1 = 1{}",
        conditions(filter, &mut args)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let n: i64 = stmt.query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}
