//! Applications: credentials, links with scopes, and the API applications call.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct World {
    server: Server,
    owner: Client,
    app_id: String,
    key: String,
    a: String,
    b: String,
    link_a: String,
}

async fn issue(
    owner: &Client,
    app: &str,
    label: &str,
    expires_at: Option<&str>,
) -> (String, String) {
    let mut body = json!({"label": label});
    if let Some(e) = expires_at {
        body["expires_at"] = e.into();
    }
    let r = owner
        .post(&format!("/api/v1/applications/{app}/credentials"), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (
        r.body["credential"]["id"].as_str().unwrap().into(),
        r.body["secret"].as_str().unwrap().into(),
    )
}

async fn world(env: &[(&str, &str)]) -> World {
    world_on(Server::start_with(env)).await
}

async fn world_on(server: Server) -> World {
    let owner = server.owner().await;
    let a = company(&owner, "Oficina Alfa", 11).await;
    let b = company(&owner, "Oficina Beta", 12).await;
    let r = owner
        .post(
            "/api/v1/applications",
            json!({"name": "Integrador Omie", "contact_email": "dev@integrador.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let app_id = r.body["id"].as_str().unwrap().to_string();
    let (_, key) = issue(&owner, &app_id, "produção", None).await;
    assert!(key.starts_with("arm_live_"));
    let link_a = link(&owner, &app_id, &a, ALL_SCOPES).await;
    for c in [&a, &b] {
        omie_secret(&owner, c, &format!("key-{c}"), &format!("secret-of-{c}")).await;
    }
    World {
        server,
        owner,
        app_id,
        key,
        a,
        b,
        link_a,
    }
}

fn app_client(w: &World, key: &str) -> Client {
    w.server.anon().with_token(key)
}

#[tokio::test]
async fn application_reads_only_linked_companies_with_scopes() {
    let w = world(&[]).await;
    let app = app_client(&w, &w.key);

    let r = app.get("/api/v1/app/companies").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["company"]["id"], w.a.as_str());
    assert!(!r.text.contains(&w.b));

    assert_eq!(
        app.get(&format!("/api/v1/app/companies/{}", w.a))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .get(&format!("/api/v1/app/companies/{}/secrets/omie", w.a))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["values"]["app_secret"], format!("secret-of-{}", w.a));

    // Company B is not linked: every route answers 404 and shows nothing of B.
    for path in ["", "/secrets/omie", "/users", "/usage"] {
        let r = app
            .get(&format!("/api/v1/app/companies/{}{path}", w.b))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.text.contains("secret-of"), "{path}");
    }

    // A missing scope is 403.
    let r = w
        .owner
        .patch(
            &format!("/api/v1/links/{}", w.link_a),
            json!({"scopes": ["company:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .get(&format!("/api/v1/app/companies/{}/secrets/omie", w.a))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/app/companies/{}/users", w.a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The decrypted read was audited, naming the application and the company.
    let r = w
        .owner
        .get(&format!(
            "/api/v1/audit-events?action=secret.read&company_id={}",
            w.a
        ))
        .await;
    let events = r.body["items"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{}", r.body);
    assert_eq!(events[0]["actor_kind"], "application");
    assert_eq!(events[0]["actor_id"], w.app_id.as_str());
}

#[tokio::test]
async fn refusals_have_the_documented_status() {
    let w = world(&[]).await;
    let app = app_client(&w, &w.key);
    let path = format!("/api/v1/app/companies/{}", w.a);

    // No key, a malformed key, an unknown well-formed key: 401.
    assert_eq!(
        w.server.anon().get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app_client(&w, "nope").get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = format!("arm_live_{}", "A".repeat(43));
    assert_eq!(
        app_client(&w, &unknown).get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );

    // X-Api-Key works like the bearer header.
    let r = reqwest::Client::new()
        .get(w.server.url(&path))
        .header("X-Api-Key", &w.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A suspended company: 403 and no data.
    assert_eq!(
        w.owner
            .post_empty(&format!("/api/v1/companies/{}/suspend", w.a))
            .await
            .status,
        StatusCode::OK
    );
    let r = app.get(&format!("{path}/secrets/omie")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.text.contains("secret-of"));
    assert_eq!(
        w.owner
            .post_empty(&format!("/api/v1/companies/{}/reactivate", w.a))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(app.get(&path).await.status, StatusCode::OK);

    // A disabled application: 403 on every key.
    let r = w
        .owner
        .patch(
            &format!("/api/v1/applications/{}", w.app_id),
            json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get(&path).await.status, StatusCode::FORBIDDEN);
    w.owner
        .patch(
            &format!("/api/v1/applications/{}", w.app_id),
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(app.get(&path).await.status, StatusCode::OK);

    // A revoked link: 404.
    let admin_a = user(&w.owner, &w.a, "admin@alfa.test", "company_admin").await;
    let _ = admin_a;
    let admin = w.server.login("admin@alfa.test", PASSWORD).await;
    let r = admin.get(&format!("/api/v1/companies/{}/links", w.a)).await;
    assert_eq!(r.body["items"][0]["id"], w.link_a.as_str());
    let r = admin
        .delete(&format!("/api/v1/companies/{}/links/{}", w.a, w.link_a))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = w
        .owner
        .get(&format!(
            "/api/v1/audit-events?action=link.revoked&company_id={}",
            w.a
        ))
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}

/// The company an application reads is kept in memory between writes; every acknowledged
/// change shows on the application's very next read.
#[tokio::test]
async fn the_application_reads_each_change_as_soon_as_it_is_acknowledged() {
    let w = world(&[]).await;
    let app = app_client(&w, &w.key);
    let path = format!("/api/v1/app/companies/{}", w.a);
    for _ in 0..5 {
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["legal_name"], "Oficina Alfa");
        assert_eq!(r.body["user_count"], 0);
    }

    let r = w
        .owner
        .patch(
            &format!("/api/v1/companies/{}", w.a),
            json!({"legal_name": "Oficina Alfa Renomeada"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.get(&path).await;
    assert_eq!(r.body["legal_name"], "Oficina Alfa Renomeada", "{}", r.body);

    // A change to another table that the company's answer counts.
    user(&w.owner, &w.a, "novo@alfa.test", "member").await;
    assert_eq!(app.get(&path).await.body["user_count"], 1);

    assert_eq!(
        w.owner
            .post_empty(&format!("/api/v1/companies/{}/suspend", w.a))
            .await
            .status,
        StatusCode::OK
    );
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.text.contains("Oficina Alfa"), "{}", r.text);

    // Another company's change leaves this one's answer right, and the neighbour stays a 404.
    let r = w
        .owner
        .patch(
            &format!("/api/v1/companies/{}", w.b),
            json!({"legal_name": "Oficina Beta Nova"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/app/companies/{}", w.b))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn keys_rotate_with_overlap_and_expire() {
    let w = world(&[]).await;
    let path = format!("/api/v1/app/companies/{}", w.a);
    let (new_id, new_key) = issue(&w.owner, &w.app_id, "rotação", None).await;
    let _ = new_id;
    assert_eq!(
        app_client(&w, &w.key).get(&path).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app_client(&w, &new_key).get(&path).await.status,
        StatusCode::OK
    );

    let r = w
        .owner
        .get(&format!("/api/v1/applications/{}/credentials", w.app_id))
        .await;
    let old = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "produção")
        .unwrap()
        .clone();
    assert!(old["last_used_at"].is_string(), "last use recorded: {old}");
    assert_eq!(old["last_used_ip"], "127.0.0.1");
    assert!(!r.text.contains(&w.key[10..]), "the secret is never listed");

    let r = w
        .owner
        .delete(&format!(
            "/api/v1/applications/{}/credentials/{}",
            w.app_id,
            old["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app_client(&w, &w.key).get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app_client(&w, &new_key).get(&path).await.status,
        StatusCode::OK
    );

    // A key that expires: works before, refused after.
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let (_, short) = issue(&w.owner, &w.app_id, "curta", Some(&soon)).await;
    assert_eq!(
        app_client(&w, &short).get(&path).await.status,
        StatusCode::OK
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let s = app_client(&w, &short).get(&path).await.status;
        if s == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expired key still accepted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let r = w
        .owner
        .post(
            &format!("/api/v1/applications/{}/credentials", w.app_id),
            json!({"label": "x", "expires_at": past}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["field"], "expires_at");
}

#[tokio::test]
async fn sessions_validate_and_hosts_resolve() {
    let w = world(&[("ARMARIO_BASE_DOMAIN", "armario.test")]).await;
    let app = app_client(&w, &w.key);
    user(&w.owner, &w.a, "ana@alfa.test", "member").await;
    user(&w.owner, &w.b, "bia@beta.test", "member").await;
    let ana = w.server.login("ana@alfa.test", PASSWORD).await;
    let bia = w.server.login("bia@beta.test", PASSWORD).await;

    let r = app
        .post(
            "/api/v1/app/sessions/validate",
            json!({"token": ana.token.clone().unwrap()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["valid"], true);
    assert_eq!(r.body["company_id"], w.a.as_str());
    assert_eq!(r.body["role"], "member");
    // A user of an unlinked company, a garbage token, a logged-out token: not valid.
    for token in [bia.token.clone().unwrap(), "arm_sess_nope".to_string()] {
        let r = app
            .post("/api/v1/app/sessions/validate", json!({"token": token}))
            .await;
        assert_eq!(r.body, json!({"valid": false}));
    }
    ana.post_empty("/api/v1/auth/logout").await;
    let r = app
        .post(
            "/api/v1/app/sessions/validate",
            json!({"token": ana.token.clone().unwrap()}),
        )
        .await;
    assert_eq!(r.body["valid"], false);

    let slug = w
        .owner
        .get(&format!("/api/v1/companies/{}", w.a))
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .get(&format!("/api/v1/app/resolve?host={slug}.armario.test"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["id"], w.a.as_str());
    let r = w
        .owner
        .post(
            &format!("/api/v1/companies/{}/domains", w.a),
            json!({"domain": "App.Alfa.com.br"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = w
        .owner
        .post(
            &format!("/api/v1/companies/{}/domains", w.b),
            json!({"domain": "app.alfa.com.br"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a domain belongs to one company"
    );
    assert_eq!(
        app.get("/api/v1/app/resolve?host=app.alfa.com.br")
            .await
            .body["id"],
        w.a.as_str()
    );
    let b_slug = w
        .owner
        .get(&format!("/api/v1/companies/{}", w.b))
        .await
        .body["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get(&format!("/api/v1/app/resolve?host={b_slug}.armario.test"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/app/resolve?host=unknown.example.com")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn usage_is_counted_per_application_company_and_group() {
    let w = world(&[]).await;
    let app = app_client(&w, &w.key);
    for _ in 0..3 {
        app.get(&format!("/api/v1/app/companies/{}", w.a)).await;
    }
    app.get(&format!("/api/v1/app/companies/{}/secrets/omie", w.a))
        .await;
    app.get("/api/v1/app/companies").await;

    let r = w.owner.get("/api/v1/usage").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let find = |body: &Value, company: Option<&str>, group: &str| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["company_id"].as_str() == company && i["route_group"] == group)
            .map(|i| i["requests"].as_i64().unwrap())
    };
    assert_eq!(find(&r.body, Some(&w.a), "companies"), Some(3));
    assert_eq!(find(&r.body, Some(&w.a), "secrets"), Some(1));
    assert_eq!(find(&r.body, None, "companies"), Some(1));
    assert_eq!(r.body["total"], 5);
    let o = w.owner.get("/api/v1/overview").await;
    assert_eq!(o.status, StatusCode::OK, "{}", o.body);
    assert_eq!(
        (
            o.body["requests_7d"].as_i64(),
            o.body["requests_30d"].as_i64()
        ),
        (Some(5), Some(5))
    );
    assert_eq!(o.body["companies"]["active"], 2);
    assert_eq!(o.body["applications"], 1);

    for path in [
        "/api/v1/usage?company_id=nope",
        "/api/v1/audit-events?company_id=nope",
    ] {
        let bad = w.owner.get(path).await;
        assert_eq!(
            (bad.status, bad.body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("company_id")),
            "{path}"
        );
    }
    let bad = w.owner.get("/api/v1/usage?application_id=nope").await;
    assert_eq!(bad.body["field"], "application_id");

    // Rows carry the names beside the ids.
    let row = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["company_id"] == w.a.as_str())
        .unwrap();
    assert_eq!(row["company_name"], "Oficina Alfa");
    assert_eq!(row["application_name"], "Integrador Omie");

    let csv = w.owner.get("/api/v1/usage.csv").await;
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.text.starts_with(
        "day,application_id,application_name,company_id,company_name,route_group,requests\r\n"
    ));
    assert!(csv.text.contains(&format!(
        ",{},Integrador Omie,{},Oficina Alfa,companies,3\r\n",
        w.app_id, w.a
    )));
    // For a spreadsheet in Brazilian Portuguese: `;`, a byte order mark, Portuguese headers.
    let csv = w.owner.get("/api/v1/usage.csv?locale=pt-BR").await;
    assert!(csv.text.starts_with(
        "\u{feff}dia;id_aplicacao;aplicacao;id_empresa;empresa;grupo_de_rotas;requisicoes\r\n"
    ));
    assert!(csv.text.contains(&format!(
        ";{};Integrador Omie;{};Oficina Alfa;companies;3\r\n",
        w.app_id, w.a
    )));
    let bad = w.owner.get("/api/v1/usage.csv?locale=fr").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);

    // Requests per company, with names; the request that named no company is left out.
    let by = w.owner.get("/api/v1/usage/companies").await;
    assert_eq!(by.status, StatusCode::OK, "{}", by.text);
    assert_eq!(
        by.body["items"],
        json!([{"company_id": w.a, "company_name": "Oficina Alfa", "requests": 4}])
    );

    // A company admin sees only their company; another company's usage is 404.
    user(&w.owner, &w.b, "admin@beta.test", "company_admin").await;
    let admin_b = w.server.login("admin@beta.test", PASSWORD).await;
    let r = admin_b.get("/api/v1/usage").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["total"], 0);
    let r = admin_b.get("/api/v1/usage/companies").await;
    assert_eq!(r.body["items"], json!([]), "{}", r.text);
    let r = admin_b
        .get(&format!("/api/v1/usage/companies?company_id={}", w.a))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        admin_b
            .get(&format!("/api/v1/usage?company_id={}", w.a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin_b
            .get(&format!("/api/v1/companies/{}/links", w.a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = admin_b
        .delete(&format!("/api/v1/companies/{}/links/{}", w.a, w.link_a))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin_b
            .delete(&format!("/api/v1/companies/{}/links/{}", w.b, w.link_a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The app reads its own usage for a linked company.
    let r = app
        .get(&format!("/api/v1/app/companies/{}/usage", w.a))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["total"].as_i64().unwrap() >= 4);
}

#[tokio::test]
async fn counts_survive_a_clean_shutdown_and_keys_never_hit_disk() {
    let mut w = world_on(Server::spawn_with(&[("ARMARIO_USAGE_FLUSH_SECS", "3600")])).await;
    let app = app_client(&w, &w.key);
    for _ in 0..4 {
        app.get(&format!("/api/v1/app/companies/{}", w.a)).await;
    }
    assert!(w.server.stop().success());
    let dir = std::mem::replace(&mut w.server.dir, tempfile::tempdir().unwrap());
    let logs = w.server.logs();
    let key_secret = &w.key["arm_live_".len()..];
    for name in ["armario.db", "armario.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join("data").join(name)) {
            assert!(
                !bytes
                    .windows(key_secret.len())
                    .any(|win| win == key_secret.as_bytes()),
                "key in {name}"
            );
        }
    }
    assert!(!logs.contains(key_secret), "key in logs");

    let server = Server::spawn_in(dir, &w.server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let r = owner.get("/api/v1/usage").await;
    assert_eq!(r.body["total"], 4, "{}", r.body);
}
