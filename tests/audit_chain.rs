//! The audit log's hash chain: `armario audit verify` passes on an untouched store and after an
//! anonymisation, names the event edited, deleted or inserted behind armario's back (on a
//! connection of the test's own, to the SQLite file or the PostgreSQL database), and with
//! `--against` a backup catches a chain cut short; `/readyz` shows the server's verification.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// The PostgreSQL database of the server directory holding `data`, when the run is on one.
fn database_of(data: &Path) -> Option<String> {
    std::fs::read_to_string(data.parent().unwrap().join("database_url")).ok()
}

/// Runs `sql` on the store of `data` as another program would; answers the first column of
/// the first row, as text ("" when there is none).
fn tamper(data: &Path, sql: &str) -> String {
    let sql = sql.to_string();
    with_store_at(database_of(data), &data.join("armario.db"), move |db| {
        if !sql.trim_start().to_ascii_uppercase().starts_with("SELECT") {
            db.execute_batch(&sql).unwrap();
            return String::new();
        }
        let value: Option<rusqlite::types::Value> = db
            .query_row(&sql, [], |r| r.get(0))
            .map(Some)
            .unwrap_or(None);
        match value {
            Some(rusqlite::types::Value::Integer(n)) => n.to_string(),
            Some(rusqlite::types::Value::Text(t)) => t,
            _ => String::new(),
        }
    })
}

/// A server with a few events, stopped (its WAL checkpointed), and its data directory.
async fn store_with_events() -> (Server, PathBuf) {
    let server = Server::start();
    let owner = server.owner().await;
    let c = company(&owner, "Cadeia Ltda", 41).await;
    user(&owner, &c, "ana@cadeia.test", "member").await;
    let mut server = server;
    assert!(server.stop().success());
    let data = server.data_dir();
    (server, data)
}

/// Copies a data directory (and its PostgreSQL database), so each tampering starts from the
/// same untouched store.
fn copy_of(data: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("data");
    let ok = Command::new("cp")
        .arg("-a")
        .arg(data)
        .arg(&to)
        .status()
        .unwrap();
    assert!(ok.success());
    if let Some(url) = database_of(data) {
        let copy = crate::common::postgres::copy_database(&url);
        std::fs::write(dir.path().join("database_url"), copy).unwrap();
    }
    (dir, to)
}

fn verify(data: &Path, key: &str, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let out = run_armario(data, key, &args, "");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn an_untouched_store_and_an_anonymised_one_verify() {
    let (server, data) = store_with_events().await;
    let (ok, text) = verify(&data, &server.master_key, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    // Anonymise a person the way erasure does (db::audit_chain::forget_personal): the personal
    // fields replaced by a pseudonym, the salt of their commitment dropped.
    // The company's events hold their details sealed under its key: the store never shows
    // the address in clear.
    let details: Vec<Vec<u8>> = with_store_at(database_of(&data), &data.join("armario.db"), |db| {
        db.prepare("SELECT details FROM audit_events WHERE details IS NOT NULL")
            .unwrap()
            .query_map([], |r| {
                Ok(match r.get::<_, rusqlite::types::Value>(0)? {
                    rusqlite::types::Value::Blob(b) => b,
                    rusqlite::types::Value::Text(t) => t.into_bytes(),
                    _ => Vec::new(),
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert!(details.len() > 2, "events with details: {}", details.len());
    assert!(
        !details
            .iter()
            .any(|d| d.windows(15).any(|w| w == b"ana@cadeia.test")),
        "a company's audit details are sealed in the store"
    );
    let id = tamper(
        &data,
        "SELECT id FROM audit_events WHERE action = 'user.created' AND company_id IS NOT NULL
         ORDER BY id LIMIT 1",
    );
    assert!(!id.is_empty(), "an event names the person");
    tamper(
        &data,
        &format!(
            "UPDATE audit_events SET details = '{{\"email\":\"pseudonym-1\"}}', ip = NULL WHERE id = {id};
             UPDATE audit_chain SET personal_salt = NULL WHERE event_id = {id};"
        ),
    );
    let (ok, text) = verify(&data, &server.master_key, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("(1 anonymised)"), "{text}");
}

#[tokio::test]
async fn an_event_edited_deleted_or_inserted_is_named() {
    let (server, data) = store_with_events().await;
    let key = server.master_key.clone();
    let last: i64 = tamper(&data, "SELECT MAX(id) FROM audit_events")
        .parse()
        .unwrap();
    assert!(last >= 4, "a few events to tamper with: {last}");
    let cases = [
        (
            "UPDATE audit_events SET action = 'company.deleted' WHERE id = 2".to_string(),
            "broken at event 2 (edited)".to_string(),
        ),
        (
            "UPDATE audit_events SET details = '{\"note\":1}' WHERE id = 3".into(),
            "broken at event 3 (edited)".into(),
        ),
        (
            "DELETE FROM audit_events WHERE id = 3".into(),
            "broken at event 3 (deleted)".into(),
        ),
        (
            "INSERT INTO audit_events (at, actor_kind, action, details) VALUES (1, 'system', 'backup.succeeded', '{}')".into(),
            format!("broken at event {} (inserted)", last + 1),
        ),
    ];
    for (sql, expected) in cases {
        let (_dir, copy) = copy_of(&data);
        tamper(&copy, &sql);
        let (ok, text) = verify(&copy, &key, &[]);
        assert!(!ok, "{sql}: verify passed: {text}");
        assert!(
            text.contains(&expected),
            "{sql}: wanted {expected:?}: {text}"
        );
    }
}

#[tokio::test]
async fn a_backup_catches_a_chain_cut_short() {
    let (server, data) = store_with_events().await;
    let key = server.master_key.clone();
    let out = run_armario(&data, &key, &["backup", "now"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, text) = verify(&data, &key, &["--against", "latest"]);
    assert!(ok, "{text}");
    assert!(text.contains("matches backup"), "{text}");
    // Cut the chain's end off, links and all: the chain alone still verifies…
    let last: i64 = tamper(&data, "SELECT MAX(id) FROM audit_events")
        .parse()
        .unwrap();
    tamper(
        &data,
        &format!(
            "DELETE FROM audit_events WHERE id >= {0} - 1; DELETE FROM audit_chain WHERE event_id >= {0} - 1;",
            last
        ),
    );
    let (ok, text) = verify(&data, &key, &[]);
    assert!(ok, "{text}");
    // …but not against the backup's head.
    let (ok, text) = verify(&data, &key, &["--against", "latest"]);
    assert!(!ok, "{text}");
    assert!(text.contains("audit chain truncated"), "{text}");
}

#[tokio::test]
async fn readyz_shows_the_last_verification_without_failing() {
    let server = Server::start();
    let anon = server.anon();
    eventually(20, "the verification at start", || async {
        anon.get("/readyz").await.body["checks"]["audit_chain"] == "ok"
    })
    .await;
    let r = anon.get("/readyz").await;
    assert_eq!(r.body["audit_verification"]["ok"], true, "{}", r.text);
    let mut server = server;
    assert!(server.stop().success());
    tamper(
        &server.data_dir(),
        "UPDATE audit_events SET action = 'x' WHERE id = (SELECT MIN(id) FROM audit_events)",
    );
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let anon = server.anon();
    eventually(20, "the broken chain reported", || async {
        anon.get("/readyz").await.body["checks"]["audit_chain"] == "broken"
    })
    .await;
    let r = anon.get("/readyz").await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "degraded", "{}", r.text);
    assert!(
        r.body["audit_verification"]["broken_event_id"].is_i64(),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn events_stored_before_the_chain_are_chained_by_its_migration() {
    if crate::common::sqlite_only("a store from before the chain (a migration of older files)") {
        return;
    }
    let (server, data) = store_with_events().await;
    // Counted first: the test's connection brings a file it opens to the schema.
    let events = tamper(&data, "SELECT COUNT(*) FROM audit_events");
    // As the armario before the chain left it: no chain tables, schema version 21.
    tamper(
        &data,
        "DROP TABLE audit_verification; DROP TABLE audit_chain_anchor; DROP TABLE audit_chain;
         PRAGMA user_version = 21;",
    );
    let (ok, text) = verify(&data, &server.master_key, &[]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("intact: {events} events checked")),
        "{events}: {text}"
    );
}

#[tokio::test]
async fn the_owner_reads_the_last_verification_and_a_company_admin_may_not() {
    let server = Server::start();
    let owner = server.owner().await;
    eventually(20, "the verification at start", || async {
        owner.get("/api/v1/audit-integrity").await.body["status"] == "ok"
    })
    .await;
    let r = owner.get("/api/v1/audit-integrity").await;
    assert!(r.body["verified_at"].is_string(), "{}", r.text);
    assert!(r.body.get("broken_event_id").is_none(), "{}", r.text);
    let c = company(&owner, "Cadeia Admin Ltda", 42).await;
    user(&owner, &c, "admin@cadeia.test", "company_admin").await;
    let admin = server.login("admin@cadeia.test", PASSWORD).await;
    let r = admin.get("/api/v1/audit-integrity").await;
    assert_eq!(r.status, reqwest::StatusCode::FORBIDDEN, "{}", r.text);
}
