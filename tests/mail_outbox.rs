//! E-mail through a real SMTP server on loopback (aiosmtpd, tests/mail/smtp_sink.py): the
//! password reset message, read as Python's e-mail parser reads it; messages queued while no
//! server is set, sent after a crash and a restart; an SMTP server that is down for a while;
//! dead letters seen by the owner, `/metrics` and `armario mail list`, and sent again with
//! `armario mail retry`. Skips when aiosmtpd is missing, fails instead under CI=true.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::smtp::{smtp_env, Sink};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn png_data_url() -> String {
    use base64::Engine;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(300, 7);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// A branded company with an admin, `ana@padaria.test`; returns the company id.
async fn branded_company(owner: &Client) -> String {
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Sao Joao Ltda", "cnpj": cnpj(4711),
                   "display_name": "Padaria São João", "primary_color": "#aa3300",
                   "logo_data_url": png_data_url()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let company = r.body["id"].as_str().unwrap().to_string();
    user(owner, &company, "ana@padaria.test", "company_admin").await;
    company
}

async fn ask_reset(server: &Server, email: &str) -> (Resp, Duration) {
    let started = Instant::now();
    let r = server
        .anon()
        .post("/api/v1/auth/password-reset", json!({ "email": email }))
        .await;
    (r, started.elapsed())
}

/// The token of the reset link in a message's text, and the link.
fn reset_link(message: &Value) -> (String, String) {
    let text = message["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/reset#token="))
        .unwrap_or_else(|| panic!("no reset link in {text}"))
        .to_string();
    let token = link.split("#token=").nth(1).unwrap().to_string();
    (link, token)
}

#[tokio::test]
async fn reset_message_is_branded_in_the_users_language_and_its_link_works_once() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    let company = branded_company(&owner).await;

    // Ana signs in with an English browser: her messages are in English from then on.
    let r = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("Accept-Language", "en-US,en;q=0.9")
        .json(&json!({"email": "ana@padaria.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let session: Value = r.json().await.unwrap();
    let old = owner.with_token(session["token"].as_str().unwrap());
    assert_eq!(old.get("/api/v1/auth/me").await.status, StatusCode::OK);

    let (known, t_known) = ask_reset(&server, "Ana@Padaria.test").await;
    let (unknown, t_unknown) = ask_reset(&server, "nobody@padaria.test").await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{}", known.text);
    assert_eq!(
        known.text, unknown.text,
        "the answer says nothing about the address"
    );
    for t in [t_known, t_unknown] {
        assert!(t >= Duration::from_millis(300), "answered in {t:?}");
    }

    let messages = sink.wait_for(1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        sink.messages().len(),
        1,
        "only the known address gets a message"
    );
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["ana@padaria.test"]));
    assert_eq!(m["mail_from"], "no-reply@plataforma.test");
    assert!(m["headers"]["Subject"]
        .as_str()
        .unwrap()
        .starts_with("Reset your password at Padaria São João"));
    let message_id = m["headers"]["Message-ID"].as_str().unwrap();
    assert!(message_id.ends_with("@plataforma.test>"), "{message_id}");
    assert_eq!(m["headers"]["Auto-Submitted"], "auto-generated");
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("Padaria São João") && html.contains("#aa3300"));
    assert!(html.contains("cid:logo@armario"));
    assert_eq!(m["inline"][0]["content_id"], "<logo@armario>");
    assert_eq!(m["inline"][0]["type"], "image/png");
    assert_eq!(m["inline"][0]["bytes"], 300);
    let (link, token) = reset_link(m);
    assert!(link.starts_with(&format!("{}/portal/reset#token=arm_reset_", server.base)));
    assert!(html.contains(&link), "the HTML carries the same link");
    // No secret but its own link: no password, session, key or master key.
    let raw = std::fs::read_dir(sink.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    for secret in [
        PASSWORD,
        session["token"].as_str().unwrap(),
        &server.master_key,
        "arm_sess_",
        "arm_live_",
    ] {
        assert!(!raw.contains(secret), "the message carries {secret}");
    }
    // The outbox keeps no body once sent.
    let (sealed_left,): (i64,) = server.with_store(|c| {
        c.query_row(
            "SELECT COUNT(*) FROM outbox WHERE sealed IS NOT NULL",
            [],
            |r| Ok((r.get(0)?,)),
        )
        .unwrap()
    });
    assert_eq!(sealed_left, 0);

    // A weak password is refused and the link still works; then it works once.
    let anon = server.anon();
    let weak = anon
        .post(
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_error(
        &weak,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("new_password"),
    );
    let ok = anon
        .post(
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text);
    assert_eq!(
        old.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED,
        "sessions end"
    );
    server
        .login("ana@padaria.test", "a-brand-new-password")
        .await;
    let again = anon
        .post(
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": "another-new-password"}),
        )
        .await;
    assert_error(&again, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let pt = reqwest::Client::new()
        .post(server.url("/api/v1/auth/password-reset/confirm"))
        .header("Accept-Language", "pt-BR")
        .json(&json!({"token": "arm_reset_nope", "new_password": "another-new-password"}))
        .send()
        .await
        .unwrap();
    let pt: Value = pt.json().await.unwrap();
    assert_eq!(pt["field"], "token");
    assert!(
        pt["message"]
            .as_str()
            .unwrap()
            .contains("peça um novo link"),
        "{pt}"
    );

    let events = audit_events(&owner, &format!("company_id={company}")).await;
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"auth.password_reset_requested"),
        "{actions:?}"
    );
    assert!(actions.contains(&"user.password_reset"), "{actions:?}");
}

#[tokio::test]
async fn portuguese_by_default_and_throttled_per_address() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    branded_company(&owner).await;
    for _ in 0..3 {
        let (r, _) = ask_reset(&server, "ana@padaria.test").await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    let (r, _) = ask_reset(&server, "ana@padaria.test").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get("retry-after").is_some());
    let messages = sink.wait_for(3);
    let m = &messages[0];
    assert!(m["headers"]["Subject"]
        .as_str()
        .unwrap()
        .starts_with("Redefinir sua senha em Padaria São João"));
    assert!(m["html"].as_str().unwrap().contains("lang=\"pt-BR\""));
    assert!(m["text"].as_str().unwrap().contains("30 minutos"));
    let ids: std::collections::HashSet<&str> = messages
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "each message has its own Message-ID");
    // The owner's link opens the dashboard's page.
    let r = server
        .anon()
        .post(
            "/api/v1/auth/password-reset",
            json!({"email": "owner@armario.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let (link, _) = reset_link(&sink.wait_for(4)[3]);
    assert!(
        link.starts_with(&format!("{}/admin/reset#token=", server.base)),
        "{link}"
    );
    let owner_html = sink.wait_for(4)[3]["html"].as_str().unwrap().to_string();
    assert!(
        !owner_html.contains("cid:"),
        "the platform's brand has no logo"
    );
}

async fn mail_status(owner: &Client) -> Value {
    let r = owner.get("/api/v1/overview").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["mail"].clone()
}

async fn metric(server: &Server, name: &str) -> i64 {
    let text = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn queued_without_smtp_and_sent_after_a_crash_and_restart() {
    let Some(sink) = Sink::start(0) else { return };
    // A real process, to be killed.
    let mut server = Server::spawn_with(&[]);
    let owner = server.owner().await;
    branded_company(&owner).await;
    let (r, _) = ask_reset(&server, "ana@padaria.test").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "nothing fails without SMTP");
    assert_eq!(
        mail_status(&owner).await,
        json!({"configured": false, "queued": 1, "dead": 0})
    );
    assert_eq!(metric(&server, "armario_mail_queued").await, 1);
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["mail", "list"],
        "",
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        listing.contains("1 queued, 0 dead-lettered (no SMTP server is set"),
        "{listing}"
    );
    assert!(
        listing.contains("password_reset") && listing.contains("ana@padaria.test"),
        "{listing}"
    );
    assert!(
        !listing.contains("arm_reset_"),
        "the listing shows no link: {listing}"
    );

    // Killed with the message waiting, started again with a server to send to.
    server.kill();
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &refs(&sink.env()));
    let m = sink.wait_for(1);
    assert_eq!(m[0]["rcpt_tos"], json!(["ana@padaria.test"]));
    let owner = server.login("owner@armario.test", PASSWORD).await;
    eventually(10, "the outbox to empty", || async {
        mail_status(&owner).await == json!({"configured": true, "queued": 0, "dead": 0})
    })
    .await;
    assert_eq!(metric(&server, "armario_mail_sent_total").await, 1);
}

#[tokio::test]
async fn smtp_down_retries_dead_letters_and_retry_sends_later() {
    // A port nobody listens on yet: the SMTP server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = smtp_env(port);
    env.push(("ARMARIO_SMTP_MAX_ATTEMPTS".into(), "2".into()));
    let server = Server::start_with(&refs(&env));
    let owner = server.owner().await;
    branded_company(&owner).await;
    let (r, _) = ask_reset(&server, "ana@padaria.test").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let (r, _) = ask_reset(&server, "owner@armario.test").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    eventually(15, "two dead letters", || async {
        mail_status(&owner).await["dead"] == 2
    })
    .await;
    assert_eq!(metric(&server, "armario_mail_dead").await, 2);
    assert!(metric(&server, "armario_mail_failed_attempts_total").await >= 4);
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["mail", "list", "--dead"],
        "",
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("0 queued, 2 dead-lettered"), "{listing}");
    assert!(listing.contains("last error:"), "{listing}");

    // The server comes up; the operator sends the dead letters again.
    let Some(sink) = Sink::start(port) else {
        return;
    };
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["mail", "retry"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 dead-lettered message(s) queued again")
    );
    let messages = sink.wait_for(2);
    let mut to: Vec<&str> = messages
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap())
        .collect();
    to.sort();
    assert_eq!(to, ["ana@padaria.test", "owner@armario.test"]);
    eventually(10, "the outbox to empty", || async {
        mail_status(&owner).await == json!({"configured": true, "queued": 0, "dead": 0})
    })
    .await;
    let events = audit_events(&owner, "action=mail.requeued").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor_kind"], "operator");
}

#[tokio::test]
async fn a_brief_outage_loses_nothing() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server::start_with(&refs(&smtp_env(port)));
    let owner = server.owner().await;
    branded_company(&owner).await;
    for email in ["ana@padaria.test", "owner@armario.test"] {
        let (r, _) = ask_reset(&server, email).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    eventually(10, "a failed attempt", || async {
        metric(&server, "armario_mail_failed_attempts_total").await >= 1
    })
    .await;
    let Some(sink) = Sink::start(port) else {
        return;
    };
    let messages = sink.wait_for(2);
    assert_eq!(messages.len(), 2);
    assert_eq!(mail_status(&owner).await["dead"], 0);
}

#[tokio::test]
async fn smtp_settings_are_checked_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_armario"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(tempfile::tempdir().unwrap().path().join("data"))
        .env("ARMARIO_MASTER_KEY", "11".repeat(32))
        .env("ARMARIO_SMTP_HOST", "smtp.example.com")
        .env("ARMARIO_SMTP_SECURITY", "plain")
        .env("ARMARIO_SMTP_FROM", "a@example.com")
        .env_remove("ARMARIO_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("smtp.security") && err.contains("loopback"),
        "{err}"
    );
}
