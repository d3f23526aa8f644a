//! Wrong passwords lock out only the address that sends them; failures from elsewhere merely
//! slow an account down. And the operator can recover an account from the server's console.

use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const OWNER: &str = "owner@armario.test";

async fn login_from(server: &Server, ip: &str, email: &str, password: &str) -> Resp {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", ip)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("request");
    Resp::read(resp).await
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let server = Server::start_with(&[("ARMARIO_TRUST_PROXY", "true")]);
    server.owner().await;
    for _ in 0..5 {
        let r = login_from(&server, "203.0.113.66", OWNER, "wrong-password-1").await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);
    }
    // The attacker's address must wait, even with the right password...
    let r = login_from(&server, "203.0.113.66", OWNER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
    // ...but the owner, from another address, only waits a bounded moment.
    let started = Instant::now();
    let r = login_from(&server, "198.51.100.7", OWNER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(started.elapsed() < Duration::from_secs(10));
    // Each further failure from yet other addresses still never shuts the owner out.
    for n in 0..6 {
        let r = login_from(&server, &format!("192.0.2.{n}"), OWNER, "wrong-password-2").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    }
    let r = login_from(&server, "198.51.100.7", OWNER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let server = Server::start_with(&[
        ("ARMARIO_TRUST_PROXY", "true"),
        ("ARMARIO_LOGIN_MAX_FAILURES_PER_IP", "4"),
    ]);
    server.owner().await;
    for n in 0..4 {
        let r = login_from(
            &server,
            "203.0.113.9",
            &format!("u{n}@x.test"),
            "nope-nope-1",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    }
    let r = login_from(&server, "203.0.113.9", "someone@x.test", "nope-nope-1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let r = login_from(&server, "203.0.113.10", OWNER, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_ins() {
    let server = Server::start();
    let owner = server.owner().await;
    let change = |current: &str| json!({"current_password": current, "new_password": "another-long-password"});
    for _ in 0..5 {
        let r = owner
            .post("/api/v1/auth/password", change("not-my-password"))
            .await;
        assert_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid",
            Some("current_password"),
        );
    }
    let r = owner.post("/api/v1/auth/password", change(PASSWORD)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn the_operator_sets_a_password_and_prints_a_one_time_sign_in_link() {
    let server = Server::spawn();
    let owner = server.owner().await;
    let company = company(&owner, "Recupera", 909).await;
    user(&owner, &company, "ana@recupera.test", "company_admin").await;
    let ana = server.login("ana@recupera.test", PASSWORD).await;
    let data = server.data_dir();

    let out = run_armario(
        &data,
        &server.master_key,
        &["admin", "set-password", "--email", "ANA@recupera.test"],
        "a-brand-new-password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        ana.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED,
        "her sessions are revoked"
    );
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "ana@recupera.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    server
        .login("ana@recupera.test", "a-brand-new-password")
        .await;
    let short = run_armario(
        &data,
        &server.master_key,
        &["admin", "set-password", "--email", "ana@recupera.test"],
        "short\n",
    );
    assert!(!short.status.success());
    let nobody = run_armario(
        &data,
        &server.master_key,
        &["admin", "set-password", "--email", "nobody@recupera.test"],
        "a-brand-new-password\n",
    );
    assert!(!nobody.status.success());

    let out = run_armario(
        &data,
        &server.master_key,
        &["admin", "login-link", "--email", OWNER],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(link.contains("/admin/link#token=arm_link_"), "{link}");
    let token = link.split("#token=").nth(1).unwrap().to_string();
    let logs = server.logs();
    assert!(!logs.contains(&token));
    let page = reqwest::get(server.url("/admin/link")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let r = server
        .anon()
        .post("/api/v1/auth/login-link", json!({"token": token}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["user"]["email"], OWNER);
    let linked = server.anon().with_token(r.body["token"].as_str().unwrap());
    assert_eq!(linked.get("/api/v1/auth/me").await.status, StatusCode::OK);
    // Single use.
    let r = server
        .anon()
        .post("/api/v1/auth/login-link", json!({"token": token}))
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);

    // Stored only as a digest, and audited as the operator.
    let hashes: Vec<Vec<u8>> = server.with_store(|db| {
        let mut stmt = db.prepare("SELECT token_hash FROM login_links").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    });
    let raw = hashes
        .iter()
        .filter(|h| h.windows(token.len()).any(|w| w == token.as_bytes()))
        .count();
    assert_eq!(raw, 0);
    for (action, actor) in [
        ("user.password_set", "operator"),
        ("auth.login_link_issued", "operator"),
        ("auth.login_link", "user"),
    ] {
        let events = audit_events(&owner, &format!("action={action}")).await;
        assert_eq!(events.len(), 1, "{action}: {events:?}");
        assert_eq!(events[0]["actor_kind"], actor, "{action}");
    }
}
