//! Input that used to get through: invisible names, odd e-mails, logos that are not the image
//! they claim, unknown or out-of-range fields, empty and no-op PATCHes, long audit periods,
//! hand-made cursors and control characters in searches. Each is a 400 naming its field, and
//! changes nothing.

use crate::common::*;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn data_url(mime: &str, bytes: &[u8]) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:{mime};base64,{data}")
}

/// Sends `body` and asserts a 400 naming `field`.
async fn refused(client: &Client, method: Method, path: &str, body: Value, field: &str) -> Resp {
    let r = client.send(method.clone(), path, Some(body.clone())).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "{method} {path} {body}: {}",
        r.text
    );
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
    r
}

async fn count(owner: &Client, action: &str) -> usize {
    audit_events(owner, &format!("action={action}")).await.len()
}

#[tokio::test]
async fn invisible_names_odd_emails_and_false_logos_are_refused() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Sistemas", 11).await;
    let users = format!("/api/v1/companies/{a}/users");
    let path = format!("/api/v1/companies/{a}");
    let companies_before = all_pages(&owner, "/api/v1/companies").await;

    for name in [
        "\u{202E}",
        "\u{200B}",
        "\u{FEFF}",
        " \u{200B}\u{FEFF} ",
        "Alfa\u{202E}txt.exe",
    ] {
        refused(
            &owner,
            Method::POST,
            "/api/v1/companies",
            json!({"legal_name": name, "cnpj": cnpj(12)}),
            "legal_name",
        )
        .await;
        refused(
            &owner,
            Method::PATCH,
            &path,
            json!({"trade_name": name}),
            "trade_name",
        )
        .await;
        refused(
            &owner,
            Method::POST,
            &users,
            json!({"email": "n@alfa.test", "name": name, "role": "member", "password": PASSWORD}),
            "name",
        )
        .await;
    }
    for email in [
        "<script>@x.com",
        "a@b..com",
        "\"a b\"@x.com",
        "a@[127.0.0.1]",
        "a@-x.com",
    ] {
        refused(
            &owner,
            Method::POST,
            &users,
            json!({"email": email, "name": "N", "role": "member", "password": PASSWORD}),
            "email",
        )
        .await;
        refused(
            &owner,
            Method::PATCH,
            &path,
            json!({"contact_email": email}),
            "contact_email",
        )
        .await;
    }
    let html = b"<!doctype html><script>alert(document.cookie)</script>";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
    for logo in [
        data_url("image/png", html),
        data_url("image/png", svg),
        data_url("image/svg+xml", svg),
        data_url("image/png", &jpeg),
    ] {
        let r = refused(
            &owner,
            Method::PATCH,
            &path,
            json!({"logo_data_url": logo}),
            "logo_data_url",
        )
        .await;
        assert!(!r.text.contains("<script"), "{}", r.text);
    }
    assert_eq!(
        all_pages(&owner, "/api/v1/companies").await,
        companies_before
    );
    assert_eq!(all_pages(&owner, &users).await.len(), 0);

    // What a person would type still works.
    let r = owner
        .post(&users, json!({"email": "Ana.Maria+erp@alfa.com.br", "name": "Zoë São João", "role": "member", "password": PASSWORD}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let png = data_url("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let r = owner
        .patch(&path, json!({"logo_data_url": png, "trade_name": "Alfa"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn unknown_fields_empty_and_no_op_patches() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Sistemas", 21).await;
    let b = company(&owner, "Beta Sistemas", 22).await;
    let ana = user(&owner, &a, "ana@alfa.test", "company_admin").await;
    let path = format!("/api/v1/companies/{a}");
    let user_path = format!("/api/v1/companies/{a}/users/{ana}");
    let updated = count(&owner, "company.updated").await;

    let r = refused(
        &owner,
        Method::PATCH,
        &path,
        json!({"unknown_field": 1}),
        "unknown_field",
    )
    .await;
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("unknown_field"),
        "{}",
        r.text
    );
    refused(
        &owner,
        Method::PATCH,
        &path,
        json!({"company_id": b}),
        "company_id",
    )
    .await;
    refused(
        &owner,
        Method::PATCH,
        &path,
        json!({"trade_name": "X", "tradename": "Y"}),
        "tradename",
    )
    .await;
    refused(
        &owner,
        Method::PATCH,
        &user_path,
        json!({"company_id": b}),
        "company_id",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        "/api/v1/companies",
        json!({"legal_name": "Gama", "cnpj": cnpj(23), "status": "active"}),
        "status",
    )
    .await;
    refused(&owner, Method::POST, "/api/v1/signup", json!({"company": {"legal_name": "Gama", "cnpj": cnpj(24), "contact_email": "c@gama.test", "extra": 1}, "admin": {"name": "G", "email": "g@gama.test", "password": PASSWORD}}), "company.extra").await;
    refused(
        &owner,
        Method::PATCH,
        &path,
        json!({"max_users": 9_223_372_036_854_775_808u64}),
        "max_users",
    )
    .await;
    refused(&owner, Method::PATCH, &path, json!({}), "body").await;
    refused(
        &owner,
        Method::PATCH,
        &path,
        json!({"trade_name": null}),
        "body",
    )
    .await;
    refused(&owner, Method::PATCH, &user_path, json!({}), "body").await;
    assert_eq!(count(&owner, "company.updated").await, updated);

    // A PATCH that sets what is already there answers the object and audits nothing.
    let current = owner.get(&path).await.body;
    let r = owner
        .patch(&path, json!({"legal_name": current["legal_name"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["updated_at"], current["updated_at"]);
    assert_eq!(count(&owner, "company.updated").await, updated);
    let users_updated = count(&owner, "user.updated").await;
    let r = owner
        .patch(
            &user_path,
            json!({"name": "Pessoa", "role": "company_admin"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(count(&owner, "user.updated").await, users_updated);
    // A real change is audited with the fields that changed, and only those.
    let r = owner
        .patch(
            &path,
            json!({"legal_name": current["legal_name"], "trade_name": "Alfa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let events = audit_events(&owner, "action=company.updated").await;
    assert_eq!(events.len(), updated + 1);
    assert_eq!(events[0]["details"]["fields"], json!(["trade_name"]));

    // The spec says request bodies are closed and a PATCH must name a field.
    let spec = owner.get("/api/openapi.json").await.body;
    let schemas = &spec["components"]["schemas"];
    for (template, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for media in content.values() {
                let name = media["schema"]["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                let schema = &schemas[name];
                assert_eq!(
                    schema["additionalProperties"], false,
                    "{method} {template}: {name}"
                );
                if method == "patch" {
                    assert_eq!(schema["minProperties"], 1, "{method} {template}: {name}");
                }
            }
        }
    }
}

#[tokio::test]
async fn periods_cursors_and_searches_are_checked() {
    let server = Server::start();
    let owner = server.owner().await;
    for seed in 31..34 {
        company(&owner, &format!("Empresa {seed}"), seed).await;
    }
    let get = |path: String| {
        let owner = owner.clone();
        async move { owner.get(&path).await }
    };
    let r =
        get("/api/v1/audit-events?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z".into()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
    let r = get("/api/v1/audit-events?from=2000-01-01T00:00:00Z".into()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
    let r =
        get("/api/v1/audit-events?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z".into()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
    let r =
        get("/api/v1/audit-events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z".into()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Cursors are what the server gave out, nothing else.
    let first = get("/api/v1/companies?limit=1".into()).await;
    let company_id = first.body["items"][0]["id"].as_str().unwrap().to_string();
    let next = first.body["next_cursor"].as_str().unwrap().to_string();
    assert_ne!(next, company_id);
    assert!(!next.contains(&company_id));
    let r = get(format!("/api/v1/companies?limit=1&cursor={}", enc(&next))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_ne!(r.body["items"][0]["id"], company_id.as_str());
    let audit_first = get("/api/v1/audit-events?limit=1".into()).await;
    let audit_id = audit_first.body["items"][0]["id"].to_string();
    for path in [
        "/api/v1/audit-events?cursor=-1".to_string(),
        format!("/api/v1/audit-events?cursor={audit_id}"),
        format!("/api/v1/companies?cursor={company_id}"),
        "/api/v1/users?cursor=usr_0".to_string(),
        "/api/v1/companies?cursor=djE6".to_string(),
        "/api/v1/companies?cursor=%00".to_string(),
    ] {
        let r = get(path.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cursor"));
    }
    // Small pages and one large page give the same events (the system's own background work
    // lands at its own time, so it is left out of both).
    let by_callers = |events: Vec<Value>| -> Vec<Value> {
        events
            .into_iter()
            .filter(|e| e["actor_kind"] != "system")
            .map(|e| e["id"].clone())
            .collect()
    };
    assert_eq!(
        by_callers(all_pages(&owner, "/api/v1/audit-events?limit=2").await),
        by_callers(audit_events(&owner, "limit=200").await)
    );

    for path in [
        "/api/v1/companies?q=%00",
        "/api/v1/users?q=a%00",
        "/api/v1/companies?q=%1B%5B31m",
    ] {
        let r = get(path.into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("q"));
    }
    let r = get("/api/v1/companies?q=Empresa%2031".into()).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
}
