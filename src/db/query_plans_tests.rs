//! The reads that must stay fast with a million companies use an index: `EXPLAIN QUERY PLAN`
//! of the exact SQL each storage function runs (taken from its builder, not copied here) on a
//! small database built by the migrations. A plan that reads a large table from end to end
//! (a bare `SCAN`), or a search that walks the companies instead of the search index, fails.

use rusqlite::{params_from_iter, Connection, ToSql};

use crate::domain::audit::AuditFilter;
use crate::domain::company::{CompanyFilter, CompanyStatus};
use crate::domain::company_sort::CompanySort;
use crate::domain::user::UserFilter;
use crate::ids::CompanyId;

use super::usage::UsageFilter;

/// Tables that grow with the number of companies.
const LARGE: &[&str] = &[
    "companies",
    "users",
    "audit_events",
    "audit_chain",
    "usage_daily",
];

fn db() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    super::migrate::apply(&mut conn).unwrap();
    super::search_terms::attach(&conn).unwrap();
    conn.execute_batch(
        "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at,
                                search_fold, sort_name)
         VALUES ('cmp_1', 'Comércio São Paulo 1 Ltda', '11222333000181', 'sp-1', 'active', 1, 1,
                 'comercio sao paulo 1 ltda', 'comercio sao paulo 1 ltda');",
    )
    .unwrap();
    conn
}

/// The plan's lines, as `EXPLAIN QUERY PLAN` words them.
fn plan(conn: &Connection, sql: &str, args: &[&dyn ToSql]) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    // The caller may pass more arguments than this statement takes (two statements share them).
    let n = stmt.parameter_count().min(args.len());
    let rows = stmt
        .query_map(params_from_iter(args[..n].iter()), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn boxed(args: &[Box<dyn ToSql>]) -> Vec<&dyn ToSql> {
    args.iter().map(|a| a.as_ref()).collect()
}

/// The table (or alias) a `SCAN` or `SEARCH` line reads, resolved through `aliases`.
fn table_of<'a>(line: &'a str, aliases: &[(&str, &'a str)]) -> &'a str {
    let name = line.split_whitespace().nth(1).unwrap_or("");
    aliases
        .iter()
        .find(|(a, _)| *a == name)
        .map_or(name, |(_, t)| *t)
}

/// Fails when a line reads a large table whole: a `SCAN` with no index, or one that walks a
/// whole index without an order that a `LIMIT` stops early (`ordered` lists the indexes whose
/// order the query reads a page of).
fn assert_indexed(what: &str, lines: &[String], aliases: &[(&str, &str)], ordered: &[&str]) {
    for line in lines {
        if !line.starts_with("SCAN ") {
            continue;
        }
        let table = table_of(line, aliases);
        if !LARGE.contains(&table) {
            continue;
        }
        let walks_a_page = ordered.iter().any(|i| line.contains(&format!("INDEX {i}")));
        assert!(
            walks_a_page,
            "{what}: `{line}` reads all of {table}; plan: {lines:#?}"
        );
    }
}

const C: &[(&str, &str)] = &[
    ("c", "companies"),
    ("u", "usage_daily"),
    ("e", "audit_events"),
];

/// The plans of a search's page with its total (`page_and_total`): its matches' keys, then each
/// of the page's companies by rowid.
fn search_page(filter: CompanyFilter) -> Vec<String> {
    let conn = db();
    let terms = super::search_terms::SearchTerms::default();
    let trigrams =
        super::company_list::search_trigrams(&crate::db::Db::sqlite(&conn), &terms, &filter)
            .unwrap();
    let (sql, args) = super::search_page::matches_query(&filter, &trigrams, CompanySort::default());
    let mut lines = plan(&conn, &sql, &boxed(&args));
    lines.extend(plan(&conn, super::search_page::row_query(), &[&1i64]));
    lines
}

fn company_list(filter: CompanyFilter) -> (Vec<String>, Vec<String>) {
    let conn = db();
    let terms = super::search_terms::SearchTerms::default();
    let trigrams =
        super::company_list::search_trigrams(&crate::db::Db::sqlite(&conn), &terms, &filter)
            .unwrap();
    let (sql, args) =
        super::company_list::list_query(&filter, &trigrams, CompanySort::default(), None, 50);
    let list = plan(&conn, &sql, &boxed(&args));
    let (sql, args) = super::company_list::count_query(&filter, &trigrams);
    let count = plan(&conn, &sql, &boxed(&args));
    (list, count)
}

fn search(q: &str) -> CompanyFilter {
    CompanyFilter {
        search: Some(q.into()),
        ..CompanyFilter::default()
    }
}

#[test]
fn the_companies_list_reads_a_page_of_an_index_and_counts_from_the_counters() {
    let (list, count) = company_list(CompanyFilter::default());
    assert_indexed("list", &list, C, &["companies_created_id"]);
    assert!(!list.iter().any(|l| l.contains("TEMP B-TREE")), "{list:#?}");
    assert!(
        count.iter().all(|l| l.contains("company_counts")),
        "{count:#?}"
    );
    let (_, count) = company_list(CompanyFilter {
        status: Some(CompanyStatus::Active),
        ..CompanyFilter::default()
    });
    assert!(
        count.iter().all(|l| l.contains("company_counts")),
        "{count:#?}"
    );
}

#[test]
fn a_search_by_name_or_cnpj_goes_through_the_search_index() {
    for q in ["sao paulo", "São Paulo", "11.222", "11222333", "comercio 1"] {
        let (list, count) = company_list(search(q));
        let page = search_page(search(q));
        // The page's companies are read by rowid, only those of the page.
        assert!(
            page.iter()
                .any(|l| l.starts_with("SEARCH c USING INTEGER PRIMARY KEY")),
            "{q:?}: {page:#?}"
        );
        for (what, lines) in [("list", &list), ("count", &count), ("page", &page)] {
            assert_indexed(&format!("{what} {q:?}"), lines, C, &[]);
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("company_search VIRTUAL TABLE")),
                "{what} {q:?} does not use the search index: {lines:#?}"
            );
        }
    }
    // The beginning of a CNPJ is a range of its B-tree, not a trigram lookup.
    for q in ["11.222", "11222333", "11.222.333/0001"] {
        let (list, count) = company_list(search(q));
        let page = search_page(search(q));
        for (what, lines) in [("list", &list), ("count", &count), ("page", &page)] {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("INDEX companies_cnpj") && l.contains("cnpj>? AND cnpj<?")),
                "{what} {q:?} does not read a range of the CNPJ index: {lines:#?}"
            );
        }
    }
}

#[test]
fn a_company_s_users_are_a_range_of_their_index() {
    let conn = db();
    let filter = UserFilter {
        company: Some(CompanyId::from_db("cmp_1".into())),
        ..UserFilter::default()
    };
    let (sql, args) = super::users::list_query(&filter, None, 50);
    let lines = plan(&conn, &sql, &boxed(&args));
    assert_indexed("users", &lines, &[], &[]);
    assert!(
        lines.iter().any(|l| l.contains("users_company_id")),
        "{lines:#?}"
    );
}

#[test]
fn a_company_s_audit_log_over_a_period_is_a_range_of_an_index() {
    let conn = db();
    let f = AuditFilter {
        from: Some(0),
        to: Some(i64::MAX),
        company_id: Some(CompanyId::from_db("cmp_1".into())),
        ..AuditFilter::default()
    };
    let (sql, args) = super::audit::list_query(&f, None, 50);
    let lines = plan(&conn, &sql, &boxed(&args));
    assert_indexed("audit", &lines, C, &[]);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("SEARCH e USING INDEX audit_events_company")),
        "{lines:#?}"
    );
}

#[test]
fn a_month_of_usage_is_a_range_of_an_index() {
    let conn = db();
    for company in [Some("cmp_1".to_string()), None] {
        let f = UsageFilter {
            from_day: Some("2026-10-01".into()),
            to_day: Some("2026-10-31".into()),
            application_id: None,
            company_id: company.clone(),
        };
        for (sql, args) in [
            super::usage::page_query(&f, None, 50),
            super::usage::total_query(&f),
        ] {
            let args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
            let lines = plan(&conn, &sql, &args);
            assert_indexed(&format!("usage {company:?}"), &lines, C, &[]);
            assert!(lines.iter().any(|l| l.starts_with("SEARCH")), "{lines:#?}");
        }
    }
}

/// A search's statement is compiled once per connection: a new pattern bound to its `LIKE`
/// does not compile it again (the connection's settings keep plans independent of values).
#[test]
fn a_search_is_not_compiled_again_for_each_pattern() {
    let conn = db();
    super::configure(&conn, super::Synchronous::Normal, true).unwrap();
    let terms = super::search_terms::SearchTerms::default();
    let filter = search("sao paulo");
    let trigrams =
        super::company_list::search_trigrams(&crate::db::Db::sqlite(&conn), &terms, &filter)
            .unwrap();
    let (sql, _) = super::search_page::matches_query(&filter, &trigrams, CompanySort::default());
    let mut stmt = conn.prepare(&sql).unwrap();
    let mut found = Vec::new();
    for q in ["sao paulo", "comercio sao", "sao paulo 2", "paulo 1 l"] {
        let (_, args) =
            super::search_page::matches_query(&search(q), &trigrams, CompanySort::default());
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))
            .unwrap();
        found.push(rows.count());
    }
    assert_eq!(found, [1, 1, 0, 1]);
    assert_eq!(
        stmt.get_status(rusqlite::StatementStatus::RePrepare),
        0,
        "the search was compiled again for a new pattern"
    );
}

/// Each listed company's user count reads the index of its company's users by status alone,
/// and a pending company's sign-up conflicts read a range of its own pending users, never the
/// pending users of the whole platform (`users_status_id`).
#[test]
fn a_listed_company_s_users_are_counted_and_checked_through_its_own_range() {
    let conn = db();
    let lines = plan(&conn, super::search_page::row_query(), &[&1i64]);
    assert!(
        lines
            .iter()
            .any(|l| l == "SEARCH u USING COVERING INDEX users_company_status (company_id=?)"),
        "{lines:#?}"
    );
    let pending_users: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("SEARCH u "))
        .collect();
    assert_eq!(pending_users.len(), 3, "{lines:#?}");
    for line in pending_users {
        assert!(line.contains("INDEX users_company_status"), "{lines:#?}");
    }
    assert!(
        !lines.iter().any(|l| l.contains("users_status_id")),
        "{lines:#?}"
    );
}
