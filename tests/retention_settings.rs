//! Retention set by the owner: the floor for sign-in records, audit at least as long, the
//! audit of a change, and the daily prune using the stored values. Also: sign-in records
//! younger than six months outlive a prune of older audit events by default, and a
//! data-subject request past its 15 days shows as overdue in the owner's queue.

use crate::common::*;
use armario::domain::audit::{Actor, AuditCtx, NewAuditEvent};
use reqwest::StatusCode;
use serde_json::json;

const DAY_MS: i64 = 86_400_000;

fn valid() -> serde_json::Value {
    json!({"audit_days": 400, "signin_days": 200, "usage_days": 90, "sessions_days": 7})
}

#[tokio::test]
async fn the_owner_sets_retention_above_the_floor_and_it_is_audited() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = owner.get("/api/v1/settings/retention").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["signin_days"], 183);
    assert_eq!(r.body["audit_days"], 1825);
    assert_eq!(r.body["signin_min_days"], 183);
    assert_eq!(r.body["backup_days"], 30);
    assert!(r.body.get("updated_at").is_none(), "{}", r.body);

    let path = "/api/v1/settings/retention";
    let mut low = valid();
    low["signin_days"] = json!(30);
    assert_error(
        &owner.put(path, low).await,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("signin_days"),
    );
    let mut short_audit = valid();
    short_audit["audit_days"] = json!(190);
    assert_error(
        &owner.put(path, short_audit).await,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("audit_days"),
    );
    let mut huge = valid();
    huge["sessions_days"] = json!(100_000);
    assert_error(
        &owner.put(path, huge).await,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("sessions_days"),
    );
    assert!(audit_events(&owner, "action=retention.changed")
        .await
        .is_empty());
    assert_eq!(
        owner.get(path).await.body["signin_days"],
        183,
        "a refusal changes nothing"
    );

    let company = company(&owner, "Padaria Alfa", 4401).await;
    user(&owner, &company, "admin@alfa.test", "company_admin").await;
    let admin = server.login("admin@alfa.test", PASSWORD).await;
    assert_eq!(admin.get(path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.put(path, valid()).await.status, StatusCode::FORBIDDEN);

    let r = owner.put(path, valid()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.get(path).await;
    assert_eq!(r.body["signin_days"], 200);
    assert_eq!(r.body["sessions_days"], 7);
    assert!(r.body["updated_at"].is_string());
    let events = audit_events(&owner, "action=retention.changed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["details"]["from"]["signin_days"], 183);
    assert_eq!(events[0]["details"]["to"]["signin_days"], 200);
}

#[tokio::test]
async fn the_prune_uses_the_stored_retention() {
    let mut server = Server::start();
    let owner = server.owner().await;
    let mut one_day = valid();
    one_day["sessions_days"] = json!(1);
    let r = owner.put("/api/v1/settings/retention", one_day).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    drop(owner);
    assert!(server.stop().success());
    // A session that ended three days ago: kept by the default 30 days, not by the stored 1.
    let ended = armario::clock::now_ms() - 3 * DAY_MS;
    server.insert_ended_session("ses_ended", ended, &[10, 11]);
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    eventually(10, "the prune at start", || async {
        !audit_events(&owner, "action=retention.pruned")
            .await
            .is_empty()
    })
    .await;
    let events = audit_events(&owner, "action=retention.pruned").await;
    assert_eq!(events[0]["details"]["sessions"], 1, "{events:?}");
}

#[tokio::test]
async fn sign_ins_younger_than_six_months_outlive_a_prune_of_older_audit_events() {
    let (dir, now) = store_of_past_events();
    // Audit events kept 200 days; sign-in records by default (183 days).
    let server = Server::start_in(
        dir,
        &"5e77196f".repeat(8),
        &[("ARMARIO_RETENTION_AUDIT_DAYS", "200")],
    );
    let owner = server.owner().await;
    eventually(10, "the prune at start", || async {
        !audit_events(&owner, "action=retention.pruned")
            .await
            .is_empty()
    })
    .await;
    let pruned = &audit_events(&owner, "action=retention.pruned").await[0]["details"];
    assert_eq!(pruned["audit_events"], 2, "{pruned}");
    assert_eq!(pruned["signin_records"], 1, "{pruned}");
    let logins = audit_events(&owner, "action=auth.login").await;
    let old: Vec<_> = logins
        .iter()
        .filter(|e| e["ip"] == "203.0.113.45")
        .collect();
    assert_eq!(
        old.len(),
        1,
        "the sign-in of 100 days ago stays with its IP: {logins:?}"
    );
    let at = chrono::DateTime::parse_from_rfc3339(old[0]["at"].as_str().unwrap()).unwrap();
    assert!(now - at.timestamp_millis() > 99 * DAY_MS);
    assert!(audit_events(&owner, "action=company.updated").await.len() == 1);
    let r = owner.get("/api/v1/audit-integrity").await;
    assert_ne!(r.body["status"], "broken", "{}", r.body);
}

#[tokio::test]
async fn a_request_past_its_fifteen_days_is_overdue_in_the_owner_queue() {
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, "Padaria Beta", 4402).await;
    user(&owner, &company, "membro@beta.test", "member").await;
    let member = server.login("membro@beta.test", PASSWORD).await;
    let r = member
        .post(
            &format!("/api/v1/companies/{company}/privacy-requests"),
            json!({"kind": "access", "details": "Quero meus dados"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert!(all_pages(&owner, "/api/v1/privacy-requests?overdue=true")
        .await
        .is_empty());
    drop((owner, member));
    // Sixteen days pass: the request was filed 16 days ago, so it was due yesterday.
    let filed = armario::clock::now_ms() - 16 * DAY_MS;
    let mut server = server;
    assert!(server.stop().success());
    let n = server.with_store(|db| {
        db.execute(
            "UPDATE privacy_requests SET created_at = ?1, updated_at = ?1, due_at = ?2 WHERE id = ?3",
            rusqlite::params![filed, filed + 15 * DAY_MS, id],
        )
        .unwrap()
    });
    assert_eq!(n, 1);
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let overdue = all_pages(&owner, "/api/v1/privacy-requests?overdue=true").await;
    assert_eq!(ids(&overdue), vec![id.clone()]);
    assert_eq!(overdue[0]["overdue"], true);
    let queue = all_pages(&owner, "/api/v1/privacy-requests?status=open").await;
    assert_eq!(queue[0]["overdue"], true);
}

/// A store written before the server starts: events of the past, chained as armario writes
/// them, oldest first. Answers its directory and when it was written.
fn store_of_past_events() -> (tempfile::TempDir, i64) {
    let dir = new_store_dir();
    let now = armario::clock::now_ms();
    with_store_in(&dir, |db| {
        let ctx = AuditCtx {
            actor: Actor::Anonymous,
            ip: Some("203.0.113.45".into()),
        };
        for (action, days) in [
            ("auth.login", 300),
            ("company.updated", 250),
            ("auth.login", 100),
            ("company.updated", 90),
        ] {
            let e = NewAuditEvent::new(action).details(json!({"email": "velho@x.test"}));
            armario::db::audit::insert(db, &ctx, &e, now - days * DAY_MS).unwrap();
        }
    });
    (dir, now)
}

#[tokio::test]
async fn a_broken_chain_keeps_every_audit_event_through_the_prune_at_start() {
    let (dir, _) = store_of_past_events();
    with_store_in(&dir, |db| {
        db.execute(
            "UPDATE audit_events SET action = 'auth.logout' WHERE id = (SELECT MAX(id) FROM audit_events)",
            [],
        )
        .unwrap()
    });
    let server = Server::spawn_in(
        dir,
        &"5e77196f".repeat(8),
        &[("ARMARIO_RETENTION_AUDIT_DAYS", "200")],
    );
    let anon = server.anon();
    eventually(20, "the broken chain reported", || async {
        anon.get("/readyz").await.body["checks"]["audit_chain"] == "broken"
    })
    .await;
    // The prune at start follows the check and is told what it found.
    eventually(20, "the prune at start", || async {
        server.logs().contains("audit events are not pruned")
    })
    .await;
    let owner = server.owner().await;
    let old: Vec<_> = audit_events(&owner, "")
        .await
        .into_iter()
        .filter(|e| e["ip"] == "203.0.113.45")
        .collect();
    assert_eq!(old.len(), 4, "{old:?}");
    assert!(audit_events(&owner, "action=retention.pruned")
        .await
        .is_empty());
}
