//! SQL for the audit log. Events are written inside the transaction of the change they record.

use rusqlite::params;

use crate::db::sql::{Db, Dialect, Row};
use crate::domain::audit::{AuditCtx, AuditEvent, AuditFilter, NewAuditEvent};
use crate::domain::audit_chain::ChainedFields;
use crate::domain::Page;
use crate::error::DomainResult;

/// An event's IP and details as stored: sealed under the company's key when the event is a
/// company's (and the key is known), in clear otherwise. `alias` names the row's table.
pub(crate) fn opened(alias: &str) -> String {
    format!(
        "armario_open('audit_events', 'ip', {alias}.company_id, {alias}.ip), \
         armario_open('audit_events', 'details', {alias}.company_id, {alias}.details)"
    )
}

/// [`opened`] for a query that joins the event's company key as `keys` ([`KEY_JOIN`]): reads
/// that visit events of many companies in turn open each key without a lookup of their own.
pub(crate) fn opened_with_keys(alias: &str, keys: &str) -> String {
    format!(
        "armario_open('audit_events', 'ip', {alias}.company_id, {alias}.ip, {keys}.sealed, {keys}.key_id), \
         armario_open('audit_events', 'details', {alias}.company_id, {alias}.details, {keys}.sealed, {keys}.key_id)"
    )
}

/// The join [`opened_with_keys`] reads, for events aliased `e` and keys aliased `k`.
pub(crate) const KEY_JOIN: &str = "LEFT JOIN company_keys k ON k.company_id = e.company_id";

pub fn insert(conn: &Db, ctx: &AuditCtx, e: &NewAuditEvent, now: i64) -> DomainResult<()> {
    // The IP and details go under the company's key like its users' fields; an event without
    // a company (the owner's, the system's) keeps them in clear. The chain's head comes back
    // with the id: the event is linked from the values written, without reading either again
    // (a round trip each on PostgreSQL).
    let details = e.details.to_string();
    let actor_id = ctx.actor.id();
    let (id, head): (i64, Option<Vec<u8>>) = super::cached_row(
        conn,
        "INSERT INTO audit_events (at, actor_kind, actor_id, company_id, action, target_kind, target_id, ip, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, armario_seal('audit_events', 'ip', ?4, ?8),
                 armario_seal('audit_events', 'details', ?4, ?9))
         RETURNING id, (SELECT hash FROM audit_chain ORDER BY event_id DESC LIMIT 1)",
        params![
            now,
            ctx.actor.kind(),
            actor_id,
            e.company_id,
            e.action,
            e.target_kind,
            e.target_id,
            ctx.ip,
            details
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let fields = ChainedFields {
        id,
        at: now,
        actor_kind: ctx.actor.kind(),
        actor_id: actor_id.as_deref(),
        company_id: e.company_id.as_ref().map(|c| c.as_str()),
        action: e.action,
        target_kind: e.target_kind,
        target_id: e.target_id.as_deref(),
    };
    super::audit_chain::link_written(conn, fields, ctx.ip.as_deref(), &details, head)?;
    // The webhook event the change sends, in the same transaction.
    super::webhooks::enqueue_for_audit(conn, e, now)?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let details: String = r.get(9)?;
    Ok(AuditEvent {
        id: r.get(0)?,
        at: r.get(1)?,
        actor_kind: r.get(2)?,
        actor_id: r.get(3)?,
        company_id: r.get(4)?,
        action: r.get(5)?,
        target_kind: r.get(6)?,
        target_id: r.get(7)?,
        ip: r.get(8)?,
        details: serde_json::from_str(&details).unwrap_or_default(),
        actor_name: r.get(10)?,
        company_name: r.get(11)?,
        target_name: r.get(12)?,
    })
}

/// A user's name, when the user is of the reader's company (or the reader sees all). What is
/// in `[[…]]` applies only when the reader's names are confined to a company ([`confined`]).
const USER_NAME: &str =
    "(SELECT armario_open('users', 'name', u.company_id, u.name) FROM users u WHERE u.id = {id} AND [[u.company_id = ?1]])";
/// An application's name, when it is linked to the reader's company (or the reader sees all).
const APP_NAME: &str = "(SELECT a.name FROM applications a WHERE a.id = {id} AND [[EXISTS \
     (SELECT 1 FROM links l WHERE l.application_id = a.id AND l.company_id = ?1)]])";
/// A company's display name, as the web UI shows it, when it is the reader's (or all are seen).
const COMPANY_NAME: &str =
    "(SELECT COALESCE(NULLIF(c.display_name, ''), NULLIF(c.trade_name, ''), c.legal_name) \
     FROM companies c WHERE c.id = {id} AND [[c.id = ?1]])";

/// Newest first; the cursor is the id of the last event of the previous page.
pub fn list(
    conn: &Db,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> DomainResult<Page<AuditEvent>> {
    let (sql, args) = list_query_in(conn.dialect(), f, before, limit);
    let read = match conn.dialect() {
        Dialect::Sqlite => from_row,
        Dialect::Postgres => from_postgres_row,
    };
    // Its best plan walks the events' index newest first whatever the period: PostgreSQL's
    // estimate made a plan for each period look cheaper, planned on every page.
    conn.generic_plans(|conn| {
        let mut stmt = conn.prepare_cached(&sql)?;
        super::keyset_page(&mut stmt, &args, limit, read, |e| e.id.to_string())
    })
}

/// [`from_row`] for PostgreSQL's form of the list: people's names come in columns of their own
/// (13, the actor; 14, the target) beside the applications' and companies'.
fn from_postgres_row(r: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let mut e = from_row(r)?;
    let actor_user: Option<String> = r.get(13)?;
    let target_user: Option<String> = r.get(14)?;
    e.actor_name = actor_user.or(e.actor_name);
    e.target_name = target_user.or(e.target_name);
    Ok(e)
}

/// The SQL of one page of [`list`] and its arguments (apart, so a test can read its plan).
#[cfg(test)]
pub(crate) fn list_query(
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    list_query_in(Dialect::Sqlite, f, before, limit)
}

/// PostgreSQL cannot open a person's name inside a subquery (the cells are opened in armario,
/// see `db::sql::cells`): the actor and the target, when they are people of the reader's
/// company, are joined instead and their names read as columns of their own.
const POSTGRES_PEOPLE: &str = ",
                armario_open('users', 'name', au.company_id, au.name),
                armario_open('users', 'name', tu.company_id, tu.name)
         FROM audit_events e
         LEFT JOIN users au ON e.actor_kind = 'user' AND au.id = e.actor_id
              AND [[au.company_id = ?1]]
         LEFT JOIN users tu ON e.target_kind = 'user' AND tu.id = e.target_id
              AND [[tu.company_id = ?1]]";

/// `sql` with each `[[condition]]` kept (in parentheses) when the reader's names are confined
/// to a company, or `TRUE` when the reader sees all. Two statements rather than one with
/// `?1 IS NULL OR …`: PostgreSQL would plan that one again on every run for its value.
fn confined(sql: &str, within: bool) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("[[") {
        let Some(len) = rest[start..].find("]]") else {
            break;
        };
        out.push_str(&rest[..start]);
        if within {
            out.push('(');
            out.push_str(&rest[start + 2..start + len]);
            out.push(')');
        } else {
            out.push_str("TRUE");
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn list_query_in(
    dialect: Dialect,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let (user_name, from) = match dialect {
        Dialect::Sqlite => (USER_NAME, "\n         FROM audit_events e"),
        Dialect::Postgres => ("NULL", POSTGRES_PEOPLE),
    };
    // Names are looked up by correlated subqueries so a deleted or hidden object simply has
    // none.
    let sql = format!(
        "SELECT e.id, e.at, e.actor_kind, e.actor_id, e.company_id, e.action, e.target_kind,
                e.target_id, {personal},
                CASE e.actor_kind WHEN 'user' THEN {user_name} WHEN 'application' THEN {app_name} END,
                {company_name},
                CASE e.target_kind WHEN 'user' THEN {target_user} WHEN 'application' THEN {target_app}
                    WHEN 'company' THEN {target_company} END{from} WHERE 1 = 1",
        personal = opened("e"),
        user_name = user_name.replace("{id}", "e.actor_id"),
        app_name = APP_NAME.replace("{id}", "e.actor_id"),
        company_name = COMPANY_NAME.replace("{id}", "e.company_id"),
        target_user = user_name.replace("{id}", "e.target_id"),
        target_app = APP_NAME.replace("{id}", "e.target_id"),
        target_company = COMPANY_NAME.replace("{id}", "e.target_id"),
    );
    // ?1, when present, is the company whose names the reader may see.
    let mut sql = confined(&sql, f.names_within.is_some());
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(company) = &f.names_within {
        args.push(Box::new(company.clone()));
    }
    let cond = |sql: &mut String,
                args: &mut Vec<Box<dyn rusqlite::ToSql>>,
                clause: &str,
                v: Box<dyn rusqlite::ToSql>| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(v) = f.from {
        cond(&mut sql, &mut args, "e.at >=", Box::new(v));
    }
    if let Some(v) = f.to {
        cond(&mut sql, &mut args, "e.at <", Box::new(v));
    }
    if let Some(v) = &f.action {
        cond(&mut sql, &mut args, "e.action =", Box::new(v.clone()));
    }
    if let Some(v) = &f.actor_id {
        cond(&mut sql, &mut args, "e.actor_id =", Box::new(v.clone()));
    }
    if let Some(v) = &f.company_id {
        cond(&mut sql, &mut args, "e.company_id =", Box::new(v.clone()));
    }
    if let Some(v) = before {
        cond(&mut sql, &mut args, "e.id <", Box::new(v));
    }
    sql.push_str(&format!(" ORDER BY e.id DESC LIMIT {}", limit + 1));
    (sql, args)
}

pub fn count(conn: &Db) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM audit_events",
        [],
        |r| r.get(0),
    )?)
}
