//! External ids: a link carries the application's own id for the company, set by the owner or
//! by the application on its own link, unique per application; the application finds a
//! company by it, and never through another application's link.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::seed::{application, link};
use crate::common::*;

#[tokio::test]
async fn applications_find_their_companies_by_their_own_ids() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Clínica A", 9701).await;
    let b = company(&owner, "Clínica B", 9702).await;
    let c = company(&owner, "Clínica C", 9703).await;
    let crm = application(&owner, "CRM", "main").await;
    let erp = application(&owner, "ERP", "main").await;
    let crm_a = link(&owner, &crm.id, &a, &["company:read"]).await;
    link(&owner, &crm.id, &c, &[]).await;
    link(&owner, &erp.id, &b, &["company:read"]).await;
    let crm_app = server.anon().with_token(&crm.key);
    let erp_app = server.anon().with_token(&erp.key);
    let find = |client: &Client, ext: &str| {
        let (client, path) = (
            client.clone(),
            format!(
                "/api/v1/app/companies/by-external-id?external_id={}",
                enc(ext)
            ),
        );
        async move { client.get(&path).await }
    };

    // The owner sets it on the link; the link shows it.
    let r = owner
        .patch(
            &format!("/api/v1/links/{crm_a}"),
            json!({"external_id": "cli/42"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["external_id"], "cli/42");
    assert_eq!(r.body["scopes"], json!(["company:read"]));
    let r = find(&crm_app, "cli/42").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["company"]["id"], a.as_str());
    assert_eq!(r.body["external_id"], "cli/42");
    // The list of linked companies carries it too, only where it was set.
    let listed = crm_app.get("/api/v1/app/companies").await;
    let items = listed.body["items"].as_array().unwrap();
    let ext_of = |id: &str| {
        items
            .iter()
            .find(|i| i["company"]["id"] == id)
            .map(|i| i["external_id"].clone())
            .unwrap()
    };
    assert_eq!(ext_of(&a), "cli/42", "{}", listed.text);
    assert!(ext_of(&c).is_null(), "{}", listed.text);

    // Another application's links are never searched, even with the same id.
    assert_eq!(find(&erp_app, "cli/42").await.status, StatusCode::NOT_FOUND);
    let r = erp_app
        .put(
            &format!("/api/v1/app/companies/{b}/external-id"),
            json!({"external_id": "cli/42"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["external_id"], "cli/42");
    assert_eq!(
        find(&erp_app, "cli/42").await.body["company"]["id"],
        b.as_str()
    );
    assert_eq!(
        find(&crm_app, "cli/42").await.body["company"]["id"],
        a.as_str()
    );

    // Unique per application: a clash is a 409 and changes nothing.
    let r = crm_app
        .put(
            &format!("/api/v1/app/companies/{c}/external-id"),
            json!({"external_id": "cli/42"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("external_id"));
    let crm_c = owner
        .get(&format!(
            "/api/v1/links?application_id={}&company_id={c}",
            crm.id
        ))
        .await;
    assert!(
        crm_c.body["items"][0].get("external_id").is_none(),
        "{}",
        crm_c.text
    );
    let r = owner
        .patch(
            &format!(
                "/api/v1/links/{}",
                crm_c.body["items"][0]["id"].as_str().unwrap()
            ),
            json!({"external_id": "cli/42"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("external_id"));

    // Bad input names the field; a company not linked to the application is a 404.
    let long = "x".repeat(201);
    let r = crm_app
        .put(
            &format!("/api/v1/app/companies/{c}/external-id"),
            json!({"external_id": long}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["field"], "external_id", "{}", r.text);
    let r = crm_app
        .put(
            &format!("/api/v1/app/companies/{b}/external-id"),
            json!({"external_id": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(find(&crm_app, "nobody").await.status, StatusCode::NOT_FOUND);

    // The link to C grants no company:read: setting its id works, finding by it is a 403.
    let r = crm_app
        .put(
            &format!("/api/v1/app/companies/{c}/external-id"),
            json!({"external_id": "cli/43"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(find(&crm_app, "cli/43").await.status, StatusCode::FORBIDDEN);

    // An empty id clears it.
    let r = crm_app
        .put(
            &format!("/api/v1/app/companies/{a}/external-id"),
            json!({"external_id": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("external_id").is_none(), "{}", r.text);
    assert_eq!(find(&crm_app, "cli/42").await.status, StatusCode::NOT_FOUND);
    let events = audit_events(&owner, &format!("action=link.updated&company_id={a}")).await;
    assert_eq!(events.len(), 2, "{events:?}");
}
