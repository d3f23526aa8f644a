//! SQL for alerts to the owner: what is wrong now (read from the rest of the store), the record
//! of alerts sent, and each owner's choice of topics.

use rusqlite::params;

use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::UserId;

/// A backup run that failed.
pub struct FailedBackup {
    pub id: String,
    pub finished_at: i64,
    pub error: Option<String>,
}

/// Runs that failed since `since`, oldest first.
pub fn failed_backups(conn: &Db, since: i64) -> DomainResult<Vec<FailedBackup>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, finished_at, error FROM backup_runs WHERE status = 'failed' AND finished_at >= ?1 \
         ORDER BY finished_at LIMIT 20",
    )?;
    let rows = stmt.query_map([since], |r| {
        Ok(FailedBackup {
            id: r.get(0)?,
            finished_at: r.get(1)?,
            error: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the newest good backup finished, and when the platform began (its first owner): a
/// platform younger than a day is not late with its first backup.
pub fn backup_ages(conn: &Db) -> DomainResult<(Option<i64>, Option<i64>)> {
    Ok(conn.query_row(
        "SELECT (SELECT MAX(finished_at) FROM backup_runs WHERE status = 'succeeded'), \
                (SELECT MIN(created_at) FROM users WHERE role = 'owner')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// A sign-up waiting for the owner.
pub struct WaitingSignup {
    pub company_id: String,
    pub name: String,
    pub since: i64,
}

pub fn waiting_signups(conn: &Db) -> DomainResult<Vec<WaitingSignup>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, COALESCE(NULLIF(trim(display_name), ''), NULLIF(trim(trade_name), ''), legal_name), created_at \
         FROM companies WHERE status = 'pending' AND approved_at IS NULL ORDER BY created_at LIMIT 50",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(WaitingSignup {
            company_id: r.get(0)?,
            name: r.get(1)?,
            since: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A live credential that expires before a moment.
pub struct ExpiringCredential {
    pub id: String,
    pub application_id: String,
    pub application: String,
    pub label: String,
    pub expires_at: i64,
}

pub fn expiring_credentials(
    conn: &Db,
    now: i64,
    before: i64,
) -> DomainResult<Vec<ExpiringCredential>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, a.id, a.name, c.label, c.expires_at FROM app_credentials c \
         JOIN applications a ON a.id = c.application_id \
         WHERE c.revoked_at IS NULL AND c.expires_at > ?1 AND c.expires_at <= ?2 \
         ORDER BY c.expires_at LIMIT 50",
    )?;
    let rows = stmt.query_map(params![now, before], |r| {
        Ok(ExpiringCredential {
            id: r.get(0)?,
            application_id: r.get(1)?,
            application: r.get(2)?,
            label: r.get(3)?,
            expires_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An active company that uses at least nine tenths of its plan's users.
pub struct CrowdedCompany {
    pub company_id: String,
    pub name: String,
    pub users: i64,
    pub max_users: i64,
}

pub fn crowded_companies(conn: &Db) -> DomainResult<Vec<CrowdedCompany>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, users, max_users FROM ( \
           SELECT c.id, COALESCE(NULLIF(trim(c.display_name), ''), NULLIF(trim(c.trade_name), ''), c.legal_name) AS name, \
                  (SELECT COUNT(*) FROM users u WHERE u.company_id = c.id AND u.status != 'disabled') AS users, \
                  (SELECT CAST(json_extract(p.limits, '$.max_users') AS BIGINT) FROM plans p WHERE p.id = c.plan_id) AS max_users \
           FROM companies c WHERE c.status = 'active') AS crowded \
         WHERE users * 10 >= max_users * 9 ORDER BY id LIMIT 50",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(CrowdedCompany {
            company_id: r.get(0)?,
            name: r.get(1)?,
            users: r.get(2)?,
            max_users: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A webhook endpoint armario disabled because its deliveries kept failing.
pub struct DisabledWebhook {
    pub endpoint_id: String,
    pub application_id: String,
    pub application: String,
    pub url: String,
    pub disabled_at: i64,
}

/// Every endpoint disabled for failing, with its application's name.
pub fn disabled_webhooks(conn: &Db) -> DomainResult<Vec<DisabledWebhook>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, w.application_id, a.name, w.url, w.disabled_at \
         FROM webhook_endpoints w JOIN applications a ON a.id = w.application_id \
         WHERE w.disabled_reason = 'failing' AND w.disabled_at IS NOT NULL \
         ORDER BY w.disabled_at DESC LIMIT 50",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DisabledWebhook {
            endpoint_id: r.get(0)?,
            application_id: r.get(1)?,
            application: r.get(2)?,
            url: r.get(3)?,
            disabled_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records an alert unless its (kind, cause, day) already is: true when it is new.
pub fn record(
    conn: &Db,
    kind: &str,
    cause: &str,
    day: i64,
    facts: &str,
    now: i64,
) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "INSERT OR IGNORE INTO alerts (kind, cause, day, facts, created_at, company_id)
         VALUES (?1, ?2, ?3, ?4, ?5, json_extract(?4, '$.company_id'))",
        params![kind, cause, day, facts, now],
    )? == 1)
}

/// An alert as the dashboard lists it.
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub facts: String,
    pub created_at: i64,
}

/// A page of alerts, newest first; `before` is the id of the last alert of the previous page.
pub fn list(
    conn: &Db,
    before: Option<i64>,
    limit: u32,
) -> DomainResult<crate::domain::Page<AlertRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, facts, created_at FROM alerts WHERE ?1 IS NULL OR id < ?1 \
         ORDER BY id DESC LIMIT ?2",
    )?;
    super::keyset(
        &mut stmt,
        params![before, limit + 1],
        limit,
        |r| {
            Ok(AlertRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                facts: r.get(2)?,
                created_at: r.get(3)?,
            })
        },
        |a| a.id.to_string(),
    )
}

/// The active owners, with the topics each switched off.
pub fn owners(conn: &Db) -> DomainResult<Vec<(UserId, String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, armario_open('users', 'email', u.company_id, u.email), (SELECT group_concat(topic) FROM alert_optouts o WHERE o.user_id = u.id) \
         FROM users u WHERE u.role = 'owner' AND u.status = 'active' ORDER BY u.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let off: Option<String> = r.get(2)?;
        let off = off
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        Ok((r.get(0)?, r.get(1)?, off))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The topics an owner switched off.
pub fn optouts(conn: &Db, user: &UserId) -> DomainResult<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT topic FROM alert_optouts WHERE user_id = ?1 ORDER BY topic")?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces the topics an owner switched off.
pub fn set_optouts(conn: &Db, user: &UserId, off: &[&str]) -> DomainResult<()> {
    super::cached_execute(conn, "DELETE FROM alert_optouts WHERE user_id = ?1", [user])?;
    for topic in off {
        super::cached_execute(
            conn,
            "INSERT INTO alert_optouts (user_id, topic) VALUES (?1, ?2)",
            params![user, topic],
        )?;
    }
    Ok(())
}
