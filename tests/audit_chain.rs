//! The audit log's hash chain: `armario audit verify` passes on an untouched store and after an
//! anonymisation, names the event edited, deleted or inserted with the sqlite3 CLI, and with
//! `--against` a backup catches a chain cut short; `/readyz` shows the server's verification.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

fn sqlite3(tool: &Path, db: &Path, sql: &str) -> String {
    let out = Command::new(tool)
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
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

/// Copies a data directory, so each tampering starts from the same untouched store.
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
    if crate::common::not_on_postgres_yet(
        "the audit chain tests (they edit the store with the sqlite3 tool and copy its file)",
    ) {
        return;
    }
    let Some(tool) = require_tool("sqlite3", "apt-get install sqlite3") else {
        return;
    };
    let (server, data) = store_with_events().await;
    let (ok, text) = verify(&data, &server.master_key, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    // Anonymise a person the way erasure does (db::audit_chain::forget_personal): the personal
    // fields replaced by a pseudonym, the salt of their commitment dropped.
    let db = data.join("armario.db");
    // The company's events hold their details sealed under its key: the file never shows the
    // address in clear.
    assert_eq!(
        sqlite3(
            &tool,
            &db,
            "SELECT count(*) FROM audit_events WHERE instr(CAST(details AS BLOB), CAST('ana@cadeia.test' AS BLOB)) > 0",
        ),
        "0",
        "a company's audit details are sealed in the file"
    );
    let id = sqlite3(
        &tool,
        &db,
        "SELECT id FROM audit_events WHERE action = 'user.created' AND typeof(details) = 'blob'
         ORDER BY id LIMIT 1",
    );
    assert!(!id.is_empty(), "an event names the person");
    sqlite3(
        &tool,
        &db,
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
    if crate::common::not_on_postgres_yet(
        "the audit chain tests (they edit the store with the sqlite3 tool and copy its file)",
    ) {
        return;
    }
    let Some(tool) = require_tool("sqlite3", "apt-get install sqlite3") else {
        return;
    };
    let (server, data) = store_with_events().await;
    let key = server.master_key.clone();
    let last: i64 = sqlite3(
        &tool,
        &data.join("armario.db"),
        "SELECT MAX(id) FROM audit_events",
    )
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
        sqlite3(&tool, &copy.join("armario.db"), &sql);
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
    if crate::common::not_on_postgres_yet(
        "the audit chain tests (they edit the store with the sqlite3 tool and copy its file)",
    ) {
        return;
    }
    let Some(tool) = require_tool("sqlite3", "apt-get install sqlite3") else {
        return;
    };
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
    let db = data.join("armario.db");
    let last: i64 = sqlite3(&tool, &db, "SELECT MAX(id) FROM audit_events")
        .parse()
        .unwrap();
    sqlite3(
        &tool,
        &db,
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
    if crate::common::not_on_postgres_yet(
        "the audit chain tests (they edit the store with the sqlite3 tool and copy its file)",
    ) {
        return;
    }
    let Some(tool) = require_tool("sqlite3", "apt-get install sqlite3") else {
        return;
    };
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
    sqlite3(
        &tool,
        &server.db_path(),
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
    if crate::common::not_on_postgres_yet(
        "the audit chain tests (they edit the store with the sqlite3 tool and copy its file)",
    ) {
        return;
    }
    let Some(tool) = require_tool("sqlite3", "apt-get install sqlite3") else {
        return;
    };
    let (server, data) = store_with_events().await;
    let db = data.join("armario.db");
    // As the armario before the chain left it: no chain tables, schema version 21.
    sqlite3(
        &tool,
        &db,
        "DROP TABLE audit_verification; DROP TABLE audit_chain_anchor; DROP TABLE audit_chain;
         PRAGMA user_version = 21;",
    );
    let events = sqlite3(&tool, &db, "SELECT COUNT(*) FROM audit_events");
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
