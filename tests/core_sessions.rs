//! Sessions end: on logout, on expiry, on a password change, when the company is suspended
//! and when the user is disabled or deleted.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn live(c: &Client) -> bool {
    let r = c.get("/api/v1/auth/me").await;
    match r.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => {
            assert_eq!(r.body["code"], "unauthorized", "{}", r.text);
            false
        }
        other => panic!("unexpected {other}: {}", r.text),
    }
}

async fn setup() -> (Server, Client, String) {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Sessões Ltda", 808).await;
    user(&owner, &id, "adm@sessoes.test", "company_admin").await;
    user(&owner, &id, "membro@sessoes.test", "member").await;
    (server, owner, id)
}

#[tokio::test]
async fn logout_ends_only_that_session() {
    let (server, _owner, _) = setup().await;
    let first = server.login("membro@sessoes.test", PASSWORD).await;
    let second = server.login("membro@sessoes.test", PASSWORD).await;
    assert_ne!(first.token, second.token);
    let r = first.post_empty("/api/v1/auth/logout").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!live(&first).await);
    assert!(live(&second).await);
    let r = first.post_empty("/api/v1/auth/logout").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    // Tokens that were never issued.
    let forged = format!("arm_sess_{}", "A".repeat(43));
    for token in [forged.as_str(), "arm_sess_", "", "Bearer"] {
        assert!(!live(&first.with_token(token)).await, "{token:?}");
    }
}

#[tokio::test]
async fn a_session_expires_after_its_ttl() {
    let server = Server::start_with(&[("ARMARIO_SESSION_TTL_SECS", "1")]);
    let owner = server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "owner@armario.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    let ttl = expires - chrono::Utc::now();
    assert!(ttl <= chrono::Duration::seconds(1), "expires in {ttl}");
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("Max-Age=1") || cookie.contains("Max-Age=0"),
        "{cookie}"
    );
    let session = owner.with_token(r.body["token"].as_str().unwrap());
    eventually(10, "the session to expire", || async {
        !live(&session).await
    })
    .await;
    eventually(10, "the first session to expire", || async {
        !live(&owner).await
    })
    .await;
}

#[tokio::test]
async fn changing_the_password_ends_every_session_of_the_account() {
    let (server, _owner, _) = setup().await;
    let here = server.login("adm@sessoes.test", PASSWORD).await;
    let elsewhere = server.login("adm@sessoes.test", PASSWORD).await;
    let other_user = server.login("membro@sessoes.test", PASSWORD).await;

    let r = here
        .post(
            "/api/v1/auth/password",
            json!({"current_password": "wrong-password", "new_password": "a-new-password-1"}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("current_password"),
    );
    let r = here
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("new_password"));
    assert!(live(&here).await && live(&elsewhere).await);

    let r = here
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "a-new-password-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!live(&here).await);
    assert!(!live(&elsewhere).await);
    assert!(live(&other_user).await);
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "adm@sessoes.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let again = server.login("adm@sessoes.test", "a-new-password-1").await;
    assert!(live(&again).await);
}

#[tokio::test]
async fn suspending_the_company_ends_its_sessions_only() {
    let (server, owner, id) = setup().await;
    let other = company(&owner, "Outra", 809).await;
    user(&owner, &other, "fulano@outra.test", "member").await;
    let admin = server.login("adm@sessoes.test", PASSWORD).await;
    let member = server.login("membro@sessoes.test", PASSWORD).await;
    let bystander = server.login("fulano@outra.test", PASSWORD).await;

    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/suspend"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!live(&admin).await);
    assert!(!live(&member).await);
    assert!(live(&bystander).await);
    assert!(live(&owner).await);
    // Reactivating does not bring the old sessions back.
    owner
        .post_empty(&format!("/api/v1/companies/{id}/reactivate"))
        .await;
    assert!(!live(&admin).await);

    let member = server.login("membro@sessoes.test", PASSWORD).await;
    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/cancel"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!live(&member).await);
}

#[tokio::test]
async fn disabling_resetting_or_deleting_a_user_ends_their_sessions() {
    let (server, owner, id) = setup().await;
    let admin = server.login("adm@sessoes.test", PASSWORD).await;
    let member = server.login("membro@sessoes.test", PASSWORD).await;
    let member_id = member.get("/api/v1/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/companies/{id}/users/{member_id}");

    let r = admin.post_empty(&format!("{path}/disable")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!live(&member).await);
    assert!(live(&admin).await);
    admin.post_empty(&format!("{path}/enable")).await;
    assert!(
        !live(&member).await,
        "enabling does not revive old sessions"
    );

    let member = server.login("membro@sessoes.test", PASSWORD).await;
    let r = admin
        .post(
            &format!("{path}/password"),
            json!({"password": "reset-by-admin"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!live(&member).await);

    let member = server.login("membro@sessoes.test", "reset-by-admin").await;
    let r = owner.delete(&path).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!live(&member).await);
    assert!(live(&admin).await);
}
