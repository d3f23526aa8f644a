//! The chain's walk reads the anchor and the events it checks from one snapshot.

use std::cell::RefCell;
use std::path::PathBuf;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::Connection;

use super::audit_chain::verify;
use super::retention::{prune, Policy};
use crate::domain::audit::{Actor, AuditCtx, NewAuditEvent};

const DAY_MS: i64 = 86_400_000;
const NOW: i64 = 1_800_000_000_000;

thread_local! {
    /// The store to prune once the walk starts reading events, on another connection.
    static PRUNE_DURING_WALK: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// A retention run that commits while the walk has read the anchor and not yet the events:
/// the two oldest events go and the anchor moves past them.
fn prune_between_anchor_and_events(event: TraceEvent<'_>) {
    let TraceEvent::Stmt(_, sql) = event else {
        return;
    };
    if !sql.contains("LEFT JOIN audit_chain") {
        return;
    }
    if let Some(path) = PRUNE_DURING_WALK.with(|p| p.borrow_mut().take()) {
        let other = Connection::open(path).unwrap();
        let policy = Policy {
            audit_days: 200,
            signin_days: 183,
            usage_days: 730,
            sessions_days: 30,
        };
        let pruned = prune(
            &crate::db::Db::sqlite(&other),
            &policy,
            NOW,
            true,
            &mut Default::default(),
        )
        .unwrap();
        assert_eq!(pruned.audit_events, 2);
    }
}

#[test]
fn a_prune_committed_during_the_walk_does_not_read_as_a_break() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("armario.db");
    let mut c = Connection::open(&path).unwrap();
    c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    crate::db::migrate::apply(&mut c).unwrap();
    let ctx = AuditCtx {
        actor: Actor::Anonymous,
        ip: Some("203.0.113.45".into()),
    };
    for days in [300, 250, 100, 90] {
        let e = NewAuditEvent::new("company.updated");
        crate::db::audit::insert(&crate::db::Db::sqlite(&c), &ctx, &e, NOW - days * DAY_MS)
            .unwrap();
    }

    PRUNE_DURING_WALK.with(|p| *p.borrow_mut() = Some(path.clone()));
    c.trace_v2(
        TraceEventCodes::SQLITE_TRACE_STMT,
        Some(prune_between_anchor_and_events),
    );
    let during = verify(&crate::db::Db::sqlite(&c)).unwrap();
    c.trace_v2(TraceEventCodes::empty(), None);
    assert!(
        PRUNE_DURING_WALK.with(|p| p.borrow().is_none()),
        "the prune ran during the walk"
    );
    assert!(during.broken.is_none(), "{:?}", during.broken);
    assert_eq!(
        during.events_checked, 4,
        "the walk saw the store before the prune"
    );

    let after = verify(&crate::db::Db::sqlite(&c)).unwrap();
    assert!(after.broken.is_none(), "{:?}", after.broken);
    assert_eq!(after.events_checked, 2);
}
