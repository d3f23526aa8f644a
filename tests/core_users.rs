//! Users of a company: created, read, edited, promoted, approved, disabled, enabled and
//! deleted by the company's admin, within the plan's limit.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_company_admin_manages_the_users_of_the_company() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Help Desk Rápido", 90).await;
    user(&owner, &id, "chefe@rapido.test", "company_admin").await;
    let admin = server.login("chefe@rapido.test", PASSWORD).await;
    let users = format!("/api/v1/companies/{id}/users");

    let r = admin
        .post(
            &users,
            json!({"email": " Ana@Rapido.TEST ", "name": " Ana ", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["email"], "ana@rapido.test");
    assert_eq!(r.body["name"], "Ana");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["role"], "member");
    assert_eq!(r.body["company_id"], id.as_str());
    assert!(!r.text.contains("password"), "{}", r.text);
    let ana = r.body["id"].as_str().unwrap().to_string();
    let ana_path = format!("{users}/{ana}");
    assert_eq!(admin.get(&ana_path).await.body, r.body);

    // List and search.
    let all = all_pages(&admin, &users).await;
    assert_eq!(all.len(), 2);
    let found = all_pages(&admin, &format!("{users}?q=ana")).await;
    assert_eq!(ids(&found), vec![ana.clone()]);

    // A member sees and edits only themself, and cannot change roles.
    let ana_client = server.login("ana@rapido.test", PASSWORD).await;
    assert_eq!(
        ids(&all_pages(&ana_client, &users).await),
        vec![ana.clone()]
    );
    let r = ana_client
        .patch(&ana_path, json!({"name": "Ana Maria"}))
        .await;
    assert_eq!(r.body["name"], "Ana Maria", "{}", r.text);
    let r = ana_client
        .patch(&ana_path, json!({"role": "company_admin"}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let r = ana_client
        .post(
            &users,
            json!({"email": "x@rapido.test", "name": "X", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);

    // Role change by the admin.
    let r = admin
        .patch(&ana_path, json!({"role": "company_admin"}))
        .await;
    assert_eq!(r.body["role"], "company_admin", "{}", r.text);
    assert_eq!(
        ana_client.get(&users).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "the new role applies to the live session"
    );
    let r = admin
        .patch(
            &ana_path,
            json!({"role": "member", "email": "ana.maria@rapido.test"}),
        )
        .await;
    assert_eq!(r.body["role"], "member", "{}", r.text);
    assert_eq!(r.body["email"], "ana.maria@rapido.test");

    // Disable: sessions end and sign-in is refused; enable: sign-in works again.
    let r = admin.post_empty(&format!("{ana_path}/disable")).await;
    assert_eq!(r.body["status"], "disabled", "{}", r.text);
    assert_eq!(
        ana_client.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = json!({"email": "ana.maria@rapido.test", "password": PASSWORD});
    let r = server
        .anon()
        .post("/api/v1/auth/login", login.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = admin.post_empty(&format!("{ana_path}/disable")).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("status"));
    let r = admin.post_empty(&format!("{ana_path}/enable")).await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    server.login("ana.maria@rapido.test", PASSWORD).await;
    let r = admin.post_empty(&format!("{ana_path}/approve")).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("status"));

    // An admin sets a new password: old sessions end, the new password works.
    let r = admin
        .post(
            &format!("{ana_path}/password"),
            json!({"password": "brand-new-password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    server
        .login("ana.maria@rapido.test", "brand-new-password")
        .await;

    // The admin cannot lock themself out.
    let me = admin.get("/api/v1/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for action in ["disable", "approve", "enable"] {
        let r = admin.post_empty(&format!("{users}/{me}/{action}")).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action}: {}", r.text);
    }
    let r = admin.delete(&format!("{users}/{me}")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = admin
        .patch(&format!("{users}/{me}"), json!({"role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // Delete.
    let r = admin.delete(&ana_path).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_error(
        &admin.get(&ana_path).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &admin.delete(&ana_path).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_eq!(all_pages(&admin, &users).await.len(), 1);
}

#[tokio::test]
async fn a_pending_user_is_approved_before_signing_in() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/signup",
            json!({"company": {"legal_name": "Dashboards Ltda", "cnpj": cnpj(606), "contact_email": "oi@dash.test"},
                   "admin": {"name": "Caio", "email": "caio@dash.test", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let pending = all_pages(&owner, "/api/v1/users?status=pending").await;
    let company_id = pending[0]["company_id"].as_str().unwrap().to_string();
    let uid = pending[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/companies/{company_id}/users/{uid}");

    let r = owner.post_empty(&format!("{path}/approve")).await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    // Still shut out while the company itself waits.
    let login = json!({"email": "caio@dash.test", "password": PASSWORD});
    let r = server.anon().post("/api/v1/auth/login", login).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = owner
        .post_empty(&format!("/api/v1/companies/{company_id}/approve"))
        .await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    server.login("caio@dash.test", PASSWORD).await;
    let events = audit_events(
        &owner,
        &format!("action=user.approved&company_id={company_id}"),
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["target_id"], uid.as_str());
}

#[tokio::test]
async fn the_plan_limits_the_number_of_users() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Pequena", "cnpj": cnpj(3), "max_users": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let users = format!("/api/v1/companies/{id}/users");
    user(&owner, &id, "a@pequena.test", "company_admin").await;
    let b = user(&owner, &id, "b@pequena.test", "member").await;
    let admin = server.login("a@pequena.test", PASSWORD).await;
    let third =
        json!({"email": "c@pequena.test", "name": "C", "role": "member", "password": PASSWORD});

    let r = admin.post(&users, third.clone()).await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    let r = owner.post(&users, third.clone()).await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    assert_eq!(all_pages(&owner, &users).await.len(), 2);
    assert_eq!(
        owner.get(&format!("/api/v1/companies/{id}")).await.body["user_count"],
        2
    );

    // A disabled user frees the seat; enabling them again needs one.
    let r = admin.post_empty(&format!("{users}/{b}/disable")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = admin.post(&users, third).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = admin.post_empty(&format!("{users}/{b}/enable")).await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    assert_eq!(
        owner.get(&format!("{users}/{b}")).await.body["status"],
        "disabled"
    );

    // Raising the limit lets them back in.
    let r = owner
        .patch(&format!("/api/v1/companies/{id}"), json!({"max_users": 3}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = admin.post_empty(&format!("{users}/{b}/enable")).await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
}
