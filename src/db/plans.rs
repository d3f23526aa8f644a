//! SQL for plans, a company's plan, trial end and subscription status.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::plan::{
    distinguished_name, Plan, PlanInUse, PlanInput, SubscriptionStatus, MAX_USERS,
};
use crate::domain::search::fold;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, PlanId};

const COLUMNS: &str = "p.id, p.name, p.description, p.limits, p.created_at, p.updated_at";

/// How many companies are on the plan `p`: a walk over the index of every company on it, so
/// only the owner's catalogue asks.
const COMPANIES: &str = "(SELECT COUNT(*) FROM companies c WHERE c.plan_id = p.id)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Plan> {
    let limits: String = r.get(3)?;
    Ok(Plan {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        limits: serde_json::from_str(&limits).unwrap_or_default(),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn in_use_from_row(r: &Row<'_>) -> rusqlite::Result<PlanInUse> {
    Ok(PlanInUse {
        plan: from_row(r)?,
        companies: r.get(6)?,
    })
}

fn limits_json(limits: &BTreeMap<String, i64>) -> String {
    serde_json::to_string(limits).unwrap_or_else(|_| "{}".into())
}

pub fn get(conn: &Db, id: &PlanId) -> DomainResult<Option<Plan>> {
    let sql = format!("SELECT {COLUMNS} FROM plans p WHERE p.id = ?1");
    Ok(super::cached_row(conn, &sql, [id], from_row).optional()?)
}

fn by_name(conn: &Db, name: &str) -> DomainResult<Option<Plan>> {
    let sql = format!("SELECT {COLUMNS} FROM plans p WHERE p.name_fold = ?1");
    Ok(super::cached_row(conn, &sql, [fold(name)], from_row).optional()?)
}

/// The plan with how many companies are on it.
pub fn in_use(conn: &Db, id: &PlanId) -> DomainResult<Option<PlanInUse>> {
    let sql = format!("SELECT {COLUMNS}, {COMPANIES} FROM plans p WHERE p.id = ?1");
    Ok(super::cached_row(conn, &sql, [id], in_use_from_row).optional()?)
}

/// Every plan with how many companies are on it, by folded name (an operator keeps a handful).
pub fn list(conn: &Db) -> DomainResult<Vec<PlanInUse>> {
    let sql = format!("SELECT {COLUMNS}, {COMPANIES} FROM plans p ORDER BY p.name_fold LIMIT 500");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([], in_use_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A folded name already taken by another plan is a conflict on `name`.
fn ensure_name_free(conn: &Db, name: &str, except: Option<&PlanId>) -> DomainResult<()> {
    match by_name(conn, name)? {
        Some(p) if Some(&p.id) != except => {
            Err(DomainError::conflict("name", "another plan has this name"))
        }
        _ => Ok(()),
    }
}

pub fn insert(conn: &Db, id: &PlanId, p: &PlanInput, now: i64) -> DomainResult<()> {
    ensure_name_free(conn, &p.name, None)?;
    super::cached_execute(
        conn,
        "INSERT INTO plans (id, name, name_fold, description, limits, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            id,
            p.name,
            fold(&p.name),
            p.description,
            limits_json(&p.limits),
            now
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Db, id: &PlanId, p: &PlanInput, now: i64) -> DomainResult<()> {
    ensure_name_free(conn, &p.name, Some(id))?;
    super::cached_execute(
        conn,
        "UPDATE plans SET name = ?2, name_fold = ?3, description = ?4, limits = ?5, updated_at = ?6 \
         WHERE id = ?1",
        params![id, p.name, fold(&p.name), p.description, limits_json(&p.limits), now],
    )?;
    Ok(())
}

pub fn delete(conn: &Db, id: &PlanId) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM plans WHERE id = ?1", [id])?;
    Ok(())
}

/// The plan the older fields (`plan` name, `max_users`) name: the plan of that name when its
/// user limit matches (or none is asked; a plan made then gets `fallback_max`), else the one named for the pair, else a new plan with
/// the plain name (or, when that name has another limit, the name for the pair). Migration 0019
/// grouped existing companies by the same rule.
pub fn for_legacy(
    conn: &Db,
    name: &str,
    max_users: Option<i64>,
    fallback_max: i64,
    now: i64,
) -> DomainResult<PlanId> {
    let plain = by_name(conn, name)?;
    let Some(max) = max_users else {
        if let Some(p) = plain {
            return Ok(p.id);
        }
        return create_for(conn, name, fallback_max, now);
    };
    match plain {
        Some(p) if p.max_users() == max => Ok(p.id),
        None => create_for(conn, name, max, now),
        Some(_) => {
            let pair = distinguished_name(name, max);
            match by_name(conn, &pair)? {
                Some(p) => Ok(p.id),
                None => create_for(conn, &pair, max, now),
            }
        }
    }
}

fn create_for(conn: &Db, name: &str, max_users: i64, now: i64) -> DomainResult<PlanId> {
    let id = PlanId::generate();
    let input = PlanInput {
        name: name.to_string(),
        description: String::new(),
        limits: BTreeMap::from([(MAX_USERS.to_string(), max_users)]),
    };
    insert(conn, &id, &input, now)?;
    Ok(id)
}

/// A company's plan fields: plan id, trial end, status.
pub fn company_plan(
    conn: &Db,
    company: &CompanyId,
) -> DomainResult<Option<(PlanId, Option<String>, SubscriptionStatus)>> {
    Ok(super::cached_row(
        conn,
        "SELECT plan_id, trial_ends_at, subscription_status FROM companies WHERE id = ?1",
        [company],
        |r| {
            let status: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                SubscriptionStatus::parse(&status).unwrap_or(SubscriptionStatus::Active),
            ))
        },
    )
    .optional()?)
}

pub fn set_company_plan(
    conn: &Db,
    company: &CompanyId,
    plan: &PlanId,
    trial_ends_at: Option<&str>,
    status: SubscriptionStatus,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE companies SET plan_id = ?2, trial_ends_at = ?3, subscription_status = ?4, \
         updated_at = ?5 WHERE id = ?1",
        params![company, plan, trial_ends_at, status.as_str(), now],
    )?;
    Ok(())
}
