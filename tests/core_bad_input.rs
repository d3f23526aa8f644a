//! Bad input: each gets a 4xx whose `field` names the culprit, and nothing changes.

use crate::common::*;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Everything an owner can read: companies, users and the audit log.
async fn snapshot(owner: &Client) -> Value {
    json!({
        "companies": all_pages(owner, "/api/v1/companies?limit=200").await,
        "users": all_pages(owner, "/api/v1/users?limit=200").await,
        "audit": audit_events_by_callers(owner, "limit=200").await,
    })
}

struct Fixture {
    server: Server,
    owner: Client,
    a: String,
}

/// Company A (with Ana) and company B (with Bruno).
async fn fixture() -> Fixture {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Sistemas", 1).await;
    let b = company(&owner, "Beta Sistemas", 2).await;
    user(&owner, &a, "ana@alfa.test", "company_admin").await;
    user(&owner, &b, "bruno@beta.test", "member").await;
    Fixture { server, owner, a }
}

fn png_data_url(bytes: usize) -> String {
    // A PNG signature, then filler: the server checks the magic number against the type.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(bytes, 7);
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    format!("data:image/png;base64,{data}")
}

#[tokio::test]
async fn bad_json_bodies_name_the_field_and_change_nothing() {
    let Fixture { server, owner, a } = fixture().await;
    let admin = server.login("ana@alfa.test", PASSWORD).await;
    let ana = admin.get("/api/v1/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let users = format!("/api/v1/companies/{a}/users");
    let company_path = format!("/api/v1/companies/{a}");
    let long = "x".repeat(201);
    let new_user = |email: &str| json!({"email": email, "name": "Nova", "role": "member", "password": PASSWORD});
    let signup = |company: Value, admin: Value| json!({"company": company, "admin": admin});
    let good_company =
        json!({"legal_name": "Gama", "cnpj": cnpj(3), "contact_email": "g@gama.test"});
    let good_admin = json!({"name": "Gil", "email": "gil@gama.test", "password": PASSWORD});

    let companies = "/api/v1/companies".to_string();
    let signup_path = "/api/v1/signup".to_string();
    let secret = |kind: &str| format!("/api/v1/companies/{a}/secrets/{kind}");
    let dup = cnpj(2);
    let dup_formatted = format!(
        "{}.{}.{}/{}-{}",
        &dup[0..2],
        &dup[2..5],
        &dup[5..8],
        &dup[8..12],
        &dup[12..]
    );
    let (post, patch, put) = (Method::POST, Method::PATCH, Method::PUT);
    // (who, method, path, body, status, field); 400 answers `invalid`, 409 `conflict`.
    #[rustfmt::skip]
    let cases: Vec<(&Client, Method, String, Value, u16, &str)> = vec![
        // CNPJ: check digits, length, repeated digits, letters; duplicates formatted or bare.
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": "11.222.333/0001-00"}), 400, "cnpj"),
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": "1234567800019"}), 400, "cnpj"),
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": "11111111111111"}), 400, "cnpj"),
        (&owner, patch.clone(), company_path.clone(), json!({"cnpj": "ab.cde.fgh/ijkl-mn"}), 400, "cnpj"),
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": dup}), 409, "cnpj"),
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": dup_formatted}), 409, "cnpj"),
        (&owner, patch.clone(), company_path.clone(), json!({"cnpj": dup}), 409, "cnpj"),
        (&owner, post.clone(), signup_path.clone(), signup(json!({"legal_name": "Gama", "cnpj": "123", "contact_email": "g@gama.test"}), good_admin.clone()), 400, "company.cnpj"),
        // E-mail addresses are unique whatever their case, across companies and owners.
        (&admin, post.clone(), users.clone(), new_user("ANA@Alfa.test"), 409, "email"),
        (&admin, post.clone(), users.clone(), new_user("Bruno@BETA.test"), 409, "email"),
        (&admin, post.clone(), users.clone(), new_user("Owner@Armario.Test"), 409, "email"),
        (&admin, post.clone(), users.clone(), new_user("sem-arroba"), 400, "email"),
        (&admin, patch.clone(), format!("{users}/{ana}"), json!({"email": "BRUNO@beta.TEST"}), 409, "email"),
        (&owner, patch.clone(), company_path.clone(), json!({"slug": "beta-sistemas"}), 409, "slug"),
        // Lengths.
        (&owner, post.clone(), companies.clone(), json!({"legal_name": long, "cnpj": cnpj(4)}), 400, "legal_name"),
        (&admin, patch.clone(), company_path.clone(), json!({"display_name": "d".repeat(101)}), 400, "display_name"),
        (&admin, post.clone(), users.clone(), json!({"email": "n@alfa.test", "name": "n".repeat(121), "role": "member", "password": PASSWORD}), 400, "name"),
        (&admin, post.clone(), users.clone(), json!({"email": "n@alfa.test", "name": "N", "role": "member", "password": "curta"}), 400, "password"),
        (&admin, put.clone(), secret("asaas"), json!({"values": {"api_key": "k".repeat(4097)}}), 400, "values.api_key"),
        (&owner, post.clone(), signup_path.clone(), signup(json!({"legal_name": long, "cnpj": cnpj(3), "contact_email": "g@gama.test"}), good_admin.clone()), 400, "company.legal_name"),
        // Wrong types and missing fields, named by their path in the body.
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": cnpj(4), "max_users": "abc"}), 400, "max_users"),
        (&owner, patch.clone(), company_path.clone(), json!({"max_users": "abc"}), 400, "max_users"),
        (&owner, patch.clone(), company_path.clone(), json!({"max_users": 0}), 400, "max_users"),
        (&owner, post.clone(), companies.clone(), json!({"cnpj": cnpj(4)}), 400, "legal_name"),
        (&admin, post.clone(), users.clone(), json!({"email": "n@alfa.test", "name": "N", "role": "boss", "password": PASSWORD}), 400, "role"),
        (&owner, post.clone(), signup_path.clone(), signup(json!({"legal_name": ["Gama"], "cnpj": cnpj(3), "contact_email": "g@gama.test"}), good_admin.clone()), 400, "company.legal_name"),
        (&owner, post.clone(), signup_path.clone(), json!({"company": good_company.clone()}), 400, "admin"),
        (&admin, put.clone(), secret("omie"), json!({"values": {"app_key": "k", "app_secret": {"v": 12}}}), 400, "values.app_secret"),
        (&admin, put.clone(), secret("omie"), json!({"values": {"app_key": "k"}}), 400, "values.app_secret"),
        (&admin, put.clone(), secret("Nope"), json!({"values": {"x": "y"}}), 400, "kind"),
        // Branding and contact.
        (&admin, patch.clone(), company_path.clone(), json!({"primary_color": "red"}), 400, "primary_color"),
        (&admin, patch.clone(), company_path.clone(), json!({"primary_color": "#12345g"}), 400, "primary_color"),
        (&owner, post.clone(), companies.clone(), json!({"legal_name": "X", "cnpj": cnpj(4), "primary_color": "#1234"}), 400, "primary_color"),
        (&admin, patch.clone(), company_path.clone(), json!({"logo_data_url": png_data_url(64 * 1024 + 1)}), 400, "logo_data_url"),
        (&admin, patch.clone(), company_path.clone(), json!({"logo_data_url": "data:text/html;base64,PGgxPg=="}), 400, "logo_data_url"),
        (&admin, patch.clone(), company_path.clone(), json!({"logo_data_url": "https://example.com/logo.png"}), 400, "logo_data_url"),
        (&admin, patch.clone(), company_path.clone(), json!({"contact_phone": "ligue já"}), 400, "contact_phone"),
    ];
    let mut before = snapshot(&owner).await;
    for (who, method, path, body, status, field) in cases {
        let status = StatusCode::from_u16(status).unwrap();
        let code = if status == StatusCode::CONFLICT {
            "conflict"
        } else {
            "invalid"
        };
        let r = who.send(method.clone(), &path, Some(body.clone())).await;
        let shown: String = body.to_string().chars().take(120).collect();
        assert_eq!(r.status, status, "{method} {path} {shown}: {}", r.text);
        assert_error(&r, status, code, Some(field));
        let after = snapshot(&owner).await;
        assert_eq!(after, before, "{method} {path} {shown} changed something");
        before = after;
    }
    // A logo just under the limit is fine: the limit is where the documentation says.
    let r = admin
        .patch(
            &company_path,
            json!({"logo_data_url": png_data_url(64 * 1024)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn malformed_bodies_and_bad_parameters_name_the_field() {
    let Fixture { server, owner, a } = fixture().await;
    let before = snapshot(&owner).await;
    let company_path = format!("/api/v1/companies/{a}");
    let json_ct = "application/json";

    for body in ["{\"legal_name\": \"X\", ", "not json", "", "[1, 2]", "null"] {
        let r = owner
            .send_raw(Method::POST, "/api/v1/companies", json_ct, body)
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("body"));
        let r = owner
            .send_raw(Method::PATCH, &company_path, json_ct, body)
            .await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text);
    }
    let r = server
        .anon()
        .send_raw(Method::POST, "/api/v1/auth/login", json_ct, "{\"email\": ")
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("body"));
    let r = owner
        .send_raw(Method::POST, "/api/v1/companies", "text/plain", "{}")
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert!(r.body["code"].is_string(), "{}", r.text);

    // Page sizes and other query parameters.
    for (query, field) in [
        ("/api/v1/companies?limit=201", "limit"),
        ("/api/v1/companies?limit=0", "limit"),
        ("/api/v1/companies?limit=abc", "limit"),
        ("/api/v1/companies?limit=-1", "limit"),
        ("/api/v1/companies?status=closed", "status"),
        ("/api/v1/users?limit=201", "limit"),
        ("/api/v1/users?role=king", "role"),
        ("/api/v1/audit-events?limit=201", "limit"),
        ("/api/v1/audit-events?cursor=abc", "cursor"),
        ("/api/v1/audit-events?to=2024-13-01", "to"),
    ] {
        let r = owner.get(query).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
    }
    let r = owner
        .get(&format!("/api/v1/companies/{a}/users?limit=201"))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("limit"));
    let r = owner.get("/api/v1/companies?limit=200").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // A body over the size limit is refused before it is read.
    let huge = json!({"logo_data_url": png_data_url(300 * 1024)}).to_string();
    let r = owner
        .send_raw(Method::PATCH, &company_path, json_ct, huge)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.body["code"], "payload_too_large");
    assert_eq!(
        r.headers["connection"], "close",
        "the unread body ends the connection"
    );

    assert_eq!(snapshot(&owner).await, before, "something changed");
}
