//! Tenant isolation, walked from the live OpenAPI document: every company-scoped route, with
//! company B's ids, answers 404 to A's admin and A's member and 401 to anyone anonymous, and no
//! answer carries B's data. Routes added later are walked without editing this file; a path
//! that is not company-scoped must be listed in `NOT_COMPANY_SCOPED`, or the test fails.

mod common;

use std::collections::BTreeMap;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

/// Paths that do not name a company. The walker reads them (GET only) for B's data but does
/// not substitute ids into them. A new path must be added here or live under
/// `/api/v1/companies/{id}`.
const NOT_COMPANY_SCOPED: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
    "/api/v1/auth/password",
    "/api/v1/setup",
    "/api/v1/signup",
    "/api/v1/companies",
    "/api/v1/users",
    "/api/v1/secret-kinds",
    "/api/v1/audit-events",
];

const COMPANY_SCOPED_PREFIX: &str = "/api/v1/companies/{id}";

struct Route {
    method: Method,
    path: String,
    params: Vec<String>,
    body: Option<Value>,
}

/// A value of the right type for a schema, so a body parses and the handler's access checks run.
fn example(spec: &Value, schema: &Value, name: &str) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let target = &spec["components"]["schemas"][r.rsplit('/').next().unwrap()];
        return example(spec, target, name);
    }
    if let Some(first) = schema["allOf"].as_array().and_then(|a| a.first()) {
        return example(spec, first, name);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match schema["type"].as_str().unwrap_or("object") {
        "string" if name.contains("email") => json!("walker@walker.test"),
        "string" if name.contains("password") => json!("walker-password-123"),
        "string" if name.contains("cnpj") => json!(cnpj(99_999)),
        "string" => json!("Walker"),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => {
            let mut obj = Map::new();
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().unwrap();
                let prop = &schema["properties"][key];
                obj.insert(key.to_string(), example(spec, prop, key));
            }
            if obj.is_empty() && schema["additionalProperties"].is_object() {
                obj.insert("walker".into(), json!("walker-value"));
            }
            Value::Object(obj)
        }
    }
}

/// Every operation of the live spec, checking that each path is classified.
fn routes(spec: &Value) -> (Vec<Route>, Vec<Route>) {
    let mut scoped = Vec::new();
    let mut other = Vec::new();
    let mut unclassified = Vec::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        let is_scoped =
            path == COMPANY_SCOPED_PREFIX || path.starts_with(&format!("{COMPANY_SCOPED_PREFIX}/"));
        let listed = NOT_COMPANY_SCOPED.contains(&path.as_str());
        assert!(!(is_scoped && listed), "{path} is both scoped and listed");
        if !is_scoped && !listed {
            unclassified.push(path.clone());
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let params = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_string)
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|media| example(spec, &media["schema"], ""));
            let route = Route {
                method: method.to_uppercase().parse().expect("method"),
                path: path.clone(),
                params,
                body,
            };
            if is_scoped {
                scoped.push(route);
            } else {
                other.push(route);
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "classify these paths: put them under {COMPANY_SCOPED_PREFIX} or add them to \
         NOT_COMPANY_SCOPED in tests/core_isolation.rs: {unclassified:?}"
    );
    (scoped, other)
}

fn fill(route: &Route, ids: &BTreeMap<&str, String>) -> String {
    let mut path = route.path.clone();
    for p in &route.params {
        // A parameter this test has no object for still gets a value, so the route is walked.
        let value = ids.get(p.as_str()).cloned().unwrap_or_else(|| {
            eprintln!(
                "note: no object of B for {{{p}}} in {}; using a placeholder",
                route.path
            );
            format!("walker-{p}")
        });
        path = path.replace(&format!("{{{p}}}"), &value);
    }
    path
}

struct World {
    server: Server,
    owner: Client,
    a: String,
    a_admin: String,
    b: String,
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
    let b_secret = format!("bravo-omie-secret-{}", rand::random::<u64>());
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
    let b_body = owner.get(&format!("/api/v1/companies/{b}")).await.body;
    let b_ids = BTreeMap::from([
        ("id", b.clone()),
        ("user_id", b_admin.clone()),
        ("kind", "omie".to_string()),
    ]);
    let b_markers = vec![
        b.clone(),
        b_admin,
        b_member,
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
        b,
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
    json!({
        "company": w.owner.get(&format!("/api/v1/companies/{}", w.b)).await.body,
        "users": all_pages(&w.owner, &format!("/api/v1/companies/{}/users", w.b)).await,
        "secrets": w.owner.get(&format!("/api/v1/companies/{}/secrets", w.b)).await.body,
        "audit": audit_events(&w.owner, &format!("company_id={}", w.b)).await,
    })
}

#[tokio::test]
async fn company_scoped_routes_never_reach_another_company() {
    let w = world().await;
    let spec = w.server.anon().get("/api/openapi.json").await.body;
    let (scoped, other) = routes(&spec);
    assert!(
        scoped.len() >= 15,
        "only {} company-scoped routes",
        scoped.len()
    );
    let before = b_state(&w).await;
    let admin = w.server.login("admin@alfa.test", PASSWORD).await;
    let member = w.server.login("membro@alfa.test", PASSWORD).await;
    let anon = w.server.anon();

    for route in &scoped {
        let path = fill(route, &w.b_ids);
        let what = format!("{} {path}", route.method);
        let r = anon
            .send(route.method.clone(), &path, route.body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "anonymous {what}: {}",
            r.text
        );
        assert_no_b_data(&w, &format!("anonymous {what}"), &r);
        for (who, client) in [("member of A", &member), ("admin of A", &admin)] {
            let r = client
                .send(route.method.clone(), &path, route.body.clone())
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {what}: {}", r.text);
            assert_eq!(r.body["code"], "not_found", "{who} {what}: {}", r.text);
            assert_no_b_data(&w, &format!("{who} {what}"), &r);
        }
        // A's own company with B's objects in the other parameters.
        if route.params.len() > 1 && route.params.iter().any(|p| p.ends_with("_id")) {
            let mut mixed = w.b_ids.clone();
            mixed.insert("id", w.a.clone());
            let path = fill(route, &mixed);
            let r = admin
                .send(route.method.clone(), &path, route.body.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "admin of A {} {path}: {}",
                route.method,
                r.text
            );
            assert_no_b_data(&w, &format!("admin of A {} {path}", route.method), &r);
        }
    }

    // Routes that name no company must not show B's data to A's users either, whatever
    // company filter they are given.
    for route in other.iter().filter(|r| r.method == Method::GET) {
        for (who, client) in [("member of A", &member), ("admin of A", &admin)] {
            let r = client.get(&route.path).await;
            assert!(
                !r.status.is_server_error(),
                "{who} GET {}: {}",
                route.path,
                r.text
            );
            assert_no_b_data(&w, &format!("{who} GET {}", route.path), &r);
            let filtered = format!("{}?company_id={}&q=bravo", route.path, w.b);
            let r = client.get(&filtered).await;
            assert!(
                !r.status.is_server_error(),
                "{who} GET {filtered}: {}",
                r.text
            );
            assert_no_b_data(&w, &format!("{who} GET {filtered}"), &r);
        }
    }
    assert_eq!(b_state(&w).await, before, "the walk changed company B");
}

#[tokio::test]
async fn a_member_cannot_use_admin_routes_of_their_own_company() {
    let w = world().await;
    let spec = w.server.anon().get("/api/openapi.json").await.body;
    let (scoped, _) = routes(&spec);
    let member = w.server.login("membro@alfa.test", PASSWORD).await;
    let own = BTreeMap::from([
        ("id", w.a.clone()),
        ("user_id", w.a_admin.clone()),
        ("kind", "omie".to_string()),
    ]);
    let a_before = w
        .owner
        .get(&format!("/api/v1/companies/{}", w.a))
        .await
        .body;
    for route in &scoped {
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
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text);
            assert_eq!(r.body["code"], "forbidden", "{what}: {}", r.text);
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
