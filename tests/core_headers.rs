//! Security headers and request ids on every kind of response: API answers and errors, the
//! spec, the docs, the web UI, health checks.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn header<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}: {:?}", r.headers))
        .to_str()
        .unwrap()
}

fn check_common(what: &str, r: &Resp) {
    let csp = header(r, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(r, "x-frame-options"), "DENY", "{what}");
    let referrer = header(r, "referrer-policy");
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer),
        "{what}: {referrer}"
    );
    let id = header(r, "x-request-id");
    assert!(!id.is_empty() && id.len() <= 64, "{what}: {id}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = Server::start();
    let owner = server.owner().await;
    let anon = server.anon();
    let no_redirect = Client {
        base: server.base.clone(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        token: None,
    };

    let api = [
        (&anon, Method::GET, "/api/v1/auth/me", None, 401),
        (&owner, Method::GET, "/api/v1/auth/me", None, 200),
        (&owner, Method::GET, "/api/v1/companies", None, 200),
        (
            &owner,
            Method::GET,
            "/api/v1/companies?limit=500",
            None,
            400,
        ),
        (
            &owner,
            Method::POST,
            "/api/v1/companies",
            Some(json!({"cnpj": "1"})),
            400,
        ),
        (&owner, Method::GET, "/api/v1/companies/cmp_nope", None, 404),
        (&owner, Method::DELETE, "/api/v1/companies", None, 405),
        (&anon, Method::GET, "/api/v1/no-such-route", None, 404),
        (&anon, Method::GET, "/api/v1/setup", None, 200),
        (
            &anon,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "a@b.test", "password": "x"})),
            401,
        ),
    ];
    for (c, method, path, body, status) in api {
        let what = format!("{method} {path}");
        let r = c.send(method, path, body).await;
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.text);
        check_common(&what, &r);
        assert_eq!(header(&r, "cache-control"), "no-store", "{what}");
        assert!(
            header(&r, "content-type").starts_with("application/json"),
            "{what}: answers in JSON"
        );
        if !r.status.is_success() {
            assert!(
                r.body["code"].is_string() && r.body["message"].is_string(),
                "{what}: {}",
                r.text
            );
        }
    }
    let r = owner
        .send_raw(
            Method::PUT,
            "/api/v1/companies/x/secrets/omie",
            "application/json",
            vec![b'x'; 300 * 1024],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    check_common("413", &r);

    // Outside /api/v1: the spec, the docs, the web UI, health checks.
    for (path, status) in [
        ("/api/openapi.json", 200),
        ("/api/docs", 200),
        ("/admin/", 200),
        ("/portal/", 200),
        ("/", 303),
        ("/static/no-such-file.js", 404),
        ("/healthz", 200),
        ("/readyz", 200),
    ] {
        let r = no_redirect.get(path).await;
        assert_eq!(r.status.as_u16(), status, "{path}: {}", r.text);
        check_common(path, &r);
        assert!(r.headers.contains_key("cache-control"), "{path}");
    }
    // The docs page may run its inline script, but still cannot be framed.
    let docs = anon.get("/api/docs").await;
    assert!(header(&docs, "content-type").starts_with("text/html"));
    let admin = anon.get("/admin/").await;
    assert!(!header(&admin, "content-security-policy").contains("unsafe-inline"));
    assert_eq!(
        header(&anon.get("/readyz").await, "cache-control"),
        "no-store"
    );
}

#[tokio::test]
async fn request_ids_are_echoed_logged_or_made_up() {
    let server = Server::spawn();
    let http = reqwest::Client::new();
    let get = |id: Option<String>| {
        let mut req = http.get(server.url("/api/v1/setup"));
        if let Some(id) = id {
            req = req.header("X-Request-Id", id);
        }
        req.send()
    };
    let given = format!("trace-{:016x}", rand::random::<u64>());
    let r = get(Some(given.clone())).await.unwrap();
    assert_eq!(r.headers()["x-request-id"], given.as_str());
    eventually(5, "the request id in the log", || async {
        server.logs().contains(&given)
    })
    .await;

    // Made up when absent, and when the given one is not safe to log.
    for bad in [
        None,
        Some("a b".to_string()),
        Some("x".repeat(65)),
        Some("<script>".into()),
    ] {
        let r = get(bad.clone()).await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(
            Some(&id) != bad.as_ref() && id.len() >= 16,
            "{bad:?} -> {id}"
        );
        assert!(
            id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "{id}"
        );
    }
    let a = get(None).await.unwrap().headers()["x-request-id"].clone();
    let b = get(None).await.unwrap().headers()["x-request-id"].clone();
    assert_ne!(a, b);
}

#[tokio::test]
async fn an_over_long_request_id_or_csrf_header_is_refused_by_name() {
    let server = Server::start();
    let http = reqwest::Client::new();
    for header in ["X-Request-Id", "X-CSRF-Token"] {
        let r = http
            .get(server.url("/api/v1/setup"))
            .header(header, "a".repeat(1025))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{header}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "invalid");
        assert_eq!(body["field"], header);
        let r = http
            .get(server.url("/api/v1/setup"))
            .header(header, "a".repeat(1024))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{header} at the limit");
    }
}
