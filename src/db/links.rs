//! SQL for links between applications and companies, and for companies' custom domains.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Dialect, Row};
use crate::domain::application::Link;
use crate::domain::Page;
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CompanyId, LinkId};

const COLUMNS: &str =
    "l.id, l.application_id, l.company_id, l.scopes, l.created_at, l.updated_at, a.name, \
    COALESCE(c.trade_name, c.legal_name), l.external_id, p.state, p.message, p.reported_at, \
    p.requested_at, p.updated_at";
const FROM: &str = "links l JOIN applications a ON a.id = l.application_id \
    JOIN companies c ON c.id = l.company_id LEFT JOIN link_provisioning p ON p.link_id = l.id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Link> {
    let scopes: String = r.get(3)?;
    Ok(Link {
        id: r.get(0)?,
        application_id: r.get(1)?,
        company_id: r.get(2)?,
        scopes: scopes.split_whitespace().map(str::to_string).collect(),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        application_name: r.get(6)?,
        company_name: r.get(7)?,
        external_id: r.get(8)?,
        provisioning: crate::db::provisioning::from_columns(r, 9)?,
    })
}

pub fn insert(conn: &Db, l: &Link) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO links (id, application_id, company_id, scopes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![l.id, l.application_id, l.company_id, l.scopes.join(" "), l.created_at, l.updated_at],
    )?;
    Ok(())
}

pub fn get(conn: &Db, id: &LinkId) -> DomainResult<Option<Link>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.id = ?1");
    Ok(super::cached_row(conn, &sql, [id], from_row).optional()?)
}

/// A link of one company; another company's link is `None`.
pub fn get_in_company(conn: &Db, company: &CompanyId, id: &LinkId) -> DomainResult<Option<Link>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.id = ?1 AND l.company_id = ?2");
    Ok(super::cached_row(conn, &sql, params![id, company], from_row).optional()?)
}

pub fn list(
    conn: &Db,
    app: Option<&ApplicationId>,
    company: Option<&CompanyId>,
) -> DomainResult<Vec<Link>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE (?1 IS NULL OR l.application_id = ?1) AND (?2 IS NULL OR l.company_id = ?2) ORDER BY l.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![app, company], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A page of links in id order, optionally of one application or one company.
pub fn page(
    conn: &Db,
    app: Option<&ApplicationId>,
    company: Option<&CompanyId>,
    after: Option<&LinkId>,
    limit: u32,
) -> DomainResult<Page<Link>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE (?1 IS NULL OR l.application_id = ?1) \
         AND (?2 IS NULL OR l.company_id = ?2) AND (?3 IS NULL OR l.id > ?3) ORDER BY l.id LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset(
        &mut stmt,
        params![app, company, after, limit + 1],
        limit,
        from_row,
        |l| l.id.to_string(),
    )
}

pub fn all(conn: &Db) -> DomainResult<Vec<Link>> {
    list(conn, None, None)
}

pub fn set_scopes(conn: &Db, id: &LinkId, scopes: &[String], now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE links SET scopes = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, scopes.join(" "), now],
    )?;
    Ok(())
}

/// Sets (or with `None` clears) the application's own id for the company; another link of the
/// same application holding it is a conflict on `external_id`.
pub fn set_external_id(
    conn: &Db,
    id: &LinkId,
    external_id: Option<&str>,
    now: i64,
) -> DomainResult<()> {
    if let Some(ext) = external_id {
        let clash = super::cached_row(
            conn,
            "SELECT 1 FROM links o JOIN links l ON l.application_id = o.application_id \
             WHERE l.id = ?1 AND o.id <> ?1 AND o.external_id = ?2",
            params![id, ext],
            |_| Ok(()),
        )
        .optional()?;
        if clash.is_some() {
            return Err(crate::error::DomainError::conflict(
                "external_id",
                "another company linked to the application has this external id",
            ));
        }
    }
    super::cached_execute(
        conn,
        "UPDATE links SET external_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, external_id, now],
    )?;
    Ok(())
}

/// The company an application's own link carries `external_id` on; another application's
/// links are never searched.
pub fn company_by_external_id(
    conn: &Db,
    app: &ApplicationId,
    external_id: &str,
) -> DomainResult<Option<CompanyId>> {
    Ok(super::cached_row(
        conn,
        "SELECT company_id FROM links WHERE application_id = ?1 AND external_id = ?2",
        params![app, external_id],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn delete(conn: &Db, id: &LinkId) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM links WHERE id = ?1", [id])?;
    Ok(())
}

pub fn add_domain(conn: &Db, company: &CompanyId, domain: &str, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO company_domains (domain, company_id, created_at) VALUES (?1, ?2, ?3)",
        params![domain, company, now],
    )?;
    Ok(())
}

/// A page of one company's custom domains, in name order.
pub fn domains(
    conn: &Db,
    company: &CompanyId,
    after: Option<&str>,
    limit: u32,
) -> DomainResult<Page<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT domain, created_at FROM company_domains WHERE company_id = ?1 \
         AND (?2 IS NULL OR domain > ?2) ORDER BY domain LIMIT ?3",
    )?;
    super::keyset(
        &mut stmt,
        params![company, after, limit + 1],
        limit,
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        |(domain, _)| domain.clone(),
    )
}

pub fn remove_domain(conn: &Db, company: &CompanyId, domain: &str) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM company_domains WHERE company_id = ?1 AND domain = ?2",
        params![company, domain],
    )? > 0)
}

pub fn company_by_domain(conn: &Db, domain: &str) -> DomainResult<Option<CompanyId>> {
    Ok(super::cached_row(
        conn,
        "SELECT company_id FROM company_domains WHERE domain = ?1",
        [domain],
        |r| r.get(0),
    )
    .optional()?)
}

pub fn company_by_slug(conn: &Db, slug: &str) -> DomainResult<Option<CompanyId>> {
    Ok(super::cached_row(
        conn,
        "SELECT id FROM companies WHERE slug = ?1",
        [slug],
        |r| r.get(0),
    )
    .optional()?)
}

/// Custom domains equal to `base` or under it, with their companies: rows that break the
/// host rules (registered before the rule, or before the base domain was set).
pub fn domains_within(conn: &Db, base: &str) -> DomainResult<Vec<(CompanyId, String)>> {
    // Names that end with `.base`: the pattern `%.base`, its wildcards escaped.
    let contains = super::like_pattern(&format!(".{base}"));
    let suffix = &contains[..contains.len() - 1];
    let mut stmt = conn.prepare_cached(
        "SELECT company_id, domain FROM company_domains \
         WHERE domain = ?1 OR domain LIKE ?2 ESCAPE '\\' ORDER BY domain",
    )?;
    let rows = stmt
        .query_map(params![base, suffix], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Companies whose slug is one of `slugs`.
pub fn companies_with_slugs(conn: &Db, slugs: &[&str]) -> DomainResult<Vec<(CompanyId, String)>> {
    let list = serde_json::to_string(slugs).map_err(crate::error::DomainError::internal)?;
    // The slugs go as one JSON array, read by each store's own function.
    let mut stmt = conn.prepare_cached(match conn.dialect() {
        Dialect::Sqlite => {
            "SELECT id, slug FROM companies WHERE slug IN (SELECT value FROM json_each(?1)) \
             ORDER BY slug"
        }
        Dialect::Postgres => {
            "SELECT id, slug FROM companies WHERE slug IN \
             (SELECT value FROM jsonb_array_elements_text(?1::jsonb) AS t(value)) ORDER BY slug"
        }
    })?;
    let rows = stmt
        .query_map([list], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
