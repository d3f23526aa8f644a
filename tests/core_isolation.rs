//! Tenant isolation, walked from the live OpenAPI document: every company-scoped route, with
//! company B's ids, answers 404 to A's admin and A's member and 401 to anyone anonymous, and no
//! answer carries B's data. Routes added later are walked without editing this file; a path
//! that is not company-scoped must be listed in `NOT_COMPANY_SCOPED`, or the test fails.

use std::collections::BTreeMap;

use crate::common::walk::{fill, routes, Kind};
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Paths that do not name a company. The walker reads them (GET only) for B's data but does
/// not substitute ids into them. A new path must be added here or live under one of
/// `SCOPED_PREFIXES`.
const NOT_COMPANY_SCOPED: &[&str] = &[
    "/api/v1/reports/audit",
    "/api/v1/reports/usage",
    "/api/v1/settings/retention",
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
    "/api/v1/auth/password",
    "/api/v1/auth/sessions",
    "/api/v1/auth/sessions/{session_id}",
    "/api/v1/auth/other-sessions",
    "/api/v1/sessions",
    "/api/v1/sessions/{session_id}",
    "/api/v1/users/{user_id}/sessions",
    "/api/v1/auth/login-link",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/auth/email",
    "/api/v1/auth/email/verify",
    "/api/v1/auth/email/confirm",
    "/api/v1/auth/magic-link",
    "/api/v1/auth/magic-link/redeem",
    "/api/v1/invitations/accept",
    "/api/v1/setup",
    "/api/v1/signup",
    "/api/v1/companies",
    "/api/v1/users",
    "/api/v1/secret-kinds",
    "/api/v1/audit-events",
    "/api/v1/audit-integrity",
    "/api/v1/applications",
    "/api/v1/applications/{id}",
    "/api/v1/plans",
    "/api/v1/plans/{id}",
    "/api/v1/app/companies/by-external-id",
    "/api/v1/applications/{id}/credentials",
    "/api/v1/applications/{id}/credentials/{credential_id}",
    "/api/v1/applications/{id}/roles",
    "/api/v1/applications/{id}/oidc",
    // Webhook endpoints belong to an application and are the owner's (tests/webhooks.rs checks
    // that events reach only applications linked to the event's company).
    "/api/v1/applications/{id}/webhooks",
    "/api/v1/applications/{id}/webhooks/{endpoint_id}",
    "/api/v1/applications/{id}/webhooks/{endpoint_id}/deliveries",
    "/api/v1/applications/{id}/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
    "/api/v1/applications/{id}/webhooks/{endpoint_id}/replay",
    "/api/v1/applications/{id}/webhooks/{endpoint_id}/rotate-secret",
    "/api/v1/app/roles",
    // An application's own endpoints: another application's are a 404
    // (tests/webhook_failures.rs).
    "/api/v1/app/webhooks",
    "/api/v1/app/webhooks/{endpoint_id}",
    "/api/v1/app/webhooks/{endpoint_id}/deliveries",
    "/api/v1/app/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
    "/api/v1/app/webhooks/{endpoint_id}/replay",
    "/api/v1/app/webhooks/{endpoint_id}/rotate-secret",
    // Configuration schemas belong to an application (tests/config_schema.rs checks a
    // company's values reach only its admin, the owner and linked applications).
    "/api/v1/applications/{id}/config-schema",
    "/api/v1/applications/{id}/config-defaults",
    "/api/v1/app/config-schema",
    "/api/v1/links",
    "/api/v1/links/{id}",
    "/api/v1/usage",
    "/api/v1/usage.csv",
    "/api/v1/usage/companies",
    "/api/v1/overview",
    "/api/v1/backups",
    "/api/v1/alerts",
    "/api/v1/alerts/preferences",
    "/api/v1/app/companies",
    "/api/v1/app/sessions/validate",
    "/api/v1/app/resolve",
    "/api/v1/auth/mfa",
    "/api/v1/auth/mfa/totp",
    "/api/v1/auth/mfa/totp/confirm",
    "/api/v1/auth/mfa/disable",
    "/api/v1/auth/mfa/recovery-codes",
    "/api/v1/auth/mfa/verify",
    "/api/v1/users/{user_id}/mfa",
    "/api/v1/settings/mfa-policy",
    // The owner's queue of every company's requests (tests/privacy_requests.rs checks each
    // company's reach only their own) and the platform's encarregado, public to users.
    "/api/v1/privacy-requests",
    "/api/v1/settings/dpo",
];

/// Writes a member may make in their own company (LGPD art. 18 rights are everyone's).
const MEMBER_WRITES: &[(&str, &str)] = &[
    ("POST", "/api/v1/companies/{id}/privacy-requests"),
    ("POST", "/api/v1/companies/{id}/users/{user_id}/export"),
];

/// Where `{id}` is a company: the users' routes and the applications' routes.
const SCOPED_PREFIXES: &[&str] = &["/api/v1/companies/{id}", "/api/v1/app/companies/{id}"];

/// Query parameters that could name B on routes that name no company.
const B_QUERY: &str = "company_id={b}&q=bravo&host=app.bravo.test";

struct World {
    server: Server,
    owner: Client,
    a: String,
    a_admin: String,
    a_link: String,
    /// An API key of an application linked to A only, with every scope.
    a_app_key: String,
    b: String,
    b_admin_session: String,
    b_ids: BTreeMap<&'static str, String>,
    /// Strings that only B's data contains.
    b_markers: Vec<String>,
}

async fn world() -> World {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Integrações", 41).await;
    let b = company(&owner, "Bravo Segredos Ltda", 42).await;
    let a_admin = user(&owner, &a, "admin@alfa.test", "company_admin").await;
    user(&owner, &a, "membro@alfa.test", "member").await;
    let b_admin = user(&owner, &b, "admin@bravo.test", "company_admin").await;
    let b_member = user(&owner, &b, "membro@bravo.test", "member").await;
    // Ends in letters: its last four characters (the hint the API shows, a marker below) must
    // not be digits that a timestamp or an id in an answer could hold by chance.
    let b_secret = format!("bravo-omie-secret-{}-qz", rand::random::<u64>());
    for (company_id, value) in [
        (&a, "alfa-omie-secret-value".to_string()),
        (&b, b_secret.clone()),
    ] {
        let r = owner
            .put(
                &format!("/api/v1/companies/{company_id}/secrets/omie"),
                json!({"values": {"app_key": "key-12345", "app_secret": value}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = owner
        .post(
            &format!("/api/v1/companies/{b}/domains"),
            json!({"domain": "app.bravo.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = owner
        .post(
            &format!("/api/v1/companies/{a}/domains"),
            json!({"domain": "app.alfa.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let alfa = linked_app(&owner, "Integrador Alfa", &a, ALL_SCOPES).await;
    let (a_app_key, a_link) = (alfa.app.key, alfa.link);
    let bravo = linked_app(&owner, "Integrador Bravo", &b, ALL_SCOPES).await;
    let (b_app, b_link) = (bravo.app.id, bravo.link);
    // B's application declares a role and B's admin holds it, so the role routes walk over
    // real objects of B.
    let r = owner
        .put(
            &format!("/api/v1/applications/{b_app}/roles"),
            json!({"roles": [{"key": "bravo_tecnico", "name": "Técnico Bravo"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner
        .put(
            &format!("/api/v1/companies/{b}/users/{b_admin}/app-roles/{b_app}"),
            json!({"roles": ["bravo_tecnico"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner
        .post(
            &format!("/api/v1/companies/{b}/invitations"),
            json!({"email": "convidado@bravo.test", "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b_invitation = r.body["id"].as_str().unwrap().to_string();
    let b_admin_session = server
        .login("admin@bravo.test", PASSWORD)
        .await
        .token
        .unwrap();
    let b_session = all_pages(&owner, &format!("/api/v1/sessions?user_id={b_admin}")).await[0]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner
        .post(
            &format!("/api/v1/companies/{b}/privacy-requests"),
            json!({"kind": "access", "user_id": b_admin}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b_request = r.body["id"].as_str().unwrap().to_string();
    let b_body = owner.get(&format!("/api/v1/companies/{b}")).await.body;
    let b_ids = BTreeMap::from([
        ("id", b.clone()),
        ("user_id", b_admin.clone()),
        ("kind", "omie".to_string()),
        ("link_id", b_link.clone()),
        ("domain", "app.bravo.test".to_string()),
        ("invitation_id", b_invitation.clone()),
        ("session_id", b_session.clone()),
        ("application_id", b_app.clone()),
        ("request_id", b_request.clone()),
    ]);
    let b_markers = vec![
        b_request,
        b_app,
        b_invitation,
        b_session,
        b.clone(),
        b_admin,
        b_member,
        b_link,
        "Bravo".into(),
        "bravo".into(),
        b_body["cnpj"].as_str().unwrap().to_string(),
        b_secret.clone(),
        b_secret[b_secret.len() - 4..].to_string(),
    ];
    World {
        server,
        owner,
        a,
        a_admin,
        a_link,
        a_app_key,
        b,
        b_admin_session,
        b_ids,
        b_markers,
    }
}

fn assert_no_b_data(w: &World, what: &str, r: &Resp) {
    for m in &w.b_markers {
        assert!(
            !r.text.contains(m.as_str()),
            "{what} revealed {m:?}: {}",
            r.text
        );
    }
}

/// What the owner sees of B, to check that the walk changed nothing.
async fn b_state(w: &World) -> Value {
    let b = &w.b;
    let mut state = json!({
        "users": all_pages(&w.owner, &format!("/api/v1/companies/{b}/users")).await,
        "audit": audit_events(&w.owner, &format!("company_id={b}")).await,
        "app_roles": w.owner.get(&format!("/api/v1/companies/{b}/users/{}/app-roles", w.b_ids["user_id"])).await.body,
    });
    for part in [
        "",
        "/secrets",
        "/links",
        "/domains",
        "/invitations",
        "/sessions",
        "/app-roles",
        "/privacy-requests",
        "/dpo",
    ] {
        state[part] = w
            .owner
            .get(&format!("/api/v1/companies/{b}{part}"))
            .await
            .body;
    }
    state
}

#[tokio::test]
async fn company_scoped_routes_never_reach_another_company() {
    let w = world().await;
    let spec = w.server.anon().get("/api/openapi.json").await.body;
    let (scoped, other) = routes(&spec, SCOPED_PREFIXES, NOT_COMPANY_SCOPED);
    assert!(
        scoped.len() >= 20,
        "only {} company-scoped routes",
        scoped.len()
    );
    let before = b_state(&w).await;
    let admin = w.server.login("admin@alfa.test", PASSWORD).await;
    let member = w.server.login("membro@alfa.test", PASSWORD).await;
    let anon = w.server.anon();
    let app = anon.with_token(&w.a_app_key);
    let callers = [
        ("anonymous", &anon, Kind::Anonymous),
        ("member of A", &member, Kind::Session),
        ("admin of A", &admin, Kind::Session),
        ("application of A", &app, Kind::App),
    ];

    for route in &scoped {
        let path = fill(route, &w.b_ids);
        // A's own company with B's objects (not a kind, which is only a name) in the others.
        let mut mixed = w.b_ids.clone();
        mixed.insert("id", w.a.clone());
        let mixed_path = fill(route, &mixed);
        for (who, client, kind) in callers {
            let mut paths = vec![&path];
            let names_b_object = route.params.iter().any(|p| p != "id" && p != "kind");
            // Only callers with every right on A: a member may be refused for their role first.
            if names_b_object && matches!(who, "admin of A" | "application of A") {
                paths.push(&mixed_path);
            }
            for path in paths {
                let what = format!("{who} {} {path}", route.method);
                let r = client
                    .send(route.method.clone(), path, route.body.clone())
                    .await;
                let expected = route.refusal(kind);
                assert_eq!(r.status, expected, "{what}: {}", r.text);
                let code = if expected == StatusCode::NOT_FOUND {
                    "not_found"
                } else {
                    "unauthorized"
                };
                assert_eq!(r.body["code"], code, "{what}: {}", r.text);
                assert_no_b_data(&w, &what, &r);
            }
        }
    }

    // Routes that name no company must not show B's data to A's users or A's application,
    // whatever company, search or host they are asked about.
    let b_query = B_QUERY.replace("{b}", &w.b);
    for route in other
        .iter()
        .filter(|r| r.method == Method::GET && r.params.is_empty())
    {
        for (who, client, _) in &callers[1..] {
            for path in [route.path.clone(), format!("{}?{b_query}", route.path)] {
                let r = client.get(&path).await;
                assert!(!r.status.is_server_error(), "{who} GET {path}: {}", r.text);
                assert_no_b_data(&w, &format!("{who} GET {path}"), &r);
            }
        }
    }
    // A session of B's admin is not valid for A's application.
    let r = app
        .post(
            "/api/v1/app/sessions/validate",
            json!({"token": w.b_admin_session}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["valid"], false, "{}", r.text);
    assert_no_b_data(&w, "validate B's session", &r);

    let after = b_state(&w).await;
    for (part, was) in before.as_object().expect("an object") {
        assert_eq!(&after[part], was, "the walk changed company B's {part:?}");
    }
}

#[tokio::test]
async fn a_member_cannot_use_admin_routes_of_their_own_company() {
    let w = world().await;
    let spec = w.server.anon().get("/api/openapi.json").await.body;
    let (scoped, _) = routes(&spec, SCOPED_PREFIXES, NOT_COMPANY_SCOPED);
    let member = w.server.login("membro@alfa.test", PASSWORD).await;
    let r = member
        .post(
            &format!("/api/v1/companies/{}/privacy-requests", w.a),
            json!({"kind": "access"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let own = BTreeMap::from([
        ("request_id", r.body["id"].as_str().unwrap().to_string()),
        ("id", w.a.clone()),
        ("user_id", w.a_admin.clone()),
        ("kind", "omie".to_string()),
        ("link_id", w.a_link.clone()),
        ("domain", "app.alfa.test".to_string()),
    ]);
    let a_before = w
        .owner
        .get(&format!("/api/v1/companies/{}", w.a))
        .await
        .body;
    for route in scoped.iter().filter(|r| r.sessions) {
        let path = fill(route, &own);
        let r = member
            .send(route.method.clone(), &path, route.body.clone())
            .await;
        let what = format!("member of A {} {path}", route.method);
        if route.method == Method::GET {
            assert!(
                [StatusCode::OK, StatusCode::FORBIDDEN].contains(&r.status),
                "{what}: {}",
                r.text
            );
        } else if MEMBER_WRITES.contains(&(route.method.as_str(), route.path.as_str())) {
            // A member files privacy requests for themselves; a colleague's export is a 404.
            assert!(
                [StatusCode::CREATED, StatusCode::NOT_FOUND].contains(&r.status),
                "{what}: {}",
                r.text
            );
        } else {
            // Objects A does not have (a link or domain named by placeholder) may be 404.
            let placeholder = path.contains("walker-");
            let allowed = [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
            assert!(
                r.status == StatusCode::FORBIDDEN || placeholder && allowed.contains(&r.status),
                "{what}: {}",
                r.text
            );
        }
        assert!(
            !r.text.contains("alfa-omie-secret-value"),
            "{what}: {}",
            r.text
        );
    }
    let a_after = w
        .owner
        .get(&format!("/api/v1/companies/{}", w.a))
        .await
        .body;
    assert_eq!(a_after, a_before);
    let r = w
        .owner
        .get(&format!("/api/v1/companies/{}/users/{}", w.a, w.a_admin))
        .await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
}
