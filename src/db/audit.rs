//! SQL for the audit log. Events are written inside the transaction of the change they record.

use rusqlite::{params, Connection, Row};

use crate::domain::audit::{AuditCtx, AuditEvent, AuditFilter, NewAuditEvent};
use crate::domain::Page;
use crate::error::DomainResult;

pub fn insert(conn: &Connection, ctx: &AuditCtx, e: &NewAuditEvent, now: i64) -> DomainResult<()> {
    conn.execute(
        "INSERT INTO audit_events (at, actor_kind, actor_id, company_id, action, target_kind, target_id, ip, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            now,
            ctx.actor.kind(),
            ctx.actor.id(),
            e.company_id,
            e.action,
            e.target_kind,
            e.target_id,
            ctx.ip,
            e.details.to_string()
        ],
    )?;
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
    })
}

/// Newest first; the cursor is the id of the last event of the previous page.
pub fn list(
    conn: &Connection,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> DomainResult<Page<AuditEvent>> {
    let mut sql = String::from(
        "SELECT id, at, actor_kind, actor_id, company_id, action, target_kind, target_id, ip, details
         FROM audit_events WHERE 1 = 1",
    );
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let cond = |sql: &mut String,
                args: &mut Vec<Box<dyn rusqlite::ToSql>>,
                clause: &str,
                v: Box<dyn rusqlite::ToSql>| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(v) = f.from {
        cond(&mut sql, &mut args, "at >=", Box::new(v));
    }
    if let Some(v) = f.to {
        cond(&mut sql, &mut args, "at <", Box::new(v));
    }
    if let Some(v) = &f.action {
        cond(&mut sql, &mut args, "action =", Box::new(v.clone()));
    }
    if let Some(v) = &f.actor_id {
        cond(&mut sql, &mut args, "actor_id =", Box::new(v.clone()));
    }
    if let Some(v) = &f.company_id {
        cond(&mut sql, &mut args, "company_id =", Box::new(v.clone()));
    }
    if let Some(v) = before {
        cond(&mut sql, &mut args, "id <", Box::new(v));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let mut stmt = conn.prepare_cached(&sql)?;
    super::keyset_page(&mut stmt, &args, limit, from_row, |e| e.id.to_string())
}

pub fn count(conn: &Connection) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "SELECT COUNT(*) FROM audit_events",
        [],
        |r| r.get(0),
    )?)
}
