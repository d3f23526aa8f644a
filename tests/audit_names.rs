//! The audit log names who acted, on which company and on what, beside the ids; a company admin
//! sees names only of their own company's users and company and of applications linked to it,
//! never of another company or of the platform's owner.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn named_user(owner: &Client, company: &str, email: &str, name: &str, role: &str) -> String {
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": email, "name": name, "role": role, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

fn one<'a>(events: &'a [Value], action: &str, target: &str) -> &'a Value {
    let found: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == action && e["target_id"] == target)
        .collect();
    assert_eq!(found.len(), 1, "{action} on {target}: {found:?}");
    found[0]
}

#[tokio::test]
async fn audit_events_carry_names_and_never_another_companys() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Integradora Alfa Ltda", 301).await;
    let b = company(&owner, "Integradora Beta Ltda", 302).await;
    let r = owner
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({"display_name": "Alfa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ana = named_user(&owner, &a, "ana@alfa.test", "Ana Alfa", "company_admin").await;
    let beto = named_user(&owner, &b, "beto@beta.test", "Beto Beta", "company_admin").await;
    let r = owner
        .post("/api/v1/applications", json!({"name": "Conector Gama"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gama = r.body["id"].as_str().unwrap().to_string();
    let r = owner
        .post(
            "/api/v1/links",
            json!({"application_id": gama, "company_id": b, "scopes": ["company:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let admin = server.login("ana@alfa.test", PASSWORD).await;
    let r = admin
        .post(
            &format!("/api/v1/companies/{a}/users"),
            json!({"email": "mara@alfa.test", "name": "Mara Membro", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mara = r.body["id"].as_str().unwrap().to_string();

    // Events in A's log whose actor and target belong elsewhere: another company's admin and an
    // application linked only to B. No route writes such an event today; the names must still
    // stay hidden should one ever be written.
    server.with_store(|db| db.execute(
        "INSERT INTO audit_events (at, actor_kind, actor_id, company_id, action, target_kind, target_id, ip)
         VALUES (1, 'user', ?1, ?2, 'user.updated', 'user', ?1, '127.0.0.1'),
                (2, 'application', ?3, ?2, 'company.updated', 'company', ?4, '127.0.0.1')",
        rusqlite::params![beto, a, gama, b],
    )
    .unwrap());

    // The owner reads every name.
    let all = audit_events(&owner, &format!("company_id={a}")).await;
    let created = one(&all, "user.created", &mara);
    assert_eq!(created["actor_id"], ana.as_str(), "{created}");
    assert_eq!(created["actor_name"], "Ana Alfa", "{created}");
    assert_eq!(created["target_name"], "Mara Membro", "{created}");
    assert_eq!(created["company_name"], "Alfa", "{created}");
    let by_owner = one(&all, "user.created", &ana);
    assert_eq!(by_owner["actor_name"], "Dona", "{by_owner}");
    let foreign = one(&all, "user.updated", &beto);
    assert_eq!(foreign["actor_name"], "Beto Beta", "{foreign}");
    let by_app = one(&all, "company.updated", &b);
    assert_eq!(by_app["actor_name"], "Conector Gama", "{by_app}");
    assert_eq!(by_app["target_name"], "Integradora Beta Ltda", "{by_app}");
    let r = owner
        .get("/api/v1/audit-events?action=company.created")
        .await;
    let names: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["target_name"].as_str())
        .collect();
    assert!(names.contains(&"Integradora Beta Ltda"), "{names:?}");

    // The company admin reads the names of their own company only.
    let r = admin.get("/api/v1/audit-events?limit=200").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mine = r.body["items"].as_array().unwrap().clone();
    let created = one(&mine, "user.created", &mara);
    assert_eq!(created["actor_name"], "Ana Alfa", "{created}");
    assert_eq!(created["target_name"], "Mara Membro", "{created}");
    assert_eq!(created["company_name"], "Alfa", "{created}");
    let by_owner = one(&mine, "user.created", &ana);
    assert!(
        by_owner.get("actor_name").is_none(),
        "the owner stays unnamed: {by_owner}"
    );
    assert_eq!(by_owner["target_name"], "Ana Alfa", "{by_owner}");
    let foreign = one(&mine, "user.updated", &beto);
    assert!(foreign.get("actor_name").is_none(), "{foreign}");
    assert!(foreign.get("target_name").is_none(), "{foreign}");
    let by_app = one(&mine, "company.updated", &b);
    assert!(by_app.get("actor_name").is_none(), "{by_app}");
    assert!(by_app.get("target_name").is_none(), "{by_app}");
    for leak in ["Beto", "Beta", "Gama", "Dona"] {
        assert!(
            !r.text.contains(leak),
            "{leak} leaked to company A's admin: {}",
            r.text
        );
    }
}
