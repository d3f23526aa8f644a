//! Magic-link sign-in through a real SMTP server on loopback (aiosmtpd): the message in the
//! user's language and brand, carrying no secret but its link; the link signs in only the
//! browser (cookie jar) that asked for it, once, within 15 minutes; a try from another browser
//! leaves it working in the right one; the per-company switch, unknown addresses and the owner
//! get the same answer and no message; requests are throttled.
use std::time::{Duration, Instant};

use crate::common::smtp::Sink;
use crate::common::*;
use reqwest::header::SET_COOKIE;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A browser: its own cookie jar, no Authorization header.
fn browser(server: &Server) -> Client {
    Client {
        base: server.base.clone(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap(),
        token: None,
    }
}

/// A company named "Padaria São João" (colour #aa3300) with an admin `ana@padaria.test` and a
/// member `bia@padaria.test`; returns the company id.
async fn bakery(owner: &Client) -> String {
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Sao Joao Ltda", "cnpj": cnpj(5811),
                   "display_name": "Padaria São João", "primary_color": "#aa3300"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let company = r.body["id"].as_str().unwrap().to_string();
    user(owner, &company, "ana@padaria.test", "company_admin").await;
    user(owner, &company, "bia@padaria.test", "member").await;
    company
}

async fn switch(client: &Client, company: &str, on: bool) -> Resp {
    client
        .patch(
            &format!("/api/v1/companies/{company}"),
            json!({ "magic_link_sign_in": on }),
        )
        .await
}

/// Asks for a link from `browser` in `lang`; the answer and how long it took.
async fn ask(browser: &Client, email: &str, lang: &str) -> (Resp, Duration) {
    let started = Instant::now();
    let r = browser
        .http
        .post(format!("{}/api/v1/auth/magic-link", browser.base))
        .header("Accept-Language", lang)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    (Resp::read(r).await, started.elapsed())
}

async fn redeem(browser: &Client, token: &str) -> Resp {
    browser
        .post("/api/v1/auth/magic-link/redeem", json!({ "token": token }))
        .await
}

/// The link in a message's text, and its token.
fn magic_link(message: &Value) -> (String, String) {
    let text = message["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/magic#token="))
        .unwrap_or_else(|| panic!("no magic link in {text}"))
        .to_string();
    let token = link.split("#token=").nth(1).unwrap().to_string();
    (link, token)
}

fn set_cookie(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn raw_messages(sink: &Sink) -> Vec<String> {
    std::fs::read_dir(sink.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[tokio::test]
async fn a_link_signs_in_only_the_browser_that_asked_and_only_once() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    let company = bakery(&owner).await;
    let admin = server.login("ana@padaria.test", PASSWORD).await;
    let r = switch(&admin, &company, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["magic_link_sign_in"], true);

    // Ana signs in once with an English browser: her messages are in English from then on.
    let r = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("Accept-Language", "en-US,en;q=0.9")
        .json(&json!({"email": "ana@padaria.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let session: Value = r.json().await.unwrap();
    let session_token = session["token"].as_str().unwrap().to_string();

    let asking = browser(&server);
    let (known, t_known) = ask(&asking, "Ana@Padaria.test", "en").await;
    let (unknown, t_unknown) = ask(&browser(&server), "nobody@padaria.test", "en").await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{}", known.text);
    assert_eq!(known.text, unknown.text, "the answer says nothing");
    assert!(known.body["message"]
        .as_str()
        .unwrap()
        .contains("same browser"));
    for t in [t_known, t_unknown] {
        assert!(t >= Duration::from_millis(300), "answered in {t:?}");
    }
    let cookie = set_cookie(&known, "armario_magic").expect("the browser nonce cookie");
    let lower = cookie.to_ascii_lowercase();
    assert!(
        lower.contains("httponly") && lower.contains("samesite=strict"),
        "{cookie}"
    );
    assert!(lower.contains("path=/api/v1/auth/magic-link"), "{cookie}");
    let nonce = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("armario_magic=")
        .to_string();
    assert!(nonce.starts_with("arm_mnonce_"), "{nonce}");

    let messages = sink.wait_for(1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        sink.messages().len(),
        1,
        "only the known address gets a message"
    );
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["ana@padaria.test"]));
    assert!(m["headers"]["Subject"]
        .as_str()
        .unwrap()
        .starts_with("Your link to sign in to Padaria São João"));
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("lang=\"en\"") && html.contains("#aa3300"));
    assert!(m["text"].as_str().unwrap().contains("15 minutes"));
    let (link, token) = magic_link(m);
    assert!(
        link.starts_with(&format!("{}/portal/magic#token=arm_magic_", server.base)),
        "{link}"
    );
    assert!(html.contains(&link));
    let raw = raw_messages(&sink).pop().unwrap();
    for secret in [
        PASSWORD,
        session_token.as_str(),
        server.master_key.as_str(),
        nonce.as_str(),
        "arm_mnonce_",
        "arm_sess_",
        "arm_live_",
        "arm_reset_",
    ] {
        assert!(!raw.contains(secret), "the message carries {secret}");
    }

    // Another browser: no nonce at all, or a nonce of its own. Refused, and nothing changes.
    let stranger = browser(&server);
    let r = redeem(&stranger, &token).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    assert!(set_cookie(&r, "armario_session").is_none());
    let other = browser(&server);
    let (r, _) = ask(&other, "bia@padaria.test", "en").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let r = redeem(&other, &token).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let r = redeem(&asking, "arm_magic_nope").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));

    // The browser that asked signs in, and its cookies hold the session.
    let r = redeem(&asking, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["user"]["email"], "ana@padaria.test");
    assert!(r.body["token"].as_str().unwrap().starts_with("arm_sess_"));
    assert!(set_cookie(&r, "armario_session").is_some());
    let cleared = set_cookie(&r, "armario_magic").expect("the nonce cookie is cleared");
    assert!(cleared.starts_with("armario_magic=;"), "{cleared}");
    let me = asking.get("/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["user"]["email"], "ana@padaria.test");

    // Once only, even in the right browser (which now sends its CSRF token, as pages do).
    let csrf = r.body["csrf_token"].as_str().unwrap().to_string();
    let r = asking
        .http
        .post(format!("{}/api/v1/auth/magic-link/redeem", server.base))
        .header("X-CSRF-Token", csrf)
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    let r = Resp::read(r).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));

    let events = audit_events(&owner, &format!("company_id={company}")).await;
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for action in [
        "auth.magic_link_requested",
        "auth.magic_link",
        "auth.magic_link_failed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let failed = audit_events(&owner, "action=auth.magic_link_failed").await;
    let reasons: Vec<&str> = failed
        .iter()
        .filter_map(|e| e["details"]["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"other_browser"), "{reasons:?}");
    assert!(reasons.contains(&"unknown_or_expired"), "{reasons:?}");
    let details = serde_json::to_string(&events).unwrap();
    assert!(!details.contains(&token) && !details.contains(&nonce));
}

#[tokio::test]
async fn an_expired_link_is_refused_in_portuguese_by_default() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    let company = bakery(&owner).await;
    let r = switch(&owner, &company, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let asking = browser(&server);
    let (r, _) = ask(&asking, "bia@padaria.test", "pt-BR").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("neste mesmo navegador"));
    let m = &sink.wait_for(1)[0];
    assert!(m["headers"]["Subject"]
        .as_str()
        .unwrap()
        .starts_with("Seu link para entrar em Padaria São João"));
    assert!(m["html"].as_str().unwrap().contains("lang=\"pt-BR\""));
    assert!(m["text"].as_str().unwrap().contains("15 minutos"));
    let (_, token) = magic_link(m);

    // Sixteen minutes pass: age the link where the server keeps it.
    let aged = server.with_store(|db| {
        db.execute("UPDATE magic_links SET expires_at = 1", [])
            .unwrap()
    });
    assert_eq!(aged, 1);
    let r = asking
        .http
        .post(format!("{}/api/v1/auth/magic-link/redeem", server.base))
        .header("Accept-Language", "pt-BR")
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    let r = Resp::read(r).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("outro navegador"),
        "{}",
        r.text
    );
    assert_eq!(
        asking.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn switched_off_unknown_and_owner_get_the_same_answer_and_no_message() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    let company = bakery(&owner).await;
    let read = owner.get(&format!("/api/v1/companies/{company}")).await;
    assert_eq!(read.body["magic_link_sign_in"], false, "off by default");

    let (off, _) = ask(&browser(&server), "ana@padaria.test", "en").await;
    let (nobody, _) = ask(&browser(&server), "nobody@padaria.test", "en").await;
    let (platform, _) = ask(&browser(&server), "owner@armario.test", "en").await;
    for r in [&off, &nobody, &platform] {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        assert_eq!(r.text, off.text);
    }

    // A member may not switch it on; the company's admin may, audited.
    let member = server.login("bia@padaria.test", PASSWORD).await;
    let r = switch(&member, &company, true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let admin = server.login("ana@padaria.test", PASSWORD).await;
    let r = switch(&admin, &company, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = admin
        .patch(
            &format!("/api/v1/companies/{company}"),
            json!({ "magic_link_sign_in": "yes" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let updates = audit_events(&owner, "action=company.updated").await;
    assert_eq!(
        updates[0]["details"]["fields"],
        json!(["magic_link_sign_in"])
    );

    let asking = browser(&server);
    let (on, _) = ask(&asking, "ana@padaria.test", "en").await;
    assert_eq!(on.text, off.text);
    let messages = sink.wait_for(1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.messages().len(), 1, "{messages:?}");
    assert_eq!(messages[0]["rcpt_tos"], json!(["ana@padaria.test"]));

    // Switched off again, a link already sent stops working, even in the right browser.
    let (_, token) = magic_link(&messages[0]);
    let r = switch(&owner, &company, false).await;
    assert_eq!(r.body["magic_link_sign_in"], false);
    let r = redeem(&asking, &token).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let requested = audit_events(&owner, "action=auth.magic_link_requested").await;
    assert_eq!(requested.len(), 4, "every request is audited");
    let failed = audit_events(&owner, "action=auth.magic_link_failed").await;
    assert_eq!(failed[0]["details"]["reason"], "not_allowed");
}

#[tokio::test]
async fn requests_are_throttled_per_address() {
    let server = Server::start();
    let owner = server.owner().await;
    bakery(&owner).await;
    let b = browser(&server);
    for _ in 0..3 {
        let (r, _) = ask(&b, "ana@padaria.test", "en").await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    }
    let (r, _) = ask(&b, "ana@padaria.test", "en").await;
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    assert!(r.headers.get("retry-after").is_some());
    let r = b
        .post(
            "/api/v1/auth/magic-link",
            json!({ "email": "not an address" }),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("email"));
}
