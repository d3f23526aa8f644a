//! SQL for the e-mail outbox. Bodies arrive here already sealed.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::Db;
use crate::error::DomainResult;
use crate::ids::CompanyId;

/// A message as the outbox keeps it.
pub struct NewMessage<'a> {
    pub message_id: &'a str,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub company_id: Option<&'a str>,
    pub subject: &'a str,
}

/// A message due for an attempt, with its sealed body.
pub struct DueMessage {
    pub id: i64,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub sealed: Vec<u8>,
    pub key_id: String,
    pub attempts: u32,
}

/// A row of the outbox listing (no body).
#[derive(Debug, Clone)]
pub struct MessageInfo {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
}

/// Queued and dead-lettered counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub queued: i64,
    pub dead: i64,
}

/// Adds a queued message and returns its row id; the body is sealed afterwards, with the id in
/// its associated data (see [`set_body`]), in the same transaction.
pub fn insert(conn: &Db, m: &NewMessage<'_>, now: i64) -> DomainResult<i64> {
    Ok(super::cached_row(
        conn,
        "INSERT INTO outbox (message_id, kind, recipient, company_id, subject, status,
                             next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?6)
         RETURNING id",
        params![
            m.message_id,
            m.kind,
            m.recipient,
            m.company_id,
            m.subject,
            now
        ],
        |r| r.get(0),
    )?)
}

pub fn set_body(conn: &Db, id: i64, sealed: &[u8], key_id: &str) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE outbox SET sealed = ?2, key_id = ?3 WHERE id = ?1",
        params![id, sealed, key_id],
    )?;
    Ok(())
}

/// Queued messages whose time has come, oldest first (a read: the sender claims them with
/// [`claim_due`] before it sends).
pub fn due(conn: &Db, now: i64, limit: u32) -> DomainResult<Vec<DueMessage>> {
    select_due(conn, now, limit, "")
}

/// Claims the queued messages whose time has come, oldest first, for one sender: their next
/// attempt moves to `lease_until`, so the sender of another replica passes them by, and the
/// attempt's outcome sets it again. A sender stopped mid-send leaves its claim to run out,
/// and the message is tried again then. Run in a write: writes follow one another (on
/// PostgreSQL under one lock, and the rows are locked as they are read), so no message is
/// claimed twice.
pub fn claim_due(
    conn: &Db,
    now: i64,
    lease_until: i64,
    limit: u32,
) -> DomainResult<Vec<DueMessage>> {
    let due = select_due(conn, now, limit, &super::skip_locked(conn, ""))?;
    for m in &due {
        super::cached_execute(
            conn,
            "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1",
            params![m.id, lease_until],
        )?;
    }
    Ok(due)
}

fn select_due(conn: &Db, now: i64, limit: u32, lock: &str) -> DomainResult<Vec<DueMessage>> {
    let sql = format!(
        "SELECT id, message_id, recipient, subject, sealed, key_id, attempts FROM outbox
         WHERE status = 'queued' AND next_attempt_at <= ?1 AND sealed IS NOT NULL
         ORDER BY next_attempt_at, id LIMIT ?2{lock}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![now, limit], |r| {
        Ok(DueMessage {
            id: r.get(0)?,
            message_id: r.get(1)?,
            recipient: r.get(2)?,
            subject: r.get(3)?,
            sealed: r.get(4)?,
            key_id: r.get(5)?,
            attempts: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When the next queued message is due, if any.
pub fn next_due_at(conn: &Db) -> DomainResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Sent: the body (and with it the link) is dropped.
pub fn mark_sent(conn: &Db, id: i64, attempts: u32, now: i64) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE outbox SET status = 'sent', sealed = NULL, key_id = NULL, attempts = ?2,
                last_error = NULL, sent_at = ?3
         WHERE id = ?1",
        params![id, attempts, now],
    )?;
    Ok(())
}

/// A failed attempt: try again at `next_at`, or dead-letter it when `next_at` is `None`.
pub fn mark_failed(
    conn: &Db,
    id: i64,
    attempts: u32,
    error: &str,
    next_at: Option<i64>,
) -> DomainResult<()> {
    match next_at {
        Some(at) => super::cached_execute(
            conn,
            "UPDATE outbox SET attempts = ?2, last_error = ?3, next_attempt_at = ?4 WHERE id = ?1",
            params![id, attempts, error, at],
        )?,
        None => super::cached_execute(
            conn,
            "UPDATE outbox SET status = 'dead', attempts = ?2, last_error = ?3 WHERE id = ?1",
            params![id, attempts, error],
        )?,
    };
    Ok(())
}

/// Puts dead-lettered messages back in the queue, due now; returns how many.
pub fn requeue_dead(conn: &Db, now: i64) -> DomainResult<usize> {
    Ok(super::cached_execute(
        conn,
        "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?1
         WHERE status = 'dead' AND sealed IS NOT NULL",
        params![now],
    )?)
}

pub fn counts(conn: &Db) -> DomainResult<Counts> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, COUNT(*) FROM outbox WHERE status IN ('queued', 'dead') GROUP BY status",
    )?;
    let mut out = Counts::default();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        match row? {
            (s, n) if s == "queued" => out.queued = n,
            (_, n) => out.dead = n,
        }
    }
    Ok(out)
}

/// The newest messages, optionally of one status.
pub fn list(conn: &Db, status: Option<&str>, limit: u32) -> DomainResult<Vec<MessageInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, message_id, kind, recipient, status, attempts, last_error, created_at,
                next_attempt_at, sent_at
         FROM outbox WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![status, limit], |r| {
        Ok(MessageInfo {
            id: r.get(0)?,
            message_id: r.get(1)?,
            kind: r.get(2)?,
            recipient: r.get(3)?,
            status: r.get(4)?,
            attempts: r.get(5)?,
            last_error: r.get(6)?,
            created_at: r.get(7)?,
            next_attempt_at: r.get(8)?,
            sent_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Bodies still waiting, for `keys rotate`.
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(i64, Vec<u8>, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, sealed, key_id FROM outbox WHERE sealed IS NOT NULL ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The company a message was sent for, if any.
pub fn company_of(conn: &Db, id: i64) -> DomainResult<Option<CompanyId>> {
    Ok(conn
        .query_row("SELECT company_id FROM outbox WHERE id = ?1", [id], |r| {
            r.get::<_, Option<CompanyId>>(0)
        })
        .optional()?
        .flatten())
}
