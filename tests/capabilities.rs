//! Access as types, seen from outside: every key or link write is in force on the very next
//! request (the directory is rebuilt by the write itself), and typed path ids keep a malformed
//! id a 404 on every kind of id.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn app_with_key(owner: &Client, name: &str) -> (String, String, String) {
    let app = application(owner, name, "main").await;
    (app.id, app.credential, app.key)
}

#[tokio::test]
async fn key_and_link_writes_are_in_force_on_the_next_request() {
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, "Oficina Capa", 31).await;
    let (app, cred, key) = app_with_key(&owner, "Integrador Capa").await;
    let as_app = server.anon().with_token(&key);
    let path = format!("/api/v1/app/companies/{company}");

    // A fresh key works at once; no link yet: the company is not found.
    assert_eq!(
        as_app.get("/api/v1/app/companies").await.status,
        StatusCode::OK
    );
    assert_eq!(as_app.get(&path).await.status, StatusCode::NOT_FOUND);

    // A link without the scope: forbidden; the scope added: allowed; each on the next request.
    let r = owner
        .post(
            "/api/v1/links",
            json!({"application_id": app, "company_id": company, "scopes": ["users:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let link = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(as_app.get(&path).await.status, StatusCode::FORBIDDEN);
    let r = owner
        .patch(
            &format!("/api/v1/links/{link}"),
            json!({"scopes": ["company:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_app.get(&path).await.status, StatusCode::OK);

    // The company's admin revokes the link: not found at once.
    let admin_email = "admin@capa.test";
    user(&owner, &company, admin_email, "company_admin").await;
    let admin = server.login(admin_email, PASSWORD).await;
    let r = admin
        .delete(&format!("/api/v1/companies/{company}/links/{link}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(as_app.get(&path).await.status, StatusCode::NOT_FOUND);

    // A revoked key is refused on the next request.
    let r = owner
        .delete(&format!("/api/v1/applications/{app}/credentials/{cred}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        as_app.get("/api/v1/app/companies").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_malformed_id_in_any_path_is_not_found() {
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, "Oficina Ids", 32).await;
    let (app, _, key) = app_with_key(&owner, "Integrador Ids").await;
    for path in [
        "/api/v1/companies/cmp_x".to_string(),
        format!("/api/v1/companies/{company}/users/usr_x"),
        "/api/v1/applications/app_x".to_string(),
        format!("/api/v1/applications/{app}/credentials/crd_x"),
        format!("/api/v1/companies/{company}/links/lnk_x"),
    ] {
        let method = if path.contains("/credentials/") || path.contains("/links/") {
            reqwest::Method::DELETE
        } else {
            reqwest::Method::GET
        };
        let r = owner.send(method, &path, None).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    let r = server
        .anon()
        .with_token(&key)
        .get("/api/v1/app/companies/not-an-id")
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
}
