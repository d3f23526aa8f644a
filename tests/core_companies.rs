//! Companies: the owner registers, searches, filters and pages them; self-service sign-up waits
//! for approval; suspension shuts a company out; a company admin edits only what is theirs.

use std::collections::HashSet;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn formatted(cnpj: &str) -> String {
    format!(
        "{}.{}.{}/{}-{}",
        &cnpj[0..2],
        &cnpj[2..5],
        &cnpj[5..8],
        &cnpj[8..12],
        &cnpj[12..14]
    )
}

async fn list(c: &Client, query: &str) -> Vec<Value> {
    all_pages(c, &format!("/api/v1/companies?{query}")).await
}

#[tokio::test]
async fn owner_creates_searches_filters_and_pages_companies() {
    let server = Server::start();
    let owner = server.owner().await;

    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Pão Quente Ltda", "trade_name": "Pão Quente",
                   "cnpj": formatted(&cnpj(424242)), "contact_email": "Contato@PaoQuente.test",
                   "max_users": 5, "primary_color": "#AABBCC"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let bakery = r.body.clone();
    assert_eq!(bakery["cnpj"], cnpj(424242), "stored normalised");
    assert_eq!(bakery["slug"], "pao-quente");
    assert_eq!(bakery["status"], "active");
    assert_eq!(bakery["contact_email"], "contato@paoquente.test");
    assert_eq!(bakery["primary_color"], "#aabbcc");
    assert_eq!(bakery["max_users"], 5);
    let read = owner
        .get(&format!(
            "/api/v1/companies/{}",
            bakery["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(read.body, bakery);

    let mut paged = Vec::new();
    for n in 0..7 {
        paged.push(company(&owner, &format!("Oficina Paginada {n}"), 1000 + n).await);
    }
    let suspended = company(&owner, "Loja Suspensa", 2000).await;
    let r = owner
        .post_empty(&format!("/api/v1/companies/{suspended}/suspend"))
        .await;
    assert_eq!(r.body["status"], "suspended", "{}", r.text);

    // Search by legal name (any ASCII case), trade name, and CNPJ in any format or in part.
    assert_eq!(ids(&list(&owner, "q=paginada").await).len(), 7);
    assert_eq!(
        ids(&list(&owner, &format!("q={}", enc("Pão Quente"))).await),
        vec![bakery["id"].as_str().unwrap()]
    );
    for q in [
        cnpj(424242),
        formatted(&cnpj(424242)),
        cnpj(424242)[..8].to_string(),
    ] {
        let found = list(&owner, &format!("q={}", enc(&q))).await;
        assert_eq!(ids(&found), vec![bakery["id"].as_str().unwrap()], "{q}");
    }
    assert!(list(&owner, "q=nada-assim").await.is_empty());
    assert!(list(&owner, &format!("q={}", enc("50%"))).await.is_empty());

    // Filter by status.
    assert_eq!(
        ids(&list(&owner, "status=suspended").await),
        vec![suspended.clone()]
    );
    assert_eq!(list(&owner, "status=active").await.len(), 8);
    assert!(list(&owner, "status=pending").await.is_empty());
    assert_eq!(
        ids(&list(&owner, "q=loja&status=suspended").await),
        vec![suspended.clone()]
    );

    // Keyset pagination: pages of 3, no duplicates, no omissions, a cursor only while more remain.
    let everything = ids(&list(&owner, "limit=200").await);
    assert_eq!(everything.len(), 9);
    for query in ["limit=3", "limit=3&q=paginada", "limit=1&status=active"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let url = match &cursor {
                Some(c) => format!("/api/v1/companies?{query}&cursor={c}"),
                None => format!("/api/v1/companies?{query}"),
            };
            let r = owner.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let items = r.body["items"].as_array().unwrap();
            let limit: usize = query[6..7].parse().unwrap();
            assert!(items.len() <= limit, "{query}: page too big");
            seen.extend(ids(items));
            pages += 1;
            match r.body["next_cursor"].as_str() {
                Some(c) => {
                    assert_eq!(items.len(), limit, "{query}: short page before the end");
                    cursor = Some(c.to_string());
                }
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{query}: duplicates {seen:?}");
        let expected: Vec<String> = match query {
            "limit=3" => everything.clone(),
            "limit=3&q=paginada" => paged.clone(),
            _ => everything
                .iter()
                .filter(|id| **id != suspended)
                .cloned()
                .collect(),
        };
        let mut sorted_expected = expected.clone();
        sorted_expected.sort();
        let mut sorted_seen = seen.clone();
        sorted_seen.sort();
        assert_eq!(sorted_seen, sorted_expected, "{query}: omissions");
        assert!(pages >= 3, "{query}: only {pages} pages");
    }
    let r = owner.get("/api/v1/companies?cursor=bogus").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cursor"));
}

#[tokio::test]
async fn signup_waits_for_approval_then_the_admin_signs_in() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/signup",
            json!({
                "company": {"legal_name": "Pet Shop Au Au", "cnpj": cnpj(31337),
                            "contact_email": "donos@auau.test"},
                "admin": {"name": "Bia", "email": "Bia@AuAu.test", "password": PASSWORD}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["status"], "pending_review");
    let pending = list(&owner, "status=pending").await;
    assert_eq!(pending.len(), 1);
    let id = pending[0]["id"].as_str().unwrap().to_string();
    let admins = all_pages(&owner, "/api/v1/users?status=pending").await;
    assert_eq!(admins[0]["role"], "company_admin");
    assert_eq!(admins[0]["company_id"], id.as_str());

    let login = json!({"email": "bia@auau.test", "password": PASSWORD});
    let r = server
        .anon()
        .post("/api/v1/auth/login", login.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.body.get("token").is_none());

    // The owner finds it in the approval queues.
    assert_eq!(ids(&list(&owner, "status=pending").await), vec![id.clone()]);
    let queue = all_pages(&owner, "/api/v1/users?status=pending").await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["email"], "bia@auau.test");

    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/approve"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/approve"))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("status"));

    let bia = server.login("bia@auau.test", PASSWORD).await;
    let me = bia.get("/api/v1/auth/me").await;
    assert_eq!(me.body["user"]["status"], "active", "{}", me.text);
    assert_eq!(me.body["company"]["id"], id.as_str());
    assert!(all_pages(&owner, "/api/v1/users?status=pending")
        .await
        .is_empty());
}

#[tokio::test]
async fn suspension_shuts_a_company_out_until_reactivated() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Assistência Técnica Zé", 777).await;
    user(&owner, &id, "ze@tecnica.test", "company_admin").await;
    let ze = server.login("ze@tecnica.test", PASSWORD).await;
    assert_eq!(ze.get("/api/v1/auth/me").await.status, StatusCode::OK);

    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/suspend"))
        .await;
    assert_eq!(r.body["status"], "suspended", "{}", r.text);
    let r = ze.get("/api/v1/auth/me").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "ze@tecnica.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    let r = owner
        .post_empty(&format!("/api/v1/companies/{id}/reactivate"))
        .await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    assert_eq!(
        ze.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let ze = server.login("ze@tecnica.test", PASSWORD).await;
    assert_eq!(ze.get("/api/v1/auth/me").await.status, StatusCode::OK);

    let events = audit_events(&owner, &format!("company_id={id}&action=company.suspended")).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["sessions_revoked"], 1);
}

#[tokio::test]
async fn a_company_admin_edits_data_and_branding_but_not_the_plan() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Clínica Veterinária Miau", 55).await;
    user(&owner, &id, "adm@miau.test", "company_admin").await;
    user(&owner, &id, "membro@miau.test", "member").await;
    let admin = server.login("adm@miau.test", PASSWORD).await;
    let member = server.login("membro@miau.test", PASSWORD).await;
    let path = format!("/api/v1/companies/{id}");

    let logo = "data:image/png;base64,iVBORw0KGgo=";
    let r = admin
        .patch(
            &path,
            json!({"trade_name": "Miau", "contact_phone": "+55 11 98765-4321",
                   "display_name": "Clínica Miau", "primary_color": "#123ABC",
                   "logo_data_url": logo}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["trade_name"], "Miau");
    assert_eq!(r.body["display_name"], "Clínica Miau");
    assert_eq!(r.body["primary_color"], "#123abc");
    // The answer points at the logo instead of carrying it (see tests/list_pages.rs).
    assert!(r.body.get("logo_data_url").is_none(), "{}", r.text);
    assert!(r.body["logo_url"].as_str().is_some(), "{}", r.text);
    let r = admin.patch(&path, json!({"trade_name": ""})).await;
    assert!(r.body.get("trade_name").is_none(), "cleared: {}", r.text);
    let before = owner.get(&path).await.body;

    for (field, value) in [
        ("plan", json!("enterprise")),
        ("max_users", json!(1000)),
        ("slug", json!("outra-coisa")),
        ("cnpj", json!(cnpj(56))),
    ] {
        let r = admin.patch(&path, json!({ field: value })).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
        assert!(
            r.body["message"].as_str().unwrap().contains(field),
            "{}",
            r.text
        );
    }
    let r = member
        .patch(&path, json!({"display_name": "Do membro"}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    for action in ["suspend", "cancel", "approve", "reactivate"] {
        let r = admin.post_empty(&format!("{path}/{action}")).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    }
    let r = admin
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Filial", "cnpj": cnpj(57)}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(owner.get(&path).await.body, before);

    let r = owner
        .patch(&path, json!({"plan": "enterprise", "max_users": 1000}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["plan"], "enterprise");
    assert_eq!(r.body["max_users"], 1000);
}
