//! Starting and stopping: health checks, refusing a database from a newer armario, refusing
//! a second server on the same data, and a clean stop on SIGTERM that keeps what was written.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let server = Server::spawn();
    let r = server.anon().get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, "ok");
    let r = server.anon().get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "ready");
    assert!(r.body["schema_version"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn sigterm_stops_cleanly_and_the_data_is_there_on_restart() {
    if crate::common::sqlite_only("the write-ahead log") {
        return;
    }
    let server = Server::spawn();
    let owner = server.owner().await;
    let id = company(&owner, "Persistente", 4040).await;
    user(&owner, &id, "fica@persistente.test", "company_admin").await;
    let r = owner
        .put(
            &format!("/api/v1/companies/{id}/secrets/asaas"),
            json!({"values": {"api_key": "persisted-api-key-1234"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let company_before = owner.get(&format!("/api/v1/companies/{id}")).await.body;
    let secrets_before = owner
        .get(&format!("/api/v1/companies/{id}/secrets"))
        .await
        .body;

    let mut server = server;
    let status = server.stop();
    assert!(status.success(), "exit status {status}");
    let logs = server.logs();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(logs.contains("the store is closed"), "{logs}");
    let wal = server.db_path().with_file_name("armario.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the WAL was not checkpointed at stop");

    let dir = server.take_dir();
    let server = Server::spawn_in(dir, &server.master_key.clone(), &[]);
    assert!(
        server.setup_token.is_none(),
        "an owner exists: no setup link"
    );
    let owner = server.login("owner@armario.test", PASSWORD).await;
    assert_eq!(
        owner.get(&format!("/api/v1/companies/{id}")).await.body,
        company_before
    );
    assert_eq!(
        owner
            .get(&format!("/api/v1/companies/{id}/secrets"))
            .await
            .body,
        secrets_before
    );
    server.login("fica@persistente.test", PASSWORD).await;
}

#[tokio::test]
async fn a_second_server_on_the_same_data_is_refused() {
    let server = Server::spawn();
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["serve", "--addr", "127.0.0.1:0"],
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("another armario server is running"),
        "{stderr}"
    );
    assert_eq!(server.anon().get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_database_from_a_newer_armario_is_refused() {
    if crate::common::sqlite_only("a newer SQLite file") {
        return;
    }
    let server = Server::spawn();
    server.owner().await;
    let mut server = server;
    assert!(server.stop().success());
    let db = rusqlite::Connection::open(server.db_path()).unwrap();
    let current: u32 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let newer = current + 1;
    db.pragma_update(None, "user_version", newer).unwrap();
    drop(db);

    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["serve", "--addr", "127.0.0.1:0"],
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "started on a newer database: {stderr}"
    );
    assert!(
        stderr.contains(&format!("schema version {newer}"))
            && stderr.contains("newer than this armario"),
        "{stderr}"
    );
    assert!(!stderr.contains("listening on"), "{stderr}");
    // Refusing it left it alone.
    let db = rusqlite::Connection::open(server.db_path()).unwrap();
    let after: u32 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, newer);
    let owners: i64 = db
        .query_row("SELECT COUNT(*) FROM users WHERE role = 'owner'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(owners, 1);
}

/// The live database holds every user's personal data: it, its WAL and its shared-memory file
/// are owner-only from the first start, and a database left wider (copied in with mode 0644)
/// is narrowed at the next start.
#[tokio::test]
async fn the_live_database_and_its_wal_are_owner_only() {
    if crate::common::sqlite_only("the database file and its WAL") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let mut server = Server::spawn();
    let owner = server.owner().await;
    company(&owner, "Privada", 5151).await;
    let db = server.data_dir().join("armario.db");
    assert_eq!(mode(&server.data_dir()), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&file), 0o600, "{} is not owner-only", file.display());
    }
    assert!(server.stop().success());

    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let again = Server::spawn_in(dir, &server.master_key, &[]);
    let r = again.anon().get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(mode(&again.data_dir().join("armario.db")), 0o600);
}

/// A supervisor may stop armario the moment it says it listens: the signal handlers are in
/// place by then, so SIGTERM is a clean stop (exit 0, store closed), not a kill by the signal.
#[tokio::test]
async fn sigterm_right_after_listening_is_a_clean_stop() {
    for _ in 0..10 {
        let mut server = Server::spawn();
        let status = server.stop();
        assert!(
            status.success(),
            "stopped with {status} right after listening:\n{}",
            server.logs()
        );
    }
}
