//! Browser sign-in: the session cookie's attributes, CSRF protection on cookie-authenticated
//! writes, and sign-in throttling that says nothing about whether an account exists.

use crate::common::*;
use reqwest::header::{HeaderValue, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A browser-like client: keeps cookies, sends no Authorization header.
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

fn set_cookie<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", r.headers))
}

fn attrs(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

async fn write_with(c: &Client, csrf: Option<&str>, body: Value) -> Resp {
    let mut req = c
        .http
        .request(Method::POST, format!("{}/api/v1/companies", c.base))
        .json(&body);
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", HeaderValue::from_str(t).unwrap());
    }
    let resp = req.send().await.unwrap();
    Resp::read(resp).await
}

#[tokio::test]
async fn cookie_sign_in_needs_the_csrf_header_for_writes() {
    let server = Server::start();
    let owner = server.owner().await;
    let web = browser(&server);
    let login = json!({"email": "owner@armario.test", "password": PASSWORD});
    let r = web.post("/api/v1/auth/login", login.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let session = attrs(set_cookie(&r, "armario_session"));
    for a in ["httponly", "samesite=strict", "path=/"] {
        assert!(session.contains(&a.to_string()), "{a} missing: {session:?}");
    }
    assert!(!session.contains(&"secure".to_string()), "{session:?}");
    let csrf_cookie = set_cookie(&r, "armario_csrf");
    assert!(attrs(csrf_cookie).contains(&"samesite=strict".to_string()));
    assert!(
        !attrs(csrf_cookie).contains(&"httponly".to_string()),
        "the page reads it"
    );
    let csrf = r.body["csrf_token"].as_str().unwrap().to_string();
    assert_eq!(
        csrf_cookie.split(';').next().unwrap(),
        format!("armario_csrf={csrf}")
    );

    // Reads need only the cookie.
    let r = web.get("/api/v1/auth/me").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["user"]["email"], "owner@armario.test");

    // Writes need the header, with this session's value.
    let other = owner.post("/api/v1/auth/login", login.clone()).await.body["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"legal_name": "Via Cookie", "cnpj": cnpj(5150)});
    for bad in [None, Some(""), Some("nope"), Some(other.as_str())] {
        let r = write_with(&web, bad, body.clone()).await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf", None);
    }
    assert!(all_pages(&owner, "/api/v1/companies").await.is_empty());
    let r = write_with(&web, Some(&csrf), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // A bearer token is not subject to CSRF: browsers never add one on their own.
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Via Bearer", "cnpj": cnpj(5151)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // Logout by cookie clears both cookies and ends the session.
    let r = web.post_empty("/api/v1/auth/logout").await;
    assert_error(&r, StatusCode::FORBIDDEN, "csrf", None);
    let resp = web
        .http
        .post(format!("{}/api/v1/auth/logout", web.base))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let cleared: Vec<&str> = resp
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(
        cleared.iter().all(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(
        web.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn cookies_are_secure_when_configured() {
    let server = Server::start_with(&[("ARMARIO_COOKIE_SECURE", "true")]);
    server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "owner@armario.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for name in ["armario_session", "armario_csrf"] {
        let a = attrs(set_cookie(&r, name));
        assert!(a.contains(&"secure".to_string()), "{name}: {a:?}");
    }
}

async fn attempt(server: &Server, email: &str, password: &str) -> Resp {
    server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": password}),
        )
        .await
}

fn retry_after(r: &Resp) -> u64 {
    let v = r.headers["retry-after"].to_str().unwrap();
    v.parse().unwrap_or_else(|_| panic!("Retry-After {v:?}"))
}

#[tokio::test]
async fn repeated_failures_are_throttled_alike_for_known_and_unknown_accounts() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Alvo", 61).await;
    user(&owner, &id, "alvo@alvo.test", "member").await;

    let mut answers = Vec::new();
    for email in ["alvo@alvo.test", "ninguem@alvo.test"] {
        let mut these = Vec::new();
        for n in 1..=5 {
            let r = attempt(&server, email, "wrong-password").await;
            assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);
            assert!(r.headers.get("retry-after").is_none(), "{email} #{n}");
            these.push(r.body.clone());
        }
        let r = attempt(&server, email, "wrong-password").await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
        let wait = retry_after(&r);
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
        these.push(json!(r.body["code"]));
        answers.push(these);
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers tell the accounts apart"
    );

    // Locked means locked, even with the right password, and case does not dodge it.
    let r = attempt(&server, "ALVO@alvo.test", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    // Other accounts are unaffected.
    server.login("owner@armario.test", PASSWORD).await;

    let failures = audit_events(&owner, "action=auth.login_failed").await;
    assert_eq!(failures.len(), 10, "{failures:?}");
    assert!(failures.iter().all(|e| e["actor_kind"] == "anonymous"));
    assert!(!failures
        .iter()
        .any(|e| e["details"].to_string().contains("wrong-password")));
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled() {
    let server = Server::start();
    server.owner().await;
    for n in 0..30 {
        let r = attempt(&server, &format!("tentativa{n}@x.test"), "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "#{n}: {}", r.text);
    }
    let r = attempt(&server, "mais-um@x.test", "wrong-password").await;
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    assert!(retry_after(&r) >= 1);
}
