//! SQL for the companies list: filters, the orders of `domain::company_sort` with keyset
//! pages over (sort value, id), and the count of every company the filters match.

use super::companies::{from_row, COLUMNS, FROM};
use super::search_terms::SearchTerms;
use crate::db::sql::{params_from_iter, Db, Dialect};
use crate::domain::company::{Company, CompanyFilter};
use crate::domain::company_sort::{CompanyCursor, CompanySort, SortKey, SortValue};
use crate::domain::search::fold;
use crate::domain::Page;
use crate::error::DomainResult;

pub(crate) type Args = Vec<Box<dyn rusqlite::ToSql>>;

/// An FTS5 phrase: inside double quotes every character is literal but the quote itself.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// What a search looks up in its store's index of trigrams: the rarest trigrams of its folded
/// text (see `search_terms`). The rows holding all of them are a superset of the rows whose
/// names hold the text; none (a text shorter than a trigram) leaves the search to the `LIKE`
/// alone.
pub(crate) struct Lookup {
    dialect: Dialect,
    trigrams: Vec<String>,
}

impl Lookup {
    /// The statement that gives the key of every company holding all the trigrams, its
    /// arguments pushed onto `args`, and that key's column (`rowid` in the file, `id` in
    /// PostgreSQL).
    fn rows(&self, args: &mut Args) -> Option<(String, &'static str)> {
        if self.trigrams.is_empty() {
            return None;
        }
        Some(match self.dialect {
            // The file's FTS5 index (`company_search`).
            Dialect::Sqlite => {
                let all: Vec<String> = self.trigrams.iter().map(|t| phrase(t)).collect();
                args.push(Box::new(format!("search_fold : ({})", all.join(" AND "))));
                // Changes not yet handed to the index (another program's writes, until
                // armario's next write) are candidates too; the queue is empty otherwise.
                let sql = format!(
                    "SELECT rowid FROM company_search WHERE company_search MATCH ?{} \
                     UNION ALL SELECT rid FROM company_search_pending WHERE op IS NULL",
                    args.len()
                );
                (sql, "rowid")
            }
            // PostgreSQL's `company_trigrams`, looked up by equality (which the company wall
            // lets an index serve): the rarest trigram's companies, each kept when it also
            // holds the others.
            Dialect::Postgres => {
                let mut sql = String::new();
                for (i, t) in self.trigrams.iter().enumerate() {
                    args.push(Box::new(t.clone()));
                    let n = args.len();
                    if i == 0 {
                        sql.push_str(&format!(
                            "SELECT t0.company_id FROM company_trigrams t0 WHERE t0.trigram = ?{n}"
                        ));
                    } else {
                        sql.push_str(&format!(
                            " AND EXISTS (SELECT 1 FROM company_trigrams t{i} \
                             WHERE t{i}.trigram = ?{n} AND t{i}.company_id = t0.company_id)"
                        ));
                    }
                }
                (sql, "id")
            }
        })
    }
}

/// What a search looks up in its store's index: the rarest trigrams of its folded text.
pub(crate) fn search_trigrams(
    conn: &Db,
    terms: &SearchTerms,
    filter: &CompanyFilter,
) -> DomainResult<Lookup> {
    Ok(Lookup {
        dialect: conn.dialect(),
        trigrams: match search(filter) {
            Some(q) => terms.rarest(conn, &fold(q))?,
            None => Vec::new(),
        },
    })
}

/// The bounds of the CNPJs that begin with `chars` (digits and upper-case letters, all below
/// `~`), a range of the `companies_cnpj_id` index.
fn cnpj_range(chars: &str) -> (String, String) {
    (chars.to_string(), format!("{chars}~"))
}

/// ` AND …` conditions for the filters, with their arguments appended to `args`.
pub(super) fn conditions(filter: &CompanyFilter, lookup: &Lookup, args: &mut Args) -> String {
    let mut sql = String::new();
    if let Some(only) = &filter.only {
        args.push(Box::new(only.clone()));
        sql.push_str(&format!(" AND c.id = ?{}", args.len()));
    }
    if let Some(status) = filter.status {
        args.push(Box::new(status.as_str()));
        sql.push_str(&format!(" AND c.status = ?{}", args.len()));
    }
    if let Some(q) = search(filter) {
        // Names and slug are matched folded (accents and case ignored) on both sides.
        let folded = fold(q);
        args.push(Box::new(super::like_pattern(&folded)));
        let mut cond = format!("c.search_fold LIKE ?{} ESCAPE '\\'", args.len());
        // A query that looks like the beginning of a CNPJ, numeric or alphanumeric, also
        // matches the CNPJs that begin with its bare upper-case characters.
        let chars: String = q
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|ch| ch.to_ascii_uppercase())
            .collect();
        let cnpj = (chars.len() >= 2
            && q.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ".-/ ".contains(ch)))
        .then_some(chars);
        // The range's two arguments, by number.
        let range = cnpj.as_deref().map(cnpj_range).map(|(from, to)| {
            args.push(Box::new(from));
            args.push(Box::new(to));
            (args.len() - 1, args.len())
        });
        if let Some((a, b)) = range {
            cond.push_str(&format!(" OR (c.cnpj >= ?{a} AND c.cnpj < ?{b})"));
        }
        // The index narrows the rows to those whose names hold the query's trigrams, plus
        // those in the CNPJ range; the conditions still decide, so the answer is the one a
        // full scan gives.
        if let Some((mut rows, key)) = lookup.rows(args) {
            if let Some((a, b)) = range {
                rows.push_str(&format!(
                    " UNION ALL SELECT {key} FROM companies WHERE cnpj >= ?{a} AND cnpj < ?{b}"
                ));
            }
            sql.push_str(&format!(" AND c.{key} IN ({rows})"));
        }
        sql.push_str(&format!(" AND ({cond})"));
    }
    sql
}

fn search(filter: &CompanyFilter) -> Option<&str> {
    filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
}

/// The column an order sorts by; each has an index on (column, id).
pub(super) fn column(key: SortKey) -> &'static str {
    match key {
        SortKey::Name => "c.sort_name",
        SortKey::Cnpj => "c.cnpj",
        SortKey::Status => "c.status",
        SortKey::Created => "c.created_at",
    }
}

pub(super) fn direction(sort: CompanySort) -> &'static str {
    if sort.descending {
        "DESC"
    } else {
        "ASC"
    }
}

/// The condition that keeps the rows after `after` in this order, comparing the sort key and id
/// `columns`; the cursor's two values are pushed onto `args`.
pub(super) fn past_cursor(
    after: CompanyCursor,
    sort: CompanySort,
    (key, id): (&str, &str),
    args: &mut Args,
) -> String {
    match after.value {
        SortValue::Text(t) => args.push(Box::new(t)),
        SortValue::Number(n) => args.push(Box::new(n)),
    }
    args.push(Box::new(after.id));
    let cmp = if sort.descending { "<" } else { ">" };
    let (v, i) = (args.len() - 1, args.len());
    format!("({key}, {id}) {cmp} (?{v}, ?{i})")
}

pub fn list(
    conn: &Db,
    terms: &SearchTerms,
    filter: &CompanyFilter,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> DomainResult<Page<Company>> {
    let lookup = search_trigrams(conn, terms, filter)?;
    let (sql, args) = list_query(filter, &lookup, sort, after, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset_page(&mut stmt, &args, limit, from_row, |c| sort.cursor_key(c))
}

/// The SQL of one page of the list and its arguments (apart, so a test can read its plan).
pub(crate) fn list_query(
    filter: &CompanyFilter,
    lookup: &Lookup,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> (String, Args) {
    let mut args: Args = Vec::new();
    let mut sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE 1 = 1{}",
        conditions(filter, lookup, &mut args)
    );
    let col = column(sort.key);
    let dir = direction(sort);
    if let Some(after) = after {
        let past = past_cursor(after, sort, (col, "c.id"), &mut args);
        sql.push_str(&format!(" AND {past}"));
    }
    sql.push_str(&format!(
        " ORDER BY {col} {dir}, c.id {dir} LIMIT {}",
        limit + 1
    ));
    (sql, args)
}

/// One page of the list and how many companies the filters match (a search: both in one pass
/// over its matches, see `search_page`).
pub fn page_and_total(
    conn: &Db,
    terms: &SearchTerms,
    filter: &CompanyFilter,
    sort: CompanySort,
    after: Option<CompanyCursor>,
    limit: u32,
) -> DomainResult<(Page<Company>, u64)> {
    if search(filter).is_none() {
        return Ok((
            list(conn, terms, filter, sort, after, limit)?,
            count(conn, terms, filter)?,
        ));
    }
    let lookup = search_trigrams(conn, terms, filter)?;
    match conn.dialect() {
        Dialect::Sqlite => {
            super::search_page::page_and_total(conn, filter, &lookup, sort, after, limit)
        }
        Dialect::Postgres => {
            super::search_page::page_and_total_in_one(conn, filter, &lookup, sort, after, limit)
        }
    }
}

/// How many companies the filters match, on every page.
pub fn count(conn: &Db, terms: &SearchTerms, filter: &CompanyFilter) -> DomainResult<u64> {
    let lookup = search_trigrams(conn, terms, filter)?;
    let (sql, args) = count_query(filter, &lookup);
    let mut stmt = conn.prepare_cached(&sql)?;
    let n: i64 = stmt.query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The SQL of the count and its arguments. Without a search or a single company, the counts
/// per status kept by triggers answer at once instead of counting every row.
pub(crate) fn count_query(filter: &CompanyFilter, lookup: &Lookup) -> (String, Args) {
    let mut args: Args = Vec::new();
    if filter.only.is_none() && search(filter).is_none() {
        let mut sql = "SELECT COALESCE(SUM(n), 0) FROM company_counts".to_string();
        if let Some(status) = filter.status {
            args.push(Box::new(status.as_str()));
            sql.push_str(" WHERE status = ?1");
        }
        return (sql, args);
    }
    count_rows_query(filter, lookup)
}

/// The count by counting the matching rows.
fn count_rows_query(filter: &CompanyFilter, lookup: &Lookup) -> (String, Args) {
    let mut args: Args = Vec::new();
    let sql = format!(
        "SELECT COUNT(*) FROM companies c WHERE 1 = 1{}",
        conditions(filter, lookup, &mut args)
    );
    (sql, args)
}
