//! SQL for companies.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::company::{Company, CompanyPatch, CompanyStatus, NewCompany, SignupConflict};
use crate::domain::company_sort::sort_name;
use crate::domain::plan::SubscriptionStatus;
use crate::error::DomainResult;
use crate::ids::{CompanyId, PlanId};

pub(super) const COLUMNS: &str = "c.id, c.legal_name, c.trade_name, c.cnpj, c.slug, c.contact_email, c.contact_phone, \
    c.status, pl.name, json_extract(pl.limits, '$.max_users'), c.display_name, c.primary_color, c.logo_data_url IS NOT NULL, c.created_at, c.updated_at, \
    (SELECT COUNT(*) FROM users u WHERE u.company_id = c.id AND u.status != 'disabled'), \
    CASE WHEN c.approved_at IS NULL AND c.status = 'pending' THEN \
      (CASE WHEN EXISTS (SELECT 1 FROM companies o WHERE o.cnpj = c.cnpj AND o.id <> c.id \
                         AND o.approved_at IS NOT NULL) THEN 1 ELSE 0 END) \
      + (CASE WHEN EXISTS (SELECT 1 FROM companies o WHERE o.cnpj = c.cnpj AND o.id <> c.id \
                 AND o.approved_at IS NULL AND o.status = 'pending') THEN 2 ELSE 0 END) \
      + (CASE WHEN EXISTS (SELECT 1 FROM users u JOIN users o ON o.email_index = u.email_index AND o.id <> u.id \
                 WHERE u.company_id = c.id AND u.status = 'pending' AND o.status <> 'pending') THEN 4 ELSE 0 END) \
      + (CASE WHEN EXISTS (SELECT 1 FROM users u JOIN users o ON o.email_index = u.email_index AND o.id <> u.id \
                 JOIN companies oc ON oc.id = o.company_id \
                 WHERE u.company_id = c.id AND u.status = 'pending' AND o.status = 'pending' \
                 AND oc.status = 'pending' AND oc.approved_at IS NULL) THEN 8 ELSE 0 END) \
    ELSE 0 END, c.magic_link_sign_in, c.plan_id, c.trial_ends_at, c.subscription_status";

/// What `COLUMNS` reads from: a company and its plan, looked up once for both of its columns.
pub(super) const FROM: &str = "companies c LEFT JOIN plans pl ON pl.id = c.plan_id";

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<Company> {
    let status: String = r.get(7)?;
    Ok(Company {
        id: r.get(0)?,
        legal_name: r.get(1)?,
        trade_name: r.get(2)?,
        cnpj: r.get(3)?,
        slug: r.get(4)?,
        contact_email: r.get(5)?,
        contact_phone: r.get(6)?,
        status: CompanyStatus::parse(&status).unwrap_or(CompanyStatus::Suspended),
        plan: r.get(8)?,
        max_users: r.get(9)?,
        display_name: r.get(10)?,
        primary_color: r.get(11)?,
        has_logo: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        user_count: r.get(15)?,
        conflicts: SignupConflict::from_bits(r.get(16)?),
        magic_link_sign_in: r.get(17)?,
        plan_id: r.get(18)?,
        trial_ends_at: r.get(19)?,
        subscription_status: SubscriptionStatus::parse(&r.get::<_, String>(20)?)
            .unwrap_or(SubscriptionStatus::Active),
    })
}

pub fn insert(
    conn: &Db,
    id: &CompanyId,
    c: &NewCompany,
    status: CompanyStatus,
    now: i64,
) -> DomainResult<()> {
    let plan_id = match &c.plan_id {
        Some(id) => {
            super::plans::get(conn, id)?
                .ok_or_else(|| crate::error::DomainError::invalid("plan_id", "no such plan"))?
                .id
        }
        None => super::plans::for_legacy(conn, &c.plan, Some(c.max_users), c.max_users, now)?,
    };
    super::cached_execute(
        conn,
        "INSERT INTO companies (id, legal_name, trade_name, cnpj, slug, contact_email, contact_phone, status, \
         plan_id, display_name, primary_color, logo_data_url, created_at, updated_at, approved_at, \
         search_fold, sort_name) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?12, ?13, ?14, ?14, \
         CASE WHEN ?8 = 'pending' THEN NULL ELSE ?14 END, ?15, ?16)",
        params![
            id,
            c.legal_name,
            c.trade_name,
            c.cnpj,
            c.slug,
            c.contact_email,
            c.contact_phone,
            status.as_str(),
            plan_id,
            None::<i64>,
            c.display_name,
            c.primary_color,
            c.logo_data_url,
            now,
            search_text(&c.legal_name, c.trade_name.as_deref(), &c.slug),
            sort_name(
                c.display_name.as_deref(),
                c.trade_name.as_deref(),
                &c.legal_name
            ),
        ],
    )?;
    super::company_keys::create(conn, id.as_str(), now)
}

fn search_text(legal_name: &str, trade_name: Option<&str>, slug: &str) -> String {
    crate::domain::search::search_text(&[Some(legal_name), trade_name, Some(slug)])
}

/// Rewrites the company's folded search text and sort name from its current names and slug;
/// every write that may change them calls this in the same transaction.
pub fn refresh_search(conn: &Db, id: &CompanyId) -> DomainResult<()> {
    let names = super::cached_row(
        conn,
        "SELECT legal_name, trade_name, slug, display_name FROM companies WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    )
    .optional()?;
    if let Some((legal, trade, slug, display)) = names {
        super::cached_execute(
            conn,
            "UPDATE companies SET search_fold = ?2, sort_name = ?3 WHERE id = ?1",
            params![
                id,
                search_text(&legal, trade.as_deref(), &slug),
                sort_name(display.as_deref(), trade.as_deref(), &legal)
            ],
        )?;
    }
    Ok(())
}

pub fn get(conn: &Db, id: &CompanyId) -> DomainResult<Option<Company>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = ?1");
    Ok(super::cached_row(conn, &sql, [id], from_row).optional()?)
}

/// The company's logo as stored (a `data:` URL), without the rest of the row.
pub fn logo(conn: &Db, id: &CompanyId) -> DomainResult<Option<String>> {
    Ok(super::cached_row(
        conn,
        "SELECT logo_data_url FROM companies WHERE id = ?1",
        [id],
        |r| r.get::<_, Option<String>>(0),
    )
    .optional()?
    .flatten())
}

pub fn slug_taken(conn: &Db, slug: &str) -> DomainResult<bool> {
    Ok(super::cached_row(
        conn,
        "SELECT 1 FROM companies WHERE slug = ?1",
        [slug],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// Writes a patch; `plan_id` is the plan the patch moves the company to, if any (the service
/// resolves it, with `db::plans::for_patch`).
pub fn update(
    conn: &Db,
    id: &CompanyId,
    p: &CompanyPatch,
    plan_id: Option<&PlanId>,
    now: i64,
) -> DomainResult<()> {
    // COALESCE keeps a column when the patch leaves it out; the flags tell "clear" from "keep".
    super::cached_execute(
        conn,
        "UPDATE companies SET
            legal_name = COALESCE(?2, legal_name),
            trade_name = CASE WHEN ?3 THEN ?4 ELSE trade_name END,
            cnpj = COALESCE(?5, cnpj),
            slug = COALESCE(?6, slug),
            contact_email = CASE WHEN ?7 THEN ?8 ELSE contact_email END,
            contact_phone = CASE WHEN ?9 THEN ?10 ELSE contact_phone END,
            plan_id = COALESCE(?11, plan_id),
            display_name = CASE WHEN ?13 THEN ?14 ELSE display_name END,
            primary_color = CASE WHEN ?15 THEN ?16 ELSE primary_color END,
            logo_data_url = CASE WHEN ?17 THEN ?18 ELSE logo_data_url END,
            updated_at = ?19,
            magic_link_sign_in = COALESCE(?20, magic_link_sign_in)
         WHERE id = ?1",
        params![
            id,
            p.legal_name,
            p.trade_name.is_some(),
            p.trade_name.clone().flatten(),
            p.cnpj,
            p.slug,
            p.contact_email.is_some(),
            p.contact_email.clone().flatten(),
            p.contact_phone.is_some(),
            p.contact_phone.clone().flatten(),
            plan_id,
            None::<i64>,
            p.display_name.is_some(),
            p.display_name.clone().flatten(),
            p.primary_color.is_some(),
            p.primary_color.clone().flatten(),
            p.logo_data_url.is_some(),
            p.logo_data_url.clone().flatten(),
            now,
            p.magic_link_sign_in
        ],
    )?;
    refresh_search(conn, id)
}

pub fn set_status(conn: &Db, id: &CompanyId, status: CompanyStatus, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE companies SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    Ok(())
}

pub fn count_by_status(conn: &Db) -> DomainResult<Vec<(String, i64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT status, COUNT(*) FROM companies GROUP BY status ORDER BY status")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
