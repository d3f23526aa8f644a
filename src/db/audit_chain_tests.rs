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

/// The walk reads the events a page at a time: a chain longer than two pages is checked
/// whole, and a change on a later page is found where it is.
#[test]
fn a_chain_longer_than_a_page_is_walked_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Connection::open(dir.path().join("armario.db")).unwrap();
    crate::db::migrate::apply(&mut c).unwrap();
    let ctx = AuditCtx {
        actor: Actor::Anonymous,
        ip: None,
    };
    let n = 2 * super::audit_chain::WALK_PAGE + 5;
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..n {
        let e = NewAuditEvent::new("company.updated");
        crate::db::audit::insert(&crate::db::Db::sqlite(&tx), &ctx, &e, NOW + i).unwrap();
    }
    tx.commit().unwrap();
    let whole = verify(&crate::db::Db::sqlite(&c)).unwrap();
    assert!(whole.broken.is_none(), "{:?}", whole.broken);
    assert_eq!(whole.events_checked, n);

    let edited = super::audit_chain::WALK_PAGE + 7;
    c.execute(
        "UPDATE audit_events SET action = 'company.deleted' WHERE id = ?1",
        [edited],
    )
    .unwrap();
    let report = verify(&crate::db::Db::sqlite(&c)).unwrap();
    let broken = report.broken.expect("the edit is found");
    assert_eq!(broken.event_id, edited, "{broken:?}");
    assert_eq!(report.events_checked, edited - 1);
}
