//! Request input is checked by its types: each typed field refuses a bad value with a 400
//! naming it and changes nothing; bodies are read as strictly as the document says; the
//! document states each field's limit; a 405 lists the methods of the route's operations.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Sends `body` and asserts a 400 naming `field`.
async fn refused(client: &Client, method: Method, path: &str, body: Value, field: &str) {
    let r = client.send(method.clone(), path, Some(body.clone())).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "{method} {path} {body}: {}",
        r.text
    );
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{field}: ")),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn each_typed_field_refuses_a_bad_value_by_name_and_changes_nothing() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Sistemas", 31).await;
    let path = format!("/api/v1/companies/{a}");
    let before = owner.get(&path).await.body;
    let long = |n: usize| "x".repeat(n);
    let patches = [
        (json!({"legal_name": long(201)}), "legal_name"),
        (json!({"trade_name": long(201)}), "trade_name"),
        (json!({"cnpj": "11 222 333 0001 81"}), "cnpj"),
        (json!({"cnpj": long(19)}), "cnpj"),
        (json!({"slug": long(64)}), "slug"),
        (
            json!({"contact_email": format!("{}@x.com", long(250))}),
            "contact_email",
        ),
        (json!({"contact_phone": long(33)}), "contact_phone"),
        (json!({"plan": long(51)}), "plan"),
        (json!({"max_users": 0}), "max_users"),
        (json!({"max_users": 100_001}), "max_users"),
        (json!({"max_users": u64::MAX}), "max_users"),
        (json!({"display_name": long(101)}), "display_name"),
        (json!({"primary_color": "#1a2b3c4"}), "primary_color"),
        (json!({"primary_color": long(24)}), "primary_color"),
        // Strictness poem-openapi's parser lacked: no text from a boolean or a number.
        (json!({"legal_name": true}), "legal_name"),
        (json!({"plan": 5}), "plan"),
        (json!({"max_users": "5"}), "max_users"),
        (
            json!({"legal_name": "Ok", "company_id": "cmp_x"}),
            "company_id",
        ),
    ];
    for (body, field) in patches {
        refused(&owner, Method::PATCH, &path, body, field).await;
    }
    assert_eq!(owner.get(&path).await.body, before);

    let users = format!("/api/v1/companies/{a}/users");
    let user = |email: Value, name: Value, password: Value| json!({"email": email, "name": name, "role": "member", "password": password});
    refused(
        &owner,
        Method::POST,
        &users,
        user(json!("a@alfa.test"), json!("N"), json!("x".repeat(257))),
        "password",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        &users,
        user(json!("a@alfa.test"), json!(long(121)), json!(PASSWORD)),
        "name",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        &users,
        user(json!(null), json!("N"), json!(PASSWORD)),
        "email",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        &users,
        user(json!(7), json!("N"), json!(PASSWORD)),
        "email",
    )
    .await;
    assert_eq!(all_pages(&owner, &users).await.len(), 0);

    // A role may be left out of a user's PATCH, but not sent as null: the schema does not
    // allow it.
    let u = common::user(&owner, &a, "b@alfa.test", "member").await;
    refused(
        &owner,
        Method::PATCH,
        &format!("{users}/{u}"),
        json!({"role": null}),
        "role",
    )
    .await;

    // Sign-up names nested fields by their path.
    let signup = json!({
        "company": {"legal_name": "Beta", "cnpj": cnpj(32), "contact_email": "b@beta.test", "extra": 1},
        "admin": {"name": "B", "email": "b@beta.test", "password": PASSWORD},
    });
    refused(
        &server.anon(),
        Method::POST,
        "/api/v1/signup",
        signup,
        "company.extra",
    )
    .await;
}

#[tokio::test]
async fn lists_names_and_limits_in_applications_links_and_secrets() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Gama", 33).await;
    let app = owner
        .post("/api/v1/applications", json!({"name": "ERP"}))
        .await;
    assert_eq!(app.status, StatusCode::CREATED, "{}", app.text);
    let app_id = app.body["id"].as_str().unwrap().to_string();

    let too_many: Vec<&str> = std::iter::repeat_n("company:read", 33).collect();
    let link = |scopes: Value| json!({"application_id": app_id, "company_id": a, "scopes": scopes});
    refused(
        &owner,
        Method::POST,
        "/api/v1/links",
        link(json!(too_many)),
        "scopes",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        "/api/v1/links",
        link(json!(["company:read", "x".repeat(101)])),
        "scopes[1]",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        "/api/v1/links",
        link(json!("company:read")),
        "scopes",
    )
    .await;
    assert!(all_pages(&owner, "/api/v1/links").await.is_empty());

    refused(
        &owner,
        Method::POST,
        "/api/v1/applications",
        json!({"name": "x".repeat(121)}),
        "name",
    )
    .await;
    refused(
        &owner,
        Method::PATCH,
        &format!("/api/v1/applications/{app_id}"),
        json!({"status": null}),
        "status",
    )
    .await;
    refused(
        &owner,
        Method::POST,
        &format!("/api/v1/applications/{app_id}/credentials"),
        json!({"label": "k", "expires_at": "tomorrow"}),
        "expires_at",
    )
    .await;
    let secret = format!("/api/v1/companies/{a}/secrets/omie");
    refused(
        &owner,
        Method::PUT,
        &secret,
        json!({"values": {"app_key": "k", "app_secret": "s".repeat(4097)}}),
        "values.app_secret",
    )
    .await;
    assert!(owner
        .get(&format!("/api/v1/companies/{a}/secrets"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // Parameters are typed as well.
    let r = owner
        .get(&format!("/api/v1/companies?q={}", "x".repeat(201)))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("q"));
    let r = owner.get("/api/v1/audit-events?from=yesterday").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
}

#[tokio::test]
async fn the_document_states_the_limits_and_405_lists_the_methods() {
    let server = Server::start();
    let anon = server.anon();
    let spec = anon.get("/api/openapi.json").await.body;
    let schemas = &spec["components"]["schemas"];
    let company = &schemas["CompanyCreateIn"]["properties"];
    assert_eq!(company["legal_name"]["maxLength"], 200);
    assert_eq!(company["cnpj"]["maxLength"], 34);
    for field in ["cnpj", "slug", "contact_email", "primary_color"] {
        assert!(
            company[field]["pattern"].is_string(),
            "{field}: {}",
            company[field]
        );
    }
    assert_eq!(company["max_users"]["minimum"], 1.0);
    assert_eq!(company["max_users"]["maximum"], 100_000.0);
    assert_eq!(
        schemas["LinkCreateIn"]["properties"]["scopes"]["maxItems"],
        32
    );
    assert!(schemas["DomainIn"]["properties"]["domain"]["pattern"].is_string());
    assert_eq!(
        schemas["SecretPutIn"]["properties"]["values"]["maxProperties"],
        16
    );
    // Every string a request can carry has a length limit.
    let mut unbounded = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let s = &p["schema"];
                if s["type"] == "string" && s.get("maxLength").is_none() && s.get("enum").is_none()
                {
                    unbounded.push(format!("{method} {path} {}", p["name"]));
                }
            }
        }
    }
    for (name, schema) in schemas.as_object().unwrap() {
        if !name.ends_with("In") {
            continue;
        }
        for (field, s) in schema["properties"].as_object().into_iter().flatten() {
            let s = if s["type"] == "array" { &s["items"] } else { s };
            if s["type"] == "string" && s.get("maxLength").is_none() {
                unbounded.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        unbounded.is_empty(),
        "strings without maxLength: {unbounded:?}"
    );

    let owner = server.owner().await;
    let r = owner.send(Method::DELETE, "/api/v1/companies", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text);
    assert_eq!(r.headers["allow"], "GET, HEAD, POST");
    let r = owner.send(Method::PUT, "/api/v1/links/lnk_x", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text);
    assert_eq!(r.headers["allow"], "DELETE, PATCH");
}
