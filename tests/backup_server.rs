//! Backups wired into the server, the API and the CLI.

use std::process::{Command, Output};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

fn cli(server: &Server, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_armario"))
        .args(args)
        .arg("--data-dir")
        .arg(server.data_dir())
        .env("ARMARIO_MASTER_KEY", &server.master_key)
        .envs(server.store_env())
        .env_remove("ARMARIO_CONFIG")
        .output()
        .expect("run armario")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn owner_takes_a_backup_and_the_operator_restores_it() {
    let mut server = Server::spawn();
    let owner = server.owner().await;
    let before = company(&owner, "Antes do Backup", 41).await;

    // The scheduler takes a catch-up backup soon after start, since none exists yet.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let r = owner.get("/api/v1/backups").await;
        if r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["trigger"] == "scheduler")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no catch-up backup: {}",
            r.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    let r = owner.post_empty("/api/v1/backups").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "succeeded", "{}", r.body);
    assert!(r.body["size"].as_i64().unwrap() > 0);
    let r = owner.get("/api/v1/backups").await;
    assert!(r.body["last_good_at"].is_string());
    assert!(r.body["target"].as_str().unwrap().contains("backups"));
    let ready = server.anon().get("/readyz").await;
    assert!(
        ready.body["last_good_backup_age_secs"].as_i64().unwrap() < 60,
        "{}",
        ready.body
    );
    let r = owner
        .get("/api/v1/audit-events?action=backup.succeeded")
        .await;
    assert!(r.body["items"].as_array().unwrap().len() >= 2);
    // Each stored run is verified after it, in the background: the scheduler's and this one.
    let ids: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target_id"].as_str().unwrap().to_string())
        .collect();
    let verified = wait_for_verified(&owner, &ids).await;
    assert!(verified
        .iter()
        .all(|e| e["details"]["duration_ms"].is_i64()));
    assert!(
        verified.iter().all(|e| e["actor_kind"] == "system"),
        "{verified:?}"
    );

    // Only the owner may look or trigger.
    let admin_company = company(&owner, "Outra", 42).await;
    user(&owner, &admin_company, "adm@outra.test", "company_admin").await;
    let admin = server.login("adm@outra.test", PASSWORD).await;
    assert_eq!(
        admin.get("/api/v1/backups").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.post_empty("/api/v1/backups").await.status,
        StatusCode::FORBIDDEN
    );

    // The CLI takes one while the server runs, lists and verifies.
    let out = cli(&server, &["backup", "now"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("verified"), "{}", text(&out));
    let out = cli(&server, &["backup", "now", "--verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("verified: checksum"), "{}", text(&out));
    let out = cli(&server, &["backup", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).lines().filter(|l| l.contains("  ok")).count() >= 3,
        "{}",
        text(&out)
    );
    let out = cli(&server, &["backup", "verify", "latest"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("is good"));

    // Restore refuses while the server runs (on PostgreSQL: into a database that is not
    // empty), and changes nothing.
    let out = cli(&server, &["restore", "latest"]);
    assert!(!out.status.success());
    let refusal = match server.database_url() {
        Some(_) => "is not empty",
        None => "running",
    };
    assert!(text(&out).contains(refusal), "{}", text(&out));

    let after = company(&owner, "Depois do Backup", 43).await;
    assert!(server.stop().success());
    let replaced = server.use_an_empty_database();
    let out = cli(&server, &["restore", "latest"]);
    assert!(out.status.success(), "{}", text(&out));
    if replaced.is_none() {
        assert!(text(&out).contains("kept as"), "{}", text(&out));
    }

    let dir = server.take_dir();
    let key = server.master_key.clone();
    let server = Server::spawn_in(dir, &key, &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    assert_eq!(
        owner
            .get(&format!("/api/v1/companies/{before}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        owner
            .get(&format!("/api/v1/companies/{after}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = owner
        .get("/api/v1/audit-events?action=backup.restored")
        .await;
    assert_eq!(r.body["items"][0]["actor_kind"], "operator", "{}", r.body);
    // A company's people sign in by e-mail: the backup held no e-mail index, the start after
    // the restore worked each one out again.
    let admin = server.login("adm@outra.test", PASSWORD).await;
    assert_eq!(
        admin
            .get(&format!("/api/v1/companies/{admin_company}"))
            .await
            .status,
        StatusCode::OK
    );
}

/// Waits until every backup of `ids` has its `backup.verified` event; returns the events.
async fn wait_for_verified(owner: &Client, ids: &[String]) -> Vec<serde_json::Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let r = owner
            .get("/api/v1/audit-events?action=backup.verified&limit=100")
            .await;
        let events: Vec<serde_json::Value> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| ids.iter().any(|id| e["target_id"] == id.as_str()))
            .cloned()
            .collect();
        if events.len() == ids.len() {
            return events;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not every backup of {ids:?} was verified: {}",
            r.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_stored_backup_that_fails_its_verification_no_longer_counts_as_good() {
    let server = Server::spawn();
    let owner = server.owner().await;
    company(&owner, "Verificada Ltda", 44).await;
    // A run of the scheduler may be under way: then the answer is 409; wait and retry.
    let r = backup_when_free(&owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    wait_for_verified(&owner, std::slice::from_ref(&id)).await;

    // One byte of the stored object changes: the next verification finds it.
    let object = std::path::PathBuf::from(r.body["object_name"].as_str().unwrap());
    let mut bytes = std::fs::read(&object).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&object, bytes).unwrap();
    let out = cli(&server, &["backup", "verify", &id]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("SHA-256") || text(&out).contains("checksum"),
        "{}",
        text(&out)
    );

    let list = owner.get("/api/v1/backups").await;
    let run = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(run["status"], "failed", "{}", list.body);
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .starts_with("verification failed: "),
        "{run}"
    );
    let audit = owner
        .get("/api/v1/audit-events?action=backup.verification_failed")
        .await;
    let event = &audit.body["items"][0];
    assert_eq!(event["target_id"], id.as_str(), "{}", audit.body);
    assert_eq!(event["actor_kind"], "operator", "{}", audit.body);
}

#[tokio::test]
async fn an_unreachable_target_fails_the_run_and_records_why() {
    let server = Server::spawn_with(&[
        ("ARMARIO_BACKUP_TARGET", "s3"),
        ("ARMARIO_BACKUP_S3_ENDPOINT", "http://127.0.0.1:9"),
        ("ARMARIO_BACKUP_S3_REGION", "us-east-1"),
        ("ARMARIO_BACKUP_S3_BUCKET", "armario-test"),
        ("ARMARIO_BACKUP_S3_PATH_STYLE", "true"),
        ("ARMARIO_BACKUP_S3_ACCESS_KEY", "test"),
        ("ARMARIO_BACKUP_S3_SECRET_KEY", "test-secret-value"),
    ]);
    let owner = server.owner().await;
    // A run of the scheduler may be under way: 409 until it is done.
    let r = backup_when_free(&owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "failed");
    assert!(!r.body["error"].as_str().unwrap().is_empty());
    let list = owner.get("/api/v1/backups").await;
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "failed"),
        "{}",
        list.body
    );
    assert!(list.body.get("last_good_at").is_none());
    let ready = server.anon().get("/readyz").await;
    assert!(ready.body["last_good_backup_age_secs"].is_null());
    let audit = owner.get("/api/v1/audit-events?action=backup.failed").await;
    assert!(!audit.body["items"].as_array().unwrap().is_empty());
    assert!(server.logs().contains("backup failed"));
    assert!(
        !server.logs().contains("test-secret-value"),
        "the S3 secret never reaches the logs"
    );
    let _ = json!({});
}

/// A check of a PostgreSQL backup restores it into a scratch database it drops after; one left
/// by a check that stopped half-way (killed, the server gone) is dropped by a later check once
/// it is hours old, and a recent one, maybe another check's at work, is left alone.
#[tokio::test]
async fn a_stopped_checks_scratch_database_is_dropped_by_a_later_check() {
    let server = Server::spawn();
    if server.database_url().is_none() {
        eprintln!("not run on SQLite: a backup check's scratch database is PostgreSQL's own");
        return;
    }
    let owner = server.owner().await;
    let pg = crate::common::postgres::shared();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tag = random_hex(4);
    let stale = format!("armario_verify_{}_{tag}dead", now - 7 * 3600);
    let recent = format!("armario_verify_{}_{tag}f00d", now - 60);
    for name in [&stale, &recent] {
        pg.psql(&format!("CREATE DATABASE {name} OWNER armario"));
    }
    let r = backup_when_free(&owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    wait_for_verified(&owner, std::slice::from_ref(&id)).await;
    let left = pg.psql(&format!(
        "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE '%{tag}%'"
    ));
    pg.psql(&format!("DROP DATABASE IF EXISTS {recent}"));
    assert_eq!(left, recent, "the scratch databases left");
}
