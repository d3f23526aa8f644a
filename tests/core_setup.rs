//! The first owner: the one-time setup link printed at start.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn setup_body(token: &str, email: &str) -> Value {
    json!({"token": token, "email": email, "name": "Dona", "password": PASSWORD})
}

async fn setup_needed(server: &Server) -> bool {
    let r = server.anon().get("/api/v1/setup").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["needed"].as_bool().expect("needed")
}

#[tokio::test]
async fn the_setup_link_creates_one_owner_and_only_once() {
    let server = Server::start();
    let anon = server.anon();
    let token = server.setup_token.clone().expect("setup link printed");
    assert!(token.starts_with("arm_setup_"), "{token}");
    assert!(setup_needed(&server).await);

    // Wrong tokens are refused and do not use the real one up.
    let forged = format!("arm_setup_{}", "A".repeat(43));
    for bad in [forged.as_str(), "", "not-a-token"] {
        let r = anon
            .post("/api/v1/setup", setup_body(bad, "owner@armario.test"))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    }
    assert!(setup_needed(&server).await);
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": "owner@armario.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    let r = anon
        .post("/api/v1/setup", setup_body(&token, "Owner@Armario.test"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["role"], "owner");
    assert_eq!(r.body["email"], "owner@armario.test");
    assert!(r.body.get("company_id").is_none(), "{}", r.text);
    let owner_id = r.body["id"].as_str().unwrap().to_string();
    assert!(!setup_needed(&server).await);

    // The token is single-use: a second owner cannot be made with it.
    let r = anon
        .post("/api/v1/setup", setup_body(&token, "intruso@armario.test"))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("token"));
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": "intruso@armario.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    let owner = server.login("owner@armario.test", PASSWORD).await;
    let me = owner.get("/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["user"]["id"], owner_id.as_str());
    assert_eq!(me.body["user"]["role"], "owner");

    let events = audit_events(&owner, "action=owner.created").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["target_id"], owner_id.as_str());
    assert_eq!(events[0]["actor_kind"], "anonymous");
    let details = events[0]["details"].to_string();
    assert!(
        !details.contains(PASSWORD) && !details.contains(&token),
        "{details}"
    );
}

#[tokio::test]
async fn an_expired_setup_token_is_refused_and_a_restart_issues_a_new_one() {
    let server = Server::start();
    let token = server.setup_token.clone().expect("setup link printed");
    // An hour passes: age the token where the server keeps it.
    let aged = server.with_store(|db| {
        db.execute("UPDATE setup_tokens SET expires_at = 1", [])
            .unwrap()
    });
    assert_eq!(aged, 1);

    let r = server
        .anon()
        .post("/api/v1/setup", setup_body(&token, "owner@armario.test"))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    assert!(
        r.body["message"].as_str().unwrap().contains("expired"),
        "{}",
        r.text
    );
    assert!(setup_needed(&server).await);

    let server = server.restart(&[]);
    let fresh = server.setup_token.clone().expect("a new setup link");
    assert_ne!(fresh, token);
    let r = server
        .anon()
        .post("/api/v1/setup", setup_body(&token, "owner@armario.test"))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    server.owner().await;
}
