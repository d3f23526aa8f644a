//! The sealing functions and the start-up pass on a real SQLite file, with a master key.

use std::sync::Arc;

use rusqlite::Connection;

use super::company_keys::{register, seal_pending};
use crate::crypto::company_keys::KeyRing;
use crate::crypto::MasterKey;

fn store(ring: &Arc<KeyRing>) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("k.db")).unwrap();
    crate::db::migrate::apply(&mut conn).unwrap();
    register(&conn, Some(ring.clone())).unwrap();
    conn.execute_batch(
        "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at, search_fold, sort_name)
         VALUES ('cmp_a', 'Alfa', '11222333000181', 'alfa', 'active', 1, 1, 'alfa', 'alfa'),
                ('cmp_e', 'Apagada', '11444777000161', 'apagada', 'active', 1, 1, 'apagada', 'apagada');
         INSERT INTO erasures (id, kind, company_id, pseudonym, erased_at) VALUES ('er_1', 'company', 'cmp_e', 'x', 1);
         INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at, updated_at, search_fold)
         VALUES ('usr_a', 'cmp_a', 'ana@alfa.test', 'Ana', 'company_admin', 'active', 'x', 1, 1, 'ana ana@alfa.test'),
                ('usr_e', 'cmp_e', 'apagado-1@apagado.invalid', 'Titular apagado', 'member', 'disabled', '!', 1, 1, ''),
                ('usr_o', NULL, 'dona@armario.test', 'Dona', 'owner', 'active', 'x', 1, 1, 'dona');
         INSERT INTO company_secrets (company_id, kind, sealed, key_id, hint, updated_at)
         VALUES ('cmp_a', 'omie', X'00112233', 'k1', '••••', 1);
         INSERT INTO audit_events (id, at, actor_kind, actor_id, company_id, action, ip, details)
         VALUES (1, 1, 'user', 'usr_a', 'cmp_a', 'user.updated', '203.0.113.9', '{\"email\":\"ana@alfa.test\"}'),
                (2, 1, 'user', 'usr_a', 'cmp_a', 'user.signed_in', NULL, '{}'),
                (3, 1, 'owner', 'usr_o', 'cmp_e', 'company.erased', NULL, '{\"erased\":\"x\"}'),
                (4, 1, 'owner', 'usr_o', NULL, 'settings.updated', '198.51.100.7', '{}');",
    )
    .unwrap();
    (dir, conn)
}

fn text(conn: &Connection, sql: &str) -> String {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// What an older store holds is sealed once, under keys created for the companies that may
/// have one; an erased company gets none, the owner stays in clear; a second pass does nothing.
#[test]
fn the_start_up_pass_seals_what_is_in_clear_once() {
    let ring = Arc::new(KeyRing::new(&MasterKey::generate(), &[]));
    let (_dir, conn) = store(&ring);
    let report = seal_pending(&crate::db::Db::sqlite(&conn), 5).unwrap();
    assert_eq!(report.keys_created, 1, "{report:?}");
    assert_eq!(report.secrets_sealed, 1, "{report:?}");
    assert_eq!(report.events_sealed, 2, "{report:?}");
    assert_eq!(
        text(&conn, "SELECT group_concat(typeof(ip) || '/' || typeof(details), ' ') FROM (SELECT ip, details FROM audit_events ORDER BY id)"),
        "blob/blob null/blob null/text text/text",
        "a company's events are sealed; an erased company's and the owner's stay in clear"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT armario_open('audit_events', 'ip', company_id, ip) || ' ' ||
                    armario_open('audit_events', 'details', company_id, details)
             FROM audit_events WHERE id = 1"
        ),
        "203.0.113.9 {\"email\":\"ana@alfa.test\"}"
    );
    assert_eq!(
        text(&conn, "SELECT typeof(email) || typeof(name) || typeof(search_fold) FROM users WHERE id = 'usr_a'"),
        "blobblobblob"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT armario_open('users', 'name', company_id, name) FROM users WHERE id = 'usr_a'"
        ),
        "Ana"
    );
    let secret: Vec<u8> = conn
        .query_row(
            "SELECT armario_open('company_secrets', 'sealed', company_id, sealed) FROM company_secrets",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        secret,
        vec![0x00, 0x11, 0x22, 0x33],
        "the master-sealed bytes, as they were"
    );
    assert_eq!(
        text(&conn, "SELECT email FROM users WHERE id = 'usr_e'"),
        "apagado-1@apagado.invalid",
        "an erased company's pseudonyms stay as they are"
    );
    assert_eq!(
        text(&conn, "SELECT email FROM users WHERE id = 'usr_o'"),
        "dona@armario.test"
    );
    let keys: Vec<String> = conn
        .prepare("SELECT company_id FROM company_keys WHERE sealed IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys, vec!["cmp_a".to_string()]);
    let unindexed: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE email_index IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unindexed, 0);
    let found: String = conn
        .query_row(
            "SELECT id FROM users WHERE email_index = armario_email_index('ana@alfa.test')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, "usr_a");
    assert_eq!(
        seal_pending(&crate::db::Db::sqlite(&conn), 6).unwrap(),
        Default::default()
    );
}

/// A read that joins the company's key (the audit chain's walk) opens cells with a ring that
/// never opened that key, without looking it up itself: a row with no key joined has none.
#[test]
fn a_joined_key_opens_cells_without_a_lookup_of_its_own() {
    let master = MasterKey::generate();
    let ring = Arc::new(KeyRing::new(&master, &[]));
    let (_dir, conn) = store(&ring);
    seal_pending(&crate::db::Db::sqlite(&conn), 5).unwrap();
    let fresh = Arc::new(KeyRing::new(&master, &[]));
    register(&conn, Some(fresh.clone())).unwrap();
    assert!(fresh.cached("cmp_a").is_none());
    let unjoined = conn.query_row(
        "SELECT armario_open('audit_events', 'ip', company_id, ip, NULL, NULL)
         FROM audit_events WHERE id = 1",
        [],
        |r| r.get::<_, String>(0),
    );
    let message = unjoined.unwrap_err().to_string();
    assert!(
        message.contains("company cmp_a has no data key"),
        "{message}"
    );
    assert_eq!(
        text(
            &conn,
            "SELECT armario_open('audit_events', 'ip', e.company_id, e.ip, k.sealed, k.key_id) || ' ' ||
                    armario_open('audit_events', 'details', e.company_id, e.details, k.sealed, k.key_id)
             FROM audit_events e LEFT JOIN company_keys k ON k.company_id = e.company_id
             WHERE e.id = 1"
        ),
        "203.0.113.9 {\"email\":\"ana@alfa.test\"}"
    );
    assert!(fresh.cached("cmp_a").is_some(), "the key opened is kept");
    assert_eq!(
        text(
            &conn,
            "SELECT armario_open('audit_events', 'ip', e.company_id, e.ip, k.sealed, k.key_id)
             FROM audit_events e LEFT JOIN company_keys k ON k.company_id = e.company_id
             WHERE e.id = 4"
        ),
        "198.51.100.7",
        "an event without a company is in clear"
    );
}

/// A destroyed key opens nothing again, not even for the same master key, and the ring does
/// not take it back from a reader still on an older snapshot.
#[test]
fn a_destroyed_key_opens_nothing() {
    let ring = Arc::new(KeyRing::new(&MasterKey::generate(), &[]));
    let (_dir, conn) = store(&ring);
    seal_pending(&crate::db::Db::sqlite(&conn), 5).unwrap();
    let (sealed, key_id): (Vec<u8>, String) = conn
        .query_row(
            "SELECT sealed, key_id FROM company_keys WHERE company_id = 'cmp_a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(super::company_keys::destroy(&crate::db::Db::sqlite(&conn), "cmp_a").unwrap());
    let opened = conn.query_row(
        "SELECT armario_open('users', 'name', company_id, name) FROM users WHERE id = 'usr_a'",
        [],
        |r| r.get::<_, String>(0),
    );
    assert!(opened.is_err(), "{opened:?}");
    ring.open_company_key("cmp_a", &sealed, &key_id).unwrap();
    assert!(ring.cached("cmp_a").is_none());
}

/// Without the master key the functions pass clear values through and refuse sealed ones.
#[test]
fn without_the_master_key_nothing_sealed_opens() {
    let ring = Arc::new(KeyRing::new(&MasterKey::generate(), &[]));
    let (_dir, conn) = store(&ring);
    seal_pending(&crate::db::Db::sqlite(&conn), 5).unwrap();
    register(&conn, None).unwrap();
    assert_eq!(
        text(&conn, "SELECT armario_open('users', 'email', company_id, email) FROM users WHERE id = 'usr_o'"),
        "dona@armario.test"
    );
    let sealed = conn.query_row(
        "SELECT armario_open('users', 'email', company_id, email) FROM users WHERE id = 'usr_a'",
        [],
        |r| r.get::<_, String>(0),
    );
    assert!(sealed.is_err());
}

/// Started with a new master key and the old one as previous, the e-mails are indexed again
/// under the new one, once, and found by it.
#[test]
fn a_new_master_key_indexes_the_e_mails_again() {
    let old = MasterKey::generate();
    let ring = Arc::new(KeyRing::new(&old, &[]));
    let (_dir, conn) = store(&ring);
    seal_pending(&crate::db::Db::sqlite(&conn), 5).unwrap();
    let new = Arc::new(KeyRing::new(&MasterKey::generate(), &[old]));
    register(&conn, Some(new)).unwrap();
    let find = |conn: &Connection| -> Option<String> {
        conn.query_row(
            "SELECT id FROM users WHERE email_index = armario_email_index('ana@alfa.test')",
            [],
            |r| r.get(0),
        )
        .ok()
    };
    assert_eq!(find(&conn), None, "indexed under the old key");
    let report = seal_pending(&crate::db::Db::sqlite(&conn), 6).unwrap();
    assert_eq!(report.indexes_recomputed, 3, "{report:?}");
    assert_eq!(find(&conn).as_deref(), Some("usr_a"));
    assert_eq!(
        text(
            &conn,
            "SELECT armario_open('users', 'name', company_id, name) FROM users WHERE id = 'usr_a'"
        ),
        "Ana",
        "the company's key opens with the previous master key"
    );
    assert_eq!(
        seal_pending(&crate::db::Db::sqlite(&conn), 7).unwrap(),
        Default::default()
    );
}

/// The check at every start and the sign-in lookup read indexes, never the whole users table.
#[test]
fn the_start_up_check_and_the_e_mail_lookup_read_indexes() {
    use super::company_keys::{SECRETS_UNSEALED, USERS_UNSEALED};
    let ring = Arc::new(KeyRing::new(&MasterKey::generate(), &[]));
    let (_dir, conn) = store(&ring);
    let plan = |sql: &str| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        lines.join("\n")
    };
    let p = plan(&format!(
        "SELECT id FROM users t WHERE {USERS_UNSEALED} LIMIT 5"
    ));
    assert!(p.contains("users_unsealed"), "{p}");
    let p = plan(&format!(
        "SELECT company_id FROM company_secrets t WHERE {SECRETS_UNSEALED} LIMIT 5"
    ));
    assert!(p.contains("company_secrets_unsealed"), "{p}");
    let p = plan("SELECT company_id FROM company_keys WHERE sealed IS NULL LIMIT 5");
    assert!(p.contains("company_keys_missing"), "{p}");
    let p = plan("SELECT id FROM users WHERE email_index = armario_email_index('a@b.test')");
    assert!(p.contains("users_email_index"), "{p}");
}
