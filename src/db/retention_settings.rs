//! SQL for the retention the owner set in the dashboard (one row), which overrides the
//! `retention_*` settings of the environment or file.

use rusqlite::{params, OptionalExtension};

use super::retention::Policy;
use crate::db::sql::Db;
use crate::error::DomainResult;

/// The stored policy and when it was set; `None` when the owner never set one.
pub fn get(conn: &Db) -> DomainResult<Option<(Policy, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT audit_days, signin_days, usage_days, sessions_days, updated_at
             FROM retention_settings WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok((
                Policy {
                    audit_days: r.get(0)?,
                    signin_days: r.get(1)?,
                    usage_days: r.get(2)?,
                    sessions_days: r.get(3)?,
                },
                r.get(4)?,
            ))
        })
        .optional()?)
}

pub fn set(conn: &Db, p: &Policy, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO retention_settings (id, audit_days, signin_days, usage_days, sessions_days, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET audit_days = ?1, signin_days = ?2, usage_days = ?3,
             sessions_days = ?4, updated_at = ?5",
        params![p.audit_days, p.signin_days, p.usage_days, p.sessions_days, now],
    )?;
    Ok(())
}
