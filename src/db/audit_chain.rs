//! SQL for the audit chain: the link written with each event, the walk that verifies it, and
//! the server's last verification.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::{Db, Row};
use crate::domain::audit_chain::{
    self as chain, Break, BreakKind, ChainHead, ChainReport, ChainedFields,
};
use crate::error::DomainResult;

/// The event's columns, its IP and details opened (`opened`, over the event `e`): the chain
/// commits to them in clear.
fn event_columns(opened: &str) -> String {
    format!(
        "e.id, e.at, e.actor_kind, e.actor_id, e.company_id, e.action, e.target_kind, \
         e.target_id, {opened}"
    )
}

/// One stored event, as the chain sees it.
struct Stored {
    id: i64,
    at: i64,
    actor_kind: String,
    actor_id: Option<String>,
    company_id: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    ip: Option<String>,
    details: String,
}

impl Stored {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_kind: r.get(2)?,
            actor_id: r.get(3)?,
            company_id: r.get(4)?,
            action: r.get(5)?,
            target_kind: r.get(6)?,
            target_id: r.get(7)?,
            ip: r.get(8)?,
            details: r.get(9)?,
        })
    }

    fn fields(&self) -> ChainedFields<'_> {
        ChainedFields {
            id: self.id,
            at: self.at,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id.as_deref(),
            company_id: self.company_id.as_deref(),
            action: &self.action,
            target_kind: self.target_kind.as_deref(),
            target_id: self.target_id.as_deref(),
        }
    }
}

/// Where the chain starts: after this event id, from this link.
fn anchor(conn: &Db) -> DomainResult<(i64, Vec<u8>)> {
    Ok(conn
        .query_row(
            "SELECT after_event_id, hash FROM audit_chain_anchor WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, chain::GENESIS.to_vec())))
}

/// The last link: the newest event's, or the anchor's when none is left.
fn head_link(conn: &Db) -> DomainResult<Vec<u8>> {
    let last: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM audit_chain ORDER BY event_id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    or_anchor(conn, last)
}

/// The chain's last link, or the anchor's when no event is linked yet.
fn or_anchor(conn: &Db, last: Option<Vec<u8>>) -> DomainResult<Vec<u8>> {
    match last {
        Some(h) => Ok(h),
        None => Ok(anchor(conn)?.1),
    }
}

/// Links an event just written to the chain's head as the insert read it (`None`: no event is
/// linked yet, the anchor is the head), from the values written: `fields` and the personal
/// `ip` and `details`. Writes in one transaction may be batched, so the head is read with each
/// insert, never cached.
pub fn link_written(
    conn: &Db,
    fields: ChainedFields<'_>,
    ip: Option<&str>,
    details: &str,
    head: Option<Vec<u8>>,
) -> DomainResult<()> {
    let prev = or_anchor(conn, head)?;
    insert_link(conn, fields.id, &prev, fields, ip, details)
}

/// Links event `id` (stored, in the caller's transaction) to the chain's head, reading the
/// event back as stored.
#[cfg(test)]
pub fn link_event(conn: &Db, id: i64) -> DomainResult<()> {
    let event = conn
        .prepare_cached(&format!(
            "SELECT {} FROM audit_events e WHERE e.id = ?1",
            event_columns(&super::audit::opened("e"))
        ))?
        .query_row([id], Stored::from_row)?;
    write_link(conn, &event)
}

fn write_link(conn: &Db, e: &Stored) -> DomainResult<()> {
    let prev = head_link(conn)?;
    insert_link(conn, e.id, &prev, e.fields(), e.ip.as_deref(), &e.details)
}

/// Writes the link of event `id` after `prev`, with a fresh commitment to its personal fields.
fn insert_link(
    conn: &Db,
    id: i64,
    prev: &[u8],
    fields: ChainedFields<'_>,
    ip: Option<&str>,
    details: &str,
) -> DomainResult<()> {
    let salt = chain::new_salt();
    let commit = chain::personal_commit(&salt, ip, details);
    let hash = chain::link(prev, &fields, &commit);
    conn.prepare_cached(
        "INSERT INTO audit_chain (event_id, personal_salt, personal_commit, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, &salt[..], &commit[..], prev, &hash[..]])?;
    Ok(())
}

/// Chains the events stored before the chain existed, in id order, after the current head.
/// Runs once, in the migration that creates the chain; an unlinked event found later is one
/// written outside armario, and verification names it.
pub fn backfill(conn: &Db) -> DomainResult<()> {
    let after: i64 = conn.query_row(
        "SELECT MAX(COALESCE((SELECT MAX(event_id) FROM audit_chain), 0),
                    (SELECT after_event_id FROM audit_chain_anchor WHERE id = 1))",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM audit_events e WHERE e.id > ?1 ORDER BY e.id",
        event_columns(&super::audit::opened("e"))
    ))?;
    let events = stmt.query_map([after], Stored::from_row)?;
    for e in events {
        write_link(conn, &e?)?;
    }
    Ok(())
}

/// Replaces an event's personal fields (anonymisation) and drops the salt of its commitment,
/// which the chain keeps: the chain still verifies, and the commitment no longer confirms the
/// old values. The new values go under the company's key like any event's.
pub fn forget_personal(
    conn: &Db,
    event_id: i64,
    ip: Option<&str>,
    details: &str,
) -> DomainResult<()> {
    // The company's key is named by a parameter, so the sealing runs in armario on either
    // store.
    let company: Option<Option<String>> = super::cached_row(
        conn,
        "SELECT company_id FROM audit_events WHERE id = ?1",
        [event_id],
        |r| r.get(0),
    )
    .optional()?;
    let Some(company) = company else {
        return Ok(());
    };
    super::cached_execute(
        conn,
        "UPDATE audit_events SET ip = armario_seal('audit_events', 'ip', ?4, ?2),
             details = armario_seal('audit_events', 'details', ?4, ?3)
         WHERE id = ?1",
        params![event_id, ip, details, company],
    )?;
    super::cached_execute(
        conn,
        "UPDATE audit_chain SET personal_salt = NULL WHERE event_id = ?1",
        [event_id],
    )?;
    Ok(())
}

/// The first link after `after` and before `before` whose event is gone.
fn deleted_between(conn: &Db, after: i64, before: Option<i64>) -> DomainResult<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MIN(c.event_id) FROM audit_chain c
         WHERE c.event_id > ?1 AND (?2 IS NULL OR c.event_id < ?2)
           AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = c.event_id)",
        params![after, before],
        |r| r.get(0),
    )?)
}

fn broken(event_id: i64, kind: BreakKind, message: String) -> Option<Break> {
    Some(Break {
        event_id,
        kind,
        message,
    })
}

/// Walks the chain from its anchor and stops at the first event that breaks it.
pub fn verify(conn: &Db) -> DomainResult<ChainReport> {
    // The anchor and the events are read from one snapshot. Read apart, a retention run that
    // commits between them moves the anchor past events the walk then no longer finds, which
    // reads as a deletion.
    super::in_snapshot(conn, walk)
}

/// Events read per statement: a PostgreSQL connection hands a statement's rows over whole,
/// so ten million events are walked a page at a time, never held at once.
pub(super) const WALK_PAGE: i64 = 2_000;

fn walk(conn: &Db) -> DomainResult<ChainReport> {
    let (anchor_id, anchor_hash) = anchor(conn)?;
    let mut report = ChainReport::default();
    let mut prev = anchor_hash;
    let mut prev_id = anchor_id;
    let mut stmt = conn.prepare(&format!(
        "SELECT {}, c.event_id, c.personal_salt, c.personal_commit, c.prev_hash, c.hash
         FROM audit_events e LEFT JOIN audit_chain c ON c.event_id = e.id {}
         WHERE e.id > ?1 ORDER BY e.id LIMIT {WALK_PAGE}",
        // The walk meets the companies in no order: each event's key comes with its row.
        event_columns(&super::audit::opened_with_keys("e", "k")),
        super::audit::KEY_JOIN
    ))?;
    'pages: loop {
        let mut rows = stmt.query([prev_id])?;
        let mut read = 0;
        while let Some(r) = rows.next()? {
            read += 1;
            let e = Stored::from_row(&r)?;
            let linked: Option<i64> = r.get(10)?;
            if linked.is_none() {
                report.broken = broken(
                    e.id,
                    BreakKind::Inserted,
                    format!(
                        "event {} has no link in the chain: it was inserted outside armario",
                        e.id
                    ),
                );
                break 'pages;
            }
            let salt: Option<Vec<u8>> = r.get(11)?;
            let commit: Vec<u8> = r.get(12)?;
            let stored_prev: Vec<u8> = r.get(13)?;
            let hash: Vec<u8> = r.get(14)?;
            if stored_prev != prev {
                let gone = deleted_between(conn, prev_id, Some(e.id))?;
                report.broken = match gone {
                Some(id) => broken(id, BreakKind::Deleted, format!("event {id} was deleted")),
                None => broken(
                    e.id,
                    BreakKind::Deleted,
                    format!(
                        "event {} does not follow event {prev_id}: an event between them was deleted, or event {prev_id} was rewritten",
                        e.id
                    ),
                ),
            };
                break 'pages;
            }
            let personal_ok = match &salt {
                Some(salt) => {
                    chain::personal_commit(salt, e.ip.as_deref(), &e.details)[..] == commit[..]
                }
                None => {
                    report.anonymised += 1;
                    true
                }
            };
            if !personal_ok || chain::link(&prev, &e.fields(), &commit)[..] != hash[..] {
                report.broken = broken(
                    e.id,
                    BreakKind::Edited,
                    format!("event {} was edited", e.id),
                );
                break 'pages;
            }
            report.events_checked += 1;
            report.head = Some(ChainHead {
                event_id: e.id,
                hash: hex::encode(&hash),
            });
            prev = hash;
            prev_id = e.id;
        }
        if read < WALK_PAGE {
            break;
        }
    }
    if report.broken.is_none() {
        if let Some(id) = deleted_between(conn, prev_id, None)? {
            report.broken = broken(id, BreakKind::Deleted, format!("event {id} was deleted"));
        }
    }
    Ok(report)
}

/// The stored link of one event, hex (for comparing with a backup's head).
pub fn link_of(conn: &Db, event_id: i64) -> DomainResult<Option<String>> {
    let h: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM audit_chain WHERE event_id = ?1",
            [event_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(h.map(hex::encode))
}

/// The event id the chain starts after (retention moves it forward).
pub fn anchor_event_id(conn: &Db) -> DomainResult<i64> {
    Ok(anchor(conn)?.0)
}

/// The chain's head as stored (not verified), for a backup's manifest.
pub fn head(conn: &Db) -> DomainResult<Option<ChainHead>> {
    Ok(conn
        .query_row(
            "SELECT event_id, hash FROM audit_chain ORDER BY event_id DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?
        .map(|(event_id, h)| ChainHead {
            event_id,
            hash: hex::encode(h),
        }))
}

/// The server's last verification.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Verification {
    pub verified_at: i64,
    pub ok: bool,
    pub events_checked: i64,
    pub broken_event_id: Option<i64>,
    pub broken_kind: Option<String>,
    pub problem: Option<String>,
}

pub fn record_verification(conn: &Db, r: &ChainReport, now: i64) -> DomainResult<()> {
    let b = r.broken.as_ref();
    super::cached_execute(
        conn,
        "INSERT INTO audit_verification
            (id, verified_at, ok, events_checked, broken_event_id, broken_kind, problem)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET verified_at = excluded.verified_at, ok = excluded.ok,
            events_checked = excluded.events_checked,
            broken_event_id = excluded.broken_event_id, broken_kind = excluded.broken_kind,
            problem = excluded.problem",
        params![
            now,
            b.is_none(),
            r.events_checked,
            b.map(|b| b.event_id),
            b.map(|b| b.kind.as_str()),
            b.map(|b| b.message.clone())
        ],
    )?;
    Ok(())
}

pub fn last_verification(conn: &Db) -> DomainResult<Option<Verification>> {
    Ok(conn
        .query_row(
            "SELECT verified_at, ok, events_checked, broken_event_id, broken_kind, problem
             FROM audit_verification WHERE id = 1",
            [],
            |r| {
                Ok(Verification {
                    verified_at: r.get(0)?,
                    ok: r.get(1)?,
                    events_checked: r.get(2)?,
                    broken_event_id: r.get(3)?,
                    broken_kind: r.get(4)?,
                    problem: r.get(5)?,
                })
            },
        )
        .optional()?)
}
