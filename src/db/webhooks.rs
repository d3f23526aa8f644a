//! SQL for webhook endpoints and their deliveries (the webhook outbox).

use crate::db::sql::Dialect;
use crate::db::sql::{Db, Row};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use crate::domain::audit::NewAuditEvent;
use crate::domain::webhook;
use crate::error::DomainResult;
use crate::ids::ApplicationId;

/// An endpoint as the owner sees it (no secret).
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub id: String,
    pub application_id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub previous_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const ENDPOINT_COLS: &str = "id, application_id, url, event_types, enabled, disabled_reason, \
                             previous_until, created_at, updated_at";

fn endpoint(r: &Row<'_>) -> rusqlite::Result<Endpoint> {
    let types: String = r.get(3)?;
    Ok(Endpoint {
        id: r.get(0)?,
        application_id: r.get(1)?,
        url: r.get(2)?,
        event_types: serde_json::from_str(&types).unwrap_or_default(),
        enabled: r.get(4)?,
        disabled_reason: r.get(5)?,
        previous_until: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

pub fn insert(conn: &Db, e: &Endpoint, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO webhook_endpoints (id, application_id, url, event_types, enabled,
             secrets_sealed, key_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            e.id,
            e.application_id,
            e.url,
            serde_json::to_string(&e.event_types).unwrap_or_default(),
            e.enabled,
            sealed,
            key_id,
            e.created_at
        ],
    )?;
    Ok(())
}

pub fn list(conn: &Db, app: &ApplicationId) -> DomainResult<Vec<Endpoint>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE application_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([app], endpoint)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The endpoint, when it is the application's.
pub fn get(conn: &Db, app: &ApplicationId, id: &str) -> DomainResult<Option<Endpoint>> {
    Ok(conn
        .query_row(
            &format!("SELECT {ENDPOINT_COLS} FROM webhook_endpoints WHERE id = ?1 AND application_id = ?2"),
            params![id, app],
            endpoint,
        )
        .optional()?)
}

pub fn update(conn: &Db, e: &Endpoint, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE webhook_endpoints SET url = ?2, event_types = ?3, enabled = ?4,
             disabled_reason = CASE WHEN ?4 <> 0 THEN NULL ELSE disabled_reason END,
             failing_since = CASE WHEN ?4 <> 0 THEN NULL ELSE failing_since END, updated_at = ?5
         WHERE id = ?1",
        params![
            e.id,
            e.url,
            serde_json::to_string(&e.event_types).unwrap_or_default(),
            e.enabled,
            now
        ],
    )?;
    Ok(())
}

pub fn delete(conn: &Db, app: &ApplicationId, id: &str) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM webhook_endpoints WHERE id = ?1 AND application_id = ?2",
        params![id, app],
    )? > 0)
}

/// An endpoint's sealed secrets, the sealing key's id and the end of the previous secret's
/// overlap.
pub type SealedSecrets = (Vec<u8>, String, Option<i64>);

pub fn sealed_secrets(conn: &Db, id: &str) -> DomainResult<Option<SealedSecrets>> {
    Ok(conn
        .query_row(
            "SELECT secrets_sealed, key_id, previous_until FROM webhook_endpoints WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

pub fn set_secrets(
    conn: &Db,
    id: &str,
    sealed: &[u8],
    key_id: &str,
    previous_until: Option<i64>,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE webhook_endpoints SET secrets_sealed = ?2, key_id = ?3, previous_until = ?4,
             updated_at = ?5 WHERE id = ?1",
        params![id, sealed, key_id, previous_until, now],
    )?;
    Ok(())
}

/// Every endpoint's sealed secrets, for a master key rotation.
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(String, Vec<u8>, String)>> {
    let mut stmt = conn.prepare("SELECT id, secrets_sealed, key_id FROM webhook_endpoints")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_sealed(conn: &Db, id: &str, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE webhook_endpoints SET secrets_sealed = ?2, key_id = ?3 WHERE id = ?1",
        params![id, sealed, key_id],
    )?;
    Ok(())
}

/// Queues the webhook event an audited change sends, in the change's transaction: one
/// delivery per enabled endpoint, subscribed to the type, of each application linked to the
/// event's company. A revoked link's application is no longer linked, so it is named by the
/// event itself. Events with no company are sent nowhere.
pub fn enqueue_for_audit(conn: &Db, e: &NewAuditEvent, now: i64) -> DomainResult<usize> {
    let (Some(kind), Some(company)) = (webhook::event_type(e.action), &e.company_id) else {
        return Ok(0);
    };
    let named_app = e
        .details
        .get("application_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let revoked_app = named_app.clone().filter(|_| e.action == "link.revoked");
    let only_app = named_app.filter(|_| webhook::only_for_named_application(kind));
    // The endpoint's event types are a JSON array of texts, read by each store's own function.
    let subscribed = match conn.dialect() {
        Dialect::Sqlite => "EXISTS (SELECT 1 FROM json_each(w.event_types) t WHERE t.value = ?2)",
        Dialect::Postgres => {
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(w.event_types::jsonb) t(value) \
             WHERE t.value = ?2)"
        }
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT w.id FROM webhook_endpoints w
         WHERE w.enabled = 1
           AND {subscribed}
           AND (w.application_id IN (SELECT l.application_id FROM links l WHERE l.company_id = ?1)
                OR w.application_id = ?3)
           AND (?4 IS NULL OR w.application_id = ?4)
         ORDER BY w.id"
    ))?;
    let endpoints = stmt
        .query_map(params![company, kind, revoked_app, only_app], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if endpoints.is_empty() {
        return Ok(0);
    }
    let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
    let body = webhook::payload(&event_id, kind, now, webhook::event_data(e)).to_string();
    let mut insert = conn.prepare_cached(
        "INSERT INTO webhook_deliveries (endpoint_id, company_id, event_id, event_type, payload,
             status, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
    )?;
    for endpoint in &endpoints {
        insert.execute(params![endpoint, company, event_id, kind, body, now])?;
    }
    Ok(endpoints.len())
}

/// A delivery as the dashboard lists it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: String,
    pub company_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: u32,
    pub response_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub last_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

const DELIVERY_COLS: &str = "d.id, d.endpoint_id, d.company_id, d.event_id, d.event_type, \
     d.status, d.attempts, d.response_code, d.latency_ms, d.last_error, d.created_at, \
     d.next_attempt_at, d.last_attempt_at, d.delivered_at";

fn delivery(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        endpoint_id: r.get(1)?,
        company_id: r.get(2)?,
        event_id: r.get(3)?,
        event_type: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        response_code: r.get(7)?,
        latency_ms: r.get(8)?,
        last_error: r.get(9)?,
        created_at: r.get(10)?,
        next_attempt_at: r.get(11)?,
        last_attempt_at: r.get(12)?,
        delivered_at: r.get(13)?,
    })
}

/// An endpoint's deliveries, newest first, before the delivery id `before`.
pub fn deliveries(
    conn: &Db,
    endpoint: &str,
    before: Option<i64>,
    limit: u32,
) -> DomainResult<Vec<Delivery>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLS} FROM webhook_deliveries d
         WHERE d.endpoint_id = ?1 AND (?2 IS NULL OR d.id < ?2) ORDER BY d.id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![endpoint, before, limit], delivery)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A delivery due for an attempt, with what sending it needs.
pub struct Due {
    pub id: i64,
    pub endpoint_id: String,
    pub event_id: String,
    pub payload: String,
    pub url: String,
    pub attempts: u32,
    pub created_at: i64,
}

/// Deliveries due at `now`, oldest first, each the oldest unsent of its (endpoint, company):
/// a delivery waits while an older one of the same pair is pending or failing. A read: the
/// sender claims them with [`claim_due`] before it sends.
pub fn due(conn: &Db, now: i64, limit: u32) -> DomainResult<Vec<Due>> {
    select_due(conn, now, limit, "")
}

/// Claims the deliveries due at `now` for one sender. As with the mail
/// ([`super::outbox::claim_due`]), a claimed delivery's next attempt moves to `lease_until`,
/// so another replica's sender passes it by until its outcome is recorded.
pub fn claim_due(conn: &Db, now: i64, lease_until: i64, limit: u32) -> DomainResult<Vec<Due>> {
    let due = select_due(conn, now, limit, &super::skip_locked(conn, "d"))?;
    for d in &due {
        super::cached_execute(
            conn,
            "UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1",
            params![d.id, lease_until],
        )?;
    }
    Ok(due)
}

fn select_due(conn: &Db, now: i64, limit: u32, lock: &str) -> DomainResult<Vec<Due>> {
    let sql = format!(
        "SELECT d.id, d.endpoint_id, d.event_id, d.payload, w.url, d.attempts, d.created_at
         FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
         WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= ?1 AND w.enabled = 1
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o
                           WHERE o.endpoint_id = d.endpoint_id AND o.company_id = d.company_id
                             AND o.id < d.id AND o.status IN ('pending', 'failed'))
         ORDER BY d.id LIMIT ?2{lock}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![now, limit], |r| {
        Ok(Due {
            id: r.get(0)?,
            endpoint_id: r.get(1)?,
            event_id: r.get(2)?,
            payload: r.get(3)?,
            url: r.get(4)?,
            attempts: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When `due` will next return a delivery, if ever: the earliest of the deliveries that head
/// their (endpoint, company) queue on an enabled endpoint, the rows `due` chooses from. The
/// earliest unsent delivery of all is not that time: one waiting behind a failed delivery, or
/// on a disabled endpoint, stays unsent however long ago its time came, and a sender woken at
/// its time would find nothing and wake again at once.
pub fn next_due_at(conn: &Db) -> DomainResult<Option<i64>> {
    Ok(super::cached_row(
        conn,
        "SELECT MIN(d.next_attempt_at)
         FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
         WHERE d.status IN ('pending', 'failed') AND w.enabled = 1
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o
                           WHERE o.endpoint_id = d.endpoint_id AND o.company_id = d.company_id
                             AND o.id < d.id AND o.status IN ('pending', 'failed'))",
        [],
        |r| r.get(0),
    )?)
}

/// What one attempt found.
pub struct Attempt {
    pub response_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

pub fn mark_delivered(
    conn: &Db,
    id: i64,
    attempts: u32,
    a: &Attempt,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?2, response_code = ?3,
             latency_ms = ?4, last_error = NULL, last_attempt_at = ?5, delivered_at = ?5
         WHERE id = ?1",
        params![id, attempts, a.response_code, a.latency_ms, now],
    )?;
    super::cached_execute(
        conn,
        "UPDATE webhook_endpoints SET failing_since = NULL
         WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = ?1)",
        [id],
    )?;
    Ok(())
}

/// Records a failed attempt: retried at `next_at`, or dead-lettered when `None`. Returns the
/// time the endpoint has been failing since.
pub fn mark_failed(
    conn: &Db,
    id: i64,
    attempts: u32,
    a: &Attempt,
    next_at: Option<i64>,
    now: i64,
) -> DomainResult<i64> {
    super::cached_execute(
        conn,
        "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, response_code = ?4,
             latency_ms = ?5, last_error = ?6, last_attempt_at = ?7, next_attempt_at = ?8
         WHERE id = ?1",
        params![
            id,
            if next_at.is_some() { "failed" } else { "dead" },
            attempts,
            a.response_code,
            a.latency_ms,
            a.error,
            now,
            next_at.unwrap_or(now)
        ],
    )?;
    Ok(conn.query_row(
        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?2)
         WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = ?1)
         RETURNING failing_since",
        params![id, now],
        |r| r.get(0),
    )?)
}

/// Disables an endpoint that kept failing; true when it was enabled.
pub fn disable_failing(conn: &Db, endpoint: &str, now: i64) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'failing', disabled_at = ?2,
             updated_at = ?2
         WHERE id = ?1 AND enabled = 1",
        params![endpoint, now],
    )? > 0)
}

/// Sends a delivery again, now (its attempts start over); false when it is not the endpoint's.
pub fn replay(conn: &Db, endpoint: &str, id: i64, now: i64) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?3,
             delivered_at = NULL
         WHERE id = ?2 AND endpoint_id = ?1",
        params![endpoint, id, now],
    )? > 0)
}

/// Sends again every delivery of the endpoint in `status` created since `since`; returns how
/// many.
pub fn replay_range(
    conn: &Db,
    endpoint: &str,
    since: i64,
    status: &str,
    now: i64,
) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?4
         WHERE endpoint_id = ?1 AND created_at >= ?2 AND status = ?3",
        params![endpoint, since, status, now],
    )?)
}
