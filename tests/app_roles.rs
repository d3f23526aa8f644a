//! Application roles over HTTP: declared by the owner and by the application itself, granted
//! by a company's admin, audited, shown to the application in its users listing (its own roles
//! only), and kept inside the company and the application they belong to.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct World {
    server: Server,
    owner: Client,
    company: String,
    admin: Client,
    member_id: String,
    /// The helpdesk, linked to the company with `users:read`.
    desk: LinkedApp,
    /// Another application, also linked to the company.
    other: LinkedApp,
}

async fn world() -> World {
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, "Oficina Roles", 71).await;
    user(&owner, &company, "admin@roles.test", "company_admin").await;
    let member_id = user(&owner, &company, "membro@roles.test", "member").await;
    let desk = linked_app(&owner, "Helpdesk", &company, &["users:read"]).await;
    let other = linked_app(&owner, "Analytics", &company, &["users:read"]).await;
    let admin = server.login("admin@roles.test", PASSWORD).await;
    World {
        server,
        owner,
        company,
        admin,
        member_id,
        desk,
        other,
    }
}

fn roles(keys: &[&str]) -> Value {
    let list: Vec<Value> = keys
        .iter()
        .map(|k| json!({"key": k, "name": format!("Papel {k}"), "description": "para testes"}))
        .collect();
    json!({ "roles": list })
}

fn keys(body: &Value) -> Vec<String> {
    body["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect()
}

fn grant_path(w: &World, user: &str, app: &str) -> String {
    format!(
        "/api/v1/companies/{}/users/{user}/app-roles/{app}",
        w.company
    )
}

#[tokio::test]
async fn roles_are_declared_by_the_owner_and_by_the_application_alike() {
    let w = world().await;
    let path = format!("/api/v1/applications/{}/roles", w.desk.app.id);
    let r = w.owner.put(&path, roles(&["technician", "client"])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&r.body), ["client", "technician"]);
    assert_eq!(r.body["roles"][1]["name"], "Papel technician");

    // The application sees the same list with its key, and replaces it.
    let app = w.server.anon().with_token(&w.desk.app.key);
    let r = app.get("/api/v1/app/roles").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&r.body), ["client", "technician"]);
    let r = app
        .put("/api/v1/app/roles", roles(&["agent", "client"]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&w.owner.get(&path).await.body), ["agent", "client"]);

    // Another application reads only its own (empty) list.
    let other = w.server.anon().with_token(&w.other.app.key);
    let r = other.get("/api/v1/app/roles").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["roles"], json!([]));

    // Both declarations are audited, naming who made them and what changed.
    let events = audit_events(&w.owner, "action=application.roles_changed").await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["actor_kind"], "application");
    assert_eq!(events[0]["details"]["added"], json!(["agent"]));
    assert_eq!(events[0]["details"]["removed"], json!(["technician"]));
    assert_eq!(events[1]["actor_kind"], "user");
    // The same list again changes nothing and records nothing.
    app.put("/api/v1/app/roles", roles(&["agent", "client"]))
        .await;
    let again = audit_events(&w.owner, "action=application.roles_changed").await;
    assert_eq!(again.len(), 2);
    // A company admin may not declare roles.
    let r = w.admin.put(&path, roles(&["boss"])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

#[tokio::test]
async fn a_bad_declaration_names_its_field_and_changes_nothing() {
    let w = world().await;
    let path = format!("/api/v1/applications/{}/roles", w.desk.app.id);
    w.owner.put(&path, roles(&["technician"])).await;
    let app = w.server.anon().with_token(&w.desk.app.key);
    let long_name = "n".repeat(81);
    let long_description = "d".repeat(301);
    let cases = [
        (roles(&["ok", "Bad"]), "roles[1].key"),
        (roles(&["ok", "2x"]), "roles[1].key"),
        (roles(&["a", "b", "a"]), "roles[2].key"),
        (roles(&["ok", &"k".repeat(41)]), "roles[1].key"),
        (
            json!({"roles": [{"key": "ok", "name": "  "}]}),
            "roles[0].name",
        ),
        (
            json!({"roles": [{"key": "ok", "name": long_name}]}),
            "roles[0].name",
        ),
        (
            json!({"roles": [{"key": "ok", "name": "Ok", "description": long_description}]}),
            "roles[0].description",
        ),
        (json!({"roles": [{"name": "Ok"}]}), "roles[0].key"),
        (
            json!({"roles": [{"key": "ok", "name": "Ok", "color": "red"}]}),
            "roles[0].color",
        ),
    ];
    for (body, field) in cases {
        for client in [&w.owner, &app] {
            let target = if std::ptr::eq(client, &app) {
                "/api/v1/app/roles"
            } else {
                &path
            };
            let r = client.put(target, body.clone()).await;
            assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
        }
    }
    let many: Vec<String> = (0..51).map(|i| format!("r{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let r = w.owner.put(&path, roles(&many)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["field"], "roles", "{}", r.text);
    let r = w.owner.put(&path, roles(&many[..50])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    w.owner.put(&path, roles(&["technician"])).await;
    assert_eq!(keys(&w.owner.get(&path).await.body), ["technician"]);
    assert_eq!(
        audit_events(&w.owner, "action=application.roles_changed")
            .await
            .len(),
        3
    );
    // An unknown application is a 404.
    let r = w
        .owner
        .get("/api/v1/applications/app_00000000000000000000000000000000/roles")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

#[tokio::test]
async fn a_company_admin_grants_and_revokes_roles_with_an_audit_trail() {
    let w = world().await;
    let desk = &w.desk.app.id;
    w.owner
        .put(
            &format!("/api/v1/applications/{desk}/roles"),
            roles(&["technician", "client", "agent"]),
        )
        .await;
    // The form: every linked application with its roles.
    let r = w
        .admin
        .get(&format!("/api/v1/companies/{}/app-roles", w.company))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r.text);
    let desk_item = items.iter().find(|i| i["application_id"] == *desk).unwrap();
    assert_eq!(desk_item["application_name"], "Helpdesk");
    assert_eq!(desk_item["roles"].as_array().unwrap().len(), 3);

    let path = grant_path(&w, &w.member_id, desk);
    let r = w
        .admin
        .put(&path, json!({"roles": ["technician", "client"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["roles"], json!(["client", "technician"]));
    let r = w
        .admin
        .put(&path, json!({"roles": ["agent", "client"]}))
        .await;
    assert_eq!(r.body["roles"], json!(["agent", "client"]), "{}", r.text);

    let held = w
        .admin
        .get(&format!(
            "/api/v1/companies/{}/users/{}/app-roles",
            w.company, w.member_id
        ))
        .await;
    assert_eq!(held.status, StatusCode::OK, "{}", held.text);
    let desk_held = held.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["application_id"] == *desk)
        .unwrap()
        .clone();
    assert_eq!(desk_held["roles"], json!(["agent", "client"]));

    let granted = audit_events(&w.owner, "action=role.granted").await;
    let revoked = audit_events(&w.owner, "action=role.revoked").await;
    assert_eq!(granted.len(), 3, "{granted:?}");
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(
        revoked[0]["details"],
        json!({"application_id": desk, "role_key": "technician", "user_id": w.member_id})
    );
    assert_eq!(revoked[0]["company_id"], w.company);
    assert_eq!(revoked[0]["actor_kind"], "user");

    // An unknown key names its place and changes nothing.
    let r = w
        .admin
        .put(&path, json!({"roles": ["agent", "boss"]}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("roles[1]"));
    let r = w.admin.put(&path, json!({"roles": ["Agent!"]})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("roles[0]"));
    let again = w.admin.get(&held_path(&w, &w.member_id)).await;
    assert_eq!(again.body, held.body);

    // A member reads their own roles, not another's, and grants nothing.
    let member = w.server.login("membro@roles.test", PASSWORD).await;
    let r = member.get(&held_path(&w, &w.member_id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let admin_id = w.admin.get("/api/v1/auth/me").await.body["user"]["id"].clone();
    let r = member.get(&held_path(&w, admin_id.as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = member.put(&path, json!({"roles": []})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

fn held_path(w: &World, user: &str) -> String {
    format!("/api/v1/companies/{}/users/{user}/app-roles", w.company)
}

#[tokio::test]
async fn an_application_sees_only_its_own_roles_of_each_user() {
    let w = world().await;
    let (desk, other) = (&w.desk.app.id, &w.other.app.id);
    for (app, key) in [(desk, "technician"), (other, "analyst")] {
        let r = w
            .owner
            .put(&format!("/api/v1/applications/{app}/roles"), roles(&[key]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = w
            .admin
            .put(&grant_path(&w, &w.member_id, app), json!({"roles": [key]}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    for (linked, mine, theirs) in [
        (&w.desk, "technician", "analyst"),
        (&w.other, "analyst", "technician"),
    ] {
        let client = w.server.anon().with_token(&linked.app.key);
        let users = all_pages(
            &client,
            &format!("/api/v1/app/companies/{}/users", w.company),
        )
        .await;
        assert_eq!(users.len(), 2);
        for u in &users {
            let expected = if u["id"] == *w.member_id {
                json!([mine])
            } else {
                json!([])
            };
            assert_eq!(u["app_roles"], expected, "{u}");
            assert!(!u.to_string().contains(theirs), "{u}");
        }
    }
}

#[tokio::test]
async fn roles_stay_inside_their_company_and_their_application() {
    let w = world().await;
    let desk = &w.desk.app.id;
    w.owner
        .put(
            &format!("/api/v1/applications/{desk}/roles"),
            roles(&["technician"]),
        )
        .await;
    // Another company, its admin and its user, and an application linked only to it.
    let other_company = company(&w.owner, "Outra Empresa", 72).await;
    let stranger = user(
        &w.owner,
        &other_company,
        "admin@outra.test",
        "company_admin",
    )
    .await;
    let alone = linked_app(&w.owner, "Sozinha", &other_company, &["users:read"]).await;
    w.owner
        .put(
            &format!("/api/v1/applications/{}/roles", alone.app.id),
            roles(&["solo"]),
        )
        .await;
    let outsider = w.server.login("admin@outra.test", PASSWORD).await;

    // The other company's admin gets 404 on every company route of this company.
    let c = &w.company;
    for path in [
        format!("/api/v1/companies/{c}/app-roles"),
        held_path(&w, &w.member_id),
    ] {
        let r = outsider.get(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    let r = outsider
        .put(
            &grant_path(&w, &w.member_id, desk),
            json!({"roles": ["technician"]}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    // This company's admin cannot reach the other company's user, even through their own
    // company's path, nor grant an application not linked to their company.
    let r = w
        .admin
        .put(
            &grant_path(&w, &stranger, desk),
            json!({"roles": ["technician"]}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = w
        .admin
        .put(
            &grant_path(&w, &w.member_id, &alone.app.id),
            json!({"roles": ["solo"]}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = w.admin.get(&held_path(&w, &stranger)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    // The unlinked application's roles never show in this company's form.
    let r = w
        .admin
        .get(&format!("/api/v1/companies/{c}/app-roles"))
        .await;
    assert!(!r.text.contains("solo"), "{}", r.text);
    // An application changes only its own roles: the route names no other.
    let app = w.server.anon().with_token(&alone.app.key);
    assert_eq!(keys(&app.get("/api/v1/app/roles").await.body), ["solo"]);
    let r = app.get(&format!("/api/v1/applications/{desk}/roles")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = app.get(&format!("/api/v1/app/companies/{c}/users")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(audit_events(&w.owner, "action=role.granted")
        .await
        .is_empty());
}

#[tokio::test]
async fn removing_a_role_removes_its_grants() {
    let w = world().await;
    let desk = &w.desk.app.id;
    let path = format!("/api/v1/applications/{desk}/roles");
    w.owner.put(&path, roles(&["technician", "client"])).await;
    let admin_id = w.admin.get("/api/v1/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for user in [&w.member_id, &admin_id] {
        let r = w
            .admin
            .put(
                &grant_path(&w, user, desk),
                json!({"roles": ["technician", "client"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let app = w.server.anon().with_token(&w.desk.app.key);
    let r = app.put("/api/v1/app/roles", roles(&["client"])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let users = all_pages(&app, &format!("/api/v1/app/companies/{}/users", w.company)).await;
    for u in &users {
        assert_eq!(u["app_roles"], json!(["client"]), "{u}");
    }
    let revoked = audit_events(&w.owner, "action=role.revoked").await;
    assert_eq!(revoked.len(), 2, "{revoked:?}");
    for e in &revoked {
        assert_eq!(e["details"]["role_key"], "technician");
        assert_eq!(e["actor_kind"], "application");
        assert_eq!(e["company_id"], w.company);
    }
    // Declared again, the role starts with no holders.
    w.owner.put(&path, roles(&["technician", "client"])).await;
    let held = w.admin.get(&held_path(&w, &w.member_id)).await;
    assert!(!held.text.contains("technician"), "{}", held.text);
    // Granting a removed role refuses, naming it.
    let r = app.put("/api/v1/app/roles", roles(&["client"])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w
        .admin
        .put(
            &grant_path(&w, &w.member_id, desk),
            json!({"roles": ["client", "technician"]}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("roles[1]"));
}
