//! SQL for retention: what the daily task prunes. Audit events go from the oldest end only,
//! so the chain stays verifiable: the link of the last pruned event becomes the chain's anchor.
//! Sign-in records (`auth.login*`, with their IP) past their own, shorter time keep their place
//! in the chain but lose their personal fields, as an anonymisation does.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::Db;
use crate::error::DomainResult;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How long each kind of record is kept, in days.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub audit_days: u32,
    pub signin_days: u32,
    pub usage_days: u32,
    pub sessions_days: u32,
}

/// The most rows of each kind one call of [`prune`] changes: a run is a series of such slices,
/// each a write of its own, so a backlog (a first run on a large store, a retention shortened
/// on the dashboard) never holds the writer for more than a few tens of milliseconds.
pub const SLICE_ROWS: i64 = 2_000;

/// The most audit events one slice looks at for sign-in records to forget.
const SCAN_ROWS: i64 = 20_000;

/// What one slice pruned, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub audit_events: i64,
    pub signin_records: i64,
    pub usage_rows: i64,
    pub sessions: i64,
}

impl Pruned {
    pub fn any(&self) -> bool {
        self.audit_events + self.signin_records + self.usage_rows + self.sessions > 0
    }

    /// Whether a kind filled its slice, so another slice may find more.
    fn filled(&self) -> bool {
        [
            self.audit_events,
            self.signin_records,
            self.usage_rows,
            self.sessions,
        ]
        .contains(&SLICE_ROWS)
    }

    pub fn add(&mut self, other: Pruned) {
        self.audit_events += other.audit_events;
        self.signin_records += other.signin_records;
        self.usage_rows += other.usage_rows;
        self.sessions += other.sessions;
    }
}

/// How far a run's slices have come through the old sign-in records: the time and id of the
/// last event looked at, so each slice starts where the one before stopped, and whether all
/// are forgotten (only then are audit events deleted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    signins_after: Option<(i64, i64)>,
    signins_done: bool,
}

impl Progress {
    /// Whether the run has more to do after a slice that pruned `last`.
    pub fn unfinished(&self, last: &Pruned) -> bool {
        !self.signins_done || last.filled()
    }
}

fn cutoff(now: i64, days: u32) -> i64 {
    now - i64::from(days) * DAY_MS
}

/// Prunes at most [`SLICE_ROWS`] rows of each kind of what `p` says is past its time at `now`,
/// continuing from `progress`. `prune_audit` is false when the chain does not verify: a
/// broken chain is evidence, and pruning would erase it. Old sign-in records lose their
/// personal fields before any audit event is deleted.
pub fn prune(
    conn: &Db,
    p: &Policy,
    now: i64,
    prune_audit: bool,
    progress: &mut Progress,
) -> DomainResult<Pruned> {
    let mut out = Pruned::default();
    let signin_cut = cutoff(now, p.signin_days);
    if prune_audit {
        out.signin_records = forget_old_signins(conn, signin_cut, progress)?;
        if progress.signins_done {
            out.audit_events = prune_audit_prefix(conn, cutoff(now, p.audit_days), signin_cut)?;
        }
    } else {
        progress.signins_done = true;
    }
    let day = crate::clock::to_datetime(cutoff(now, p.usage_days))
        .format("%Y-%m-%d")
        .to_string();
    out.usage_rows = super::cached_execute(
        conn,
        "DELETE FROM usage_daily WHERE (day, application_id, company_id, route_group) IN
           (SELECT day, application_id, company_id, route_group FROM usage_daily
            WHERE day < ?1 LIMIT ?2)",
        params![day, SLICE_ROWS],
    )? as i64;
    out.sessions = super::cached_execute(
        conn,
        "DELETE FROM sessions WHERE token_hash IN
           (SELECT token_hash FROM sessions WHERE expires_at < ?1 LIMIT ?2)",
        params![cutoff(now, p.sessions_days), SLICE_ROWS],
    )? as i64;
    Ok(out)
}

/// Forgets the personal fields of sign-in records older than `cut`: at most a slice of them,
/// looking at most at `SCAN_ROWS` events from where `progress` stopped.
fn forget_old_signins(conn: &Db, cut: i64, progress: &mut Progress) -> DomainResult<i64> {
    if progress.signins_done {
        return Ok(0);
    }
    let (at, id) = progress.signins_after.unwrap_or((i64::MIN, i64::MIN));
    // Each event with whether it is a sign-in record that still holds personal fields.
    let looked: Vec<(i64, i64, bool)> = conn
        .prepare_cached(
            "SELECT e.at, e.id, e.action LIKE 'auth.login%' AND c.personal_salt IS NOT NULL
             FROM audit_events e LEFT JOIN audit_chain c ON c.event_id = e.id
             WHERE e.at < ?1 AND e.at >= ?2 AND NOT (e.at = ?2 AND e.id <= ?3)
             ORDER BY e.at, e.id LIMIT ?4",
        )?
        .query_map(params![cut, at, id, SCAN_ROWS], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut forgotten = 0;
    for (at, id, personal_sign_in) in &looked {
        if forgotten == SLICE_ROWS {
            return Ok(forgotten);
        }
        if *personal_sign_in {
            super::audit_chain::forget_personal(conn, *id, None, "{}")?;
            forgotten += 1;
        }
        progress.signins_after = Some((*at, *id));
    }
    progress.signins_done = (looked.len() as i64) < SCAN_ROWS;
    Ok(forgotten)
}

/// Deletes the oldest events, at most a slice of them, up to the first one still kept: one
/// younger than the audit retention, or a sign-in record younger than the sign-in retention.
fn prune_audit_prefix(conn: &Db, audit_cut: i64, signin_cut: i64) -> DomainResult<i64> {
    let stop: Option<i64> = conn.query_row(
        "SELECT MIN(id) FROM audit_events
         WHERE at >= ?1 OR (action LIKE 'auth.login%' AND at >= ?2)",
        params![audit_cut, signin_cut],
        |r| r.get(0),
    )?;
    let last: Option<i64> = conn.query_row(
        "SELECT MAX(id) FROM
           (SELECT id FROM audit_events WHERE ?1 IS NULL OR id < ?1 ORDER BY id LIMIT ?2) AS slice",
        params![stop, SLICE_ROWS],
        |r| r.get(0),
    )?;
    let Some(last) = last else { return Ok(0) };
    let hash: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM audit_chain WHERE event_id = ?1",
            [last],
            |r| r.get(0),
        )
        .optional()?;
    // An unlinked event is one written outside armario: leave it for verification to name.
    let Some(hash) = hash else { return Ok(0) };
    super::cached_execute(
        conn,
        "UPDATE audit_chain_anchor SET after_event_id = ?1, hash = ?2, updated_at = ?3 WHERE id = 1",
        params![last, hash, crate::clock::now_ms()],
    )?;
    super::cached_execute(conn, "DELETE FROM audit_chain WHERE event_id <= ?1", [last])?;
    Ok(super::cached_execute(conn, "DELETE FROM audit_events WHERE id <= ?1", [last])? as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{AuditCtx, NewAuditEvent};

    const NOW: i64 = 1_800_000_000_000;

    fn db() -> rusqlite::Connection {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut c).unwrap();
        c
    }

    fn event(c: &Db, action: &'static str, days_ago: i64) {
        let ctx = AuditCtx {
            actor: crate::domain::audit::Actor::Anonymous,
            ip: Some("203.0.113.9".into()),
        };
        let e = NewAuditEvent::new(action).details(serde_json::json!({"email": "ana@x.test"}));
        crate::db::audit::insert(c, &ctx, &e, NOW - days_ago * DAY_MS).unwrap();
    }

    fn count(c: &Db, sql: &str) -> i64 {
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    const DEFAULTS: Policy = Policy {
        audit_days: 1825,
        signin_days: 183,
        usage_days: 730,
        sessions_days: 30,
    };

    #[test]
    fn prunes_exactly_what_the_policy_says_and_keeps_the_chain() {
        let c = db();
        event(&crate::db::Db::sqlite(&c), "company.created", 2000);
        event(&crate::db::Db::sqlite(&c), "auth.login", 1900);
        event(&crate::db::Db::sqlite(&c), "company.updated", 1000);
        event(&crate::db::Db::sqlite(&c), "auth.login", 200);
        event(&crate::db::Db::sqlite(&c), "auth.login_failed", 182);
        event(&crate::db::Db::sqlite(&c), "company.updated", 1);
        c.execute_batch(&format!(
            "INSERT INTO usage_daily VALUES ('2021-01-01', 'a', 'c', 'g', 1), ('2026-12-01', 'a', 'c', 'g', 1);
             INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at)
               VALUES ('c1', 'A', '11222333000181', 'a', 'active', 1, 1);
             INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at)
               VALUES ('u1', 'c1', 'a@x.test', 'A', 'member', 'active', 'h', 1, 1);
             INSERT INTO sessions (token_hash, user_id, created_at, expires_at, id)
               VALUES (x'01', 'u1', 1, {old}, 's1'), (x'02', 'u1', 1, {fresh}, 's2');",
            old = NOW - 31 * DAY_MS,
            fresh = NOW - 29 * DAY_MS,
        ))
        .unwrap();
        let pruned = prune(
            &crate::db::Db::sqlite(&c),
            &DEFAULTS,
            NOW,
            true,
            &mut Progress::default(),
        )
        .unwrap();
        // The two events older than five years go; the sign-in of 200 days ago keeps its place
        // but loses its IP, as does the one of 1900 days ago before it is deleted.
        assert_eq!(pruned.audit_events, 2);
        assert_eq!(pruned.signin_records, 2);
        assert_eq!(pruned.usage_rows, 1);
        assert_eq!(pruned.sessions, 1);
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT COUNT(*) FROM audit_events"
            ),
            4
        );
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT COUNT(*) FROM audit_events WHERE ip IS NOT NULL"
            ),
            3,
            "only the sign-in of 200 days ago lost its IP among those kept"
        );
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT MIN(id) FROM audit_events"
            ),
            3
        );
        let report = crate::db::audit_chain::verify(&crate::db::Db::sqlite(&c)).unwrap();
        assert!(report.broken.is_none(), "{:?}", report.broken);
        assert_eq!(report.events_checked, 4);
        // New events link to the chain after pruning; a second run prunes nothing more.
        event(&crate::db::Db::sqlite(&c), "company.updated", 0);
        assert!(!prune(
            &crate::db::Db::sqlite(&c),
            &DEFAULTS,
            NOW,
            true,
            &mut Progress::default()
        )
        .unwrap()
        .any());
        assert!(crate::db::audit_chain::verify(&crate::db::Db::sqlite(&c))
            .unwrap()
            .broken
            .is_none());
    }

    #[test]
    fn sign_in_records_younger_than_their_retention_stop_the_audit_prefix() {
        let c = db();
        event(&crate::db::Db::sqlite(&c), "auth.login", 100);
        event(&crate::db::Db::sqlite(&c), "company.updated", 90);
        let short = Policy {
            audit_days: 30,
            ..DEFAULTS
        };
        let pruned = prune(
            &crate::db::Db::sqlite(&c),
            &short,
            NOW,
            true,
            &mut Progress::default(),
        )
        .unwrap();
        assert_eq!(
            pruned.audit_events, 0,
            "the sign-in of 100 days ago stays six months"
        );
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT COUNT(*) FROM audit_events WHERE ip IS NOT NULL"
            ),
            2
        );
        assert_eq!(
            prune(
                &crate::db::Db::sqlite(&c),
                &short,
                NOW + 100 * DAY_MS,
                true,
                &mut Progress::default()
            )
            .unwrap()
            .audit_events,
            2
        );
        assert!(crate::db::audit_chain::verify(&crate::db::Db::sqlite(&c))
            .unwrap()
            .broken
            .is_none());
    }

    #[test]
    fn a_backlog_goes_in_bounded_slices_sign_ins_forgotten_before_any_deletion() {
        let c = db();
        // More old sign-ins than a slice, between old events, then what is kept.
        let old = SLICE_ROWS as usize + 500;
        for i in 0..old {
            event(
                &crate::db::Db::sqlite(&c),
                if i % 2 == 0 {
                    "auth.login"
                } else {
                    "company.updated"
                },
                2000,
            );
        }
        for _ in 0..old {
            event(&crate::db::Db::sqlite(&c), "auth.login_failed", 400);
        }
        event(&crate::db::Db::sqlite(&c), "company.updated", 1);
        let short = Policy {
            audit_days: 1000,
            ..DEFAULTS
        };
        let mut progress = Progress::default();
        let mut slices = Vec::new();
        loop {
            let p = prune(&crate::db::Db::sqlite(&c), &short, NOW, true, &mut progress).unwrap();
            slices.push(p);
            assert!(slices.len() < 20, "{slices:?}");
            if !progress.unfinished(&p) {
                break;
            }
        }
        let (signins, events): (Vec<i64>, Vec<i64>) = slices
            .iter()
            .map(|p| (p.signin_records, p.audit_events))
            .unzip();
        // 1,250 old sign-ins and 2,500 of 400 days: a slice, then 1,750; only once they are
        // all forgotten do the 2,500 old events go, a slice and 500.
        assert_eq!(signins, [SLICE_ROWS, 1_750, 0]);
        assert_eq!(events, [0, SLICE_ROWS, 500]);
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT COUNT(*) FROM audit_events"
            ),
            old as i64 + 1
        );
        assert_eq!(
            count(
                &crate::db::Db::sqlite(&c),
                "SELECT COUNT(*) FROM audit_chain WHERE personal_salt IS NOT NULL"
            ),
            1,
            "every sign-in past its time forgotten, the recent event kept whole"
        );
        let report = crate::db::audit_chain::verify(&crate::db::Db::sqlite(&c)).unwrap();
        assert!(report.broken.is_none(), "{:?}", report.broken);
        assert!(!prune(
            &crate::db::Db::sqlite(&c),
            &short,
            NOW,
            true,
            &mut Progress::default()
        )
        .unwrap()
        .any());
    }
}
