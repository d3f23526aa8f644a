//! SQL for anonymised reports: audit events of a period, oldest first, without the names the
//! audit log shows beside ids (a report leaves names out).

use crate::db::sql::Db;
use crate::domain::audit::AuditEvent;
use crate::error::DomainResult;

/// Events with `from <= at < to`, oldest first, at most `limit`.
pub fn audit_between(conn: &Db, from: i64, to: i64, limit: u32) -> DomainResult<Vec<AuditEvent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.at, e.actor_kind, e.actor_id, e.company_id, e.action, e.target_kind,
                e.target_id, {}
         FROM audit_events e WHERE e.at >= ?1 AND e.at < ?2 ORDER BY e.id LIMIT ?3",
        super::audit::opened("e")
    ))?;
    let rows = stmt.query_map(rusqlite::params![from, to, limit], |r| {
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
            actor_name: None,
            company_name: None,
            target_name: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
