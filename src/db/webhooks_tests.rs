//! When the webhook sender next has work: the earliest delivery that heads its (endpoint,
//! company) queue on an enabled endpoint, the only ones `due` can return.

use rusqlite::{params, Connection};

use super::webhooks::{due, next_due_at};

const NOW: i64 = 1_800_000_000_000;

fn store() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Connection::open(dir.path().join("armario.db")).unwrap();
    crate::db::migrate::apply(&mut c).unwrap();
    // The endpoint's application is beside the point here.
    c.pragma_update(None, "foreign_keys", "OFF").unwrap();
    c.execute(
        "INSERT INTO webhook_endpoints (id, application_id, url, event_types, secrets_sealed,
             key_id, created_at, updated_at)
         VALUES ('whe_1', 'app_1', 'https://hooks.example/x', '[]', x'00', 'k', ?1, ?1)",
        [NOW],
    )
    .unwrap();
    (dir, c)
}

fn delivery(c: &Connection, company: &str, status: &str, next_attempt_at: i64) {
    c.execute(
        "INSERT INTO webhook_deliveries (endpoint_id, company_id, event_id, event_type, payload,
             status, next_attempt_at, created_at)
         VALUES ('whe_1', ?1, 'evt', 'company.updated', '{}', ?2, ?3, ?4)",
        params![company, status, next_attempt_at, NOW - 10_000],
    )
    .unwrap();
}

#[test]
fn a_delivery_waiting_behind_a_failed_one_is_not_due_before_it() {
    let (_dir, c) = store();
    // The first delivery failed and is retried in a minute; the second waits behind it
    // although its own time has come.
    delivery(&c, "cmp_a", "failed", NOW + 60_000);
    delivery(&c, "cmp_a", "pending", NOW - 5_000);
    assert!(due(&crate::db::Db::sqlite(&c), NOW, 10).unwrap().is_empty());
    assert_eq!(
        next_due_at(&crate::db::Db::sqlite(&c)).unwrap(),
        Some(NOW + 60_000)
    );
    // Another company's queue on the same endpoint has its own head.
    delivery(&c, "cmp_b", "pending", NOW + 5_000);
    assert_eq!(
        next_due_at(&crate::db::Db::sqlite(&c)).unwrap(),
        Some(NOW + 5_000)
    );
}

#[test]
fn a_disabled_endpoints_deliveries_are_never_due() {
    let (_dir, c) = store();
    delivery(&c, "cmp_a", "pending", NOW - 5_000);
    assert_eq!(
        next_due_at(&crate::db::Db::sqlite(&c)).unwrap(),
        Some(NOW - 5_000)
    );
    c.execute("UPDATE webhook_endpoints SET enabled = 0", [])
        .unwrap();
    assert!(due(&crate::db::Db::sqlite(&c), NOW, 10).unwrap().is_empty());
    assert_eq!(next_due_at(&crate::db::Db::sqlite(&c)).unwrap(), None);
}
