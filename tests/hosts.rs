//! Host names: a company answers at `<slug>.<base domain>` and at its own custom domains, and
//! no company can take over another's name, the base domain itself or a reserved slug.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const BASE: (&str, &str) = ("ARMARIO_BASE_DOMAIN", "armario.test");

struct World {
    server: Server,
    owner: Client,
    alpha: String,
    beta: String,
    app: String,
    key: String,
}

/// Companies `alpha` and `beta`, an application linked to both and its key.
async fn world(server: Server) -> World {
    let owner = server.owner().await;
    let mut ids = Vec::new();
    for (slug, seed) in [("alpha", 71), ("beta", 72)] {
        let r = owner
            .post(
                "/api/v1/companies",
                json!({"legal_name": format!("Oficina {slug}"), "cnpj": cnpj(seed), "slug": slug}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    let (alpha, beta) = (ids[0].clone(), ids[1].clone());
    let App { id: app, key, .. } = application(&owner, "Vitrine", "produção").await;
    for c in [&alpha, &beta] {
        link(&owner, &app, c, &["company:read"]).await;
    }
    World {
        server,
        owner,
        alpha,
        beta,
        app,
        key,
    }
}

impl World {
    /// The id of the company `host` resolves to, or the status when it resolves to none.
    async fn resolve(&self, host: &str) -> Result<String, StatusCode> {
        let r = self
            .server
            .anon()
            .with_token(&self.key)
            .get(&format!("/api/v1/app/resolve?host={}", enc(host)))
            .await;
        match r.status {
            StatusCode::OK => Ok(r.body["id"].as_str().unwrap().to_string()),
            other => Err(other),
        }
    }
}

#[tokio::test]
async fn custom_domains_under_the_base_domain_are_refused_and_slugs_resolve_by_slug_only() {
    let w = world(Server::start_with(&[BASE])).await;
    user(&w.owner, &w.alpha, "adm@alpha.test", "company_admin").await;
    let admin = w.server.login("adm@alpha.test", PASSWORD).await;
    let domains = format!("/api/v1/companies/{}/domains", w.alpha);

    // Beta's name, the base domain itself, deeper names and a future company's name.
    for (who, domain) in [
        (&admin, "beta.armario.test"),
        (&admin, "Beta.Armario.Test."),
        (&admin, "armario.test"),
        (&admin, "x.beta.armario.test"),
        (&admin, "gamma.armario.test"),
        (&w.owner, "beta.armario.test"),
        (&w.owner, "www.armario.test"),
    ] {
        let r = who.post(&domains, json!({ "domain": domain })).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("domain"));
    }
    let r = admin.get(&domains).await;
    assert_eq!(r.body["items"], json!([]), "nothing was registered");
    assert_eq!(audit_events(&w.owner, "action=domain.added").await.len(), 0);

    // A domain of its own still works, including one that merely ends like the base domain.
    for domain in ["app.alpha.com.br", "notarmario.test"] {
        let r = admin.post(&domains, json!({ "domain": domain })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{domain}: {}", r.body);
        assert_eq!(w.resolve(domain).await, Ok(w.alpha.clone()), "{domain}");
    }

    assert_eq!(w.resolve("beta.armario.test").await, Ok(w.beta.clone()));
    assert_eq!(w.resolve("alpha.armario.test").await, Ok(w.alpha.clone()));
    for host in ["armario.test", "x.beta.armario.test", "gamma.armario.test"] {
        assert_eq!(w.resolve(host).await, Err(StatusCode::NOT_FOUND), "{host}");
    }
}

#[tokio::test]
async fn reserved_slugs_are_refused_and_never_derived() {
    let w = world(Server::start_with(&[BASE])).await;
    let before = all_pages(&w.owner, "/api/v1/companies?limit=200").await;
    for (n, slug) in [
        "www",
        "api",
        "admin",
        "portal",
        "mail",
        "static",
        "app",
        "auth",
        "login",
        "sso",
        "status",
        "docs",
        "cdn",
        "assets",
        "smtp",
        "imap",
        "ftp",
        "ns1",
        "ns2",
        "webmail",
        "armario",
        "support",
        "help",
        "billing",
        "dashboard",
        "metrics",
    ]
    .into_iter()
    .enumerate()
    {
        let r = w
            .owner
            .post(
                "/api/v1/companies",
                json!({"legal_name": "Loja", "cnpj": cnpj(500 + n as u32), "slug": slug}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("slug"));
        assert!(r.body["message"].as_str().unwrap().contains("reserved"));
        let r = w
            .owner
            .patch(
                &format!("/api/v1/companies/{}", w.alpha),
                json!({ "slug": slug.to_uppercase() }),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("slug"));
    }
    assert_eq!(
        all_pages(&w.owner, "/api/v1/companies?limit=200").await,
        before,
        "nothing changed"
    );

    // A company named like a reserved slug gets a derived slug with a suffix instead, whether
    // the owner registers it or it signs up.
    let r = w
        .owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "WWW", "cnpj": cnpj(601)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["slug"], "www-2");
    let r = w
        .server
        .anon()
        .post(
            "/api/v1/signup",
            json!({
                "company": {"legal_name": "Admin", "cnpj": cnpj(602), "contact_email": "c@admin.test"},
                "admin": {"name": "Ana", "email": "ana@admin.test", "password": PASSWORD}
            }),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let found = all_pages(&w.owner, "/api/v1/companies?q=Admin&limit=200").await;
    let slugs: Vec<&str> = found.iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, vec!["admin-2"]);
    assert_eq!(
        w.resolve("admin.armario.test").await,
        Err(StatusCode::NOT_FOUND)
    );
    assert_eq!(
        w.resolve("www.armario.test").await,
        Err(StatusCode::NOT_FOUND)
    );
}

#[tokio::test]
async fn rows_that_break_the_host_rules_are_reported_at_start_and_ignored() {
    let mut w = world(Server::spawn_with(&[BASE])).await;
    let gamma = company(&w.owner, "Oficina Gama", 73).await;
    let r = w
        .owner
        .post(
            "/api/v1/links",
            json!({"application_id": w.app, "company_id": gamma, "scopes": ["company:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let status = w.server.stop();
    assert!(status.success(), "armario exited with {status}");
    let dir = w.server.take_dir();

    // Rows from before the rules: alpha holding beta's name and the base domain, and a
    // company whose slug is reserved.
    {
        with_store_in(&dir, |db| {
            for domain in ["beta.armario.test", "armario.test"] {
                db.execute(
                    "INSERT INTO company_domains (domain, company_id, created_at) VALUES (?1, ?2, 0)",
                    [domain, w.alpha.as_str()],
                )
                .unwrap();
            }
            db.execute("UPDATE companies SET slug = 'www' WHERE id = ?1", [&gamma])
                .unwrap();
        });
    }
    w.server = Server::spawn_in(dir, &w.server.master_key.clone(), &[BASE]);

    let logs = w.server.logs();
    let warned = |needles: &[&str]| {
        logs.lines()
            .any(|l| l.contains("WARN") && needles.iter().all(|n| l.contains(n)))
    };
    assert!(
        warned(&[&w.alpha, "beta.armario.test"]),
        "no warning about beta.armario.test:\n{logs}"
    );
    assert!(
        warned(&[&w.alpha, "custom domain armario.test "]),
        "no warning about armario.test:\n{logs}"
    );
    assert!(
        warned(&[&gamma, "www"]),
        "no warning about the slug:\n{logs}"
    );

    assert_eq!(w.resolve("beta.armario.test").await, Ok(w.beta.clone()));
    assert_eq!(w.resolve("armario.test").await, Err(StatusCode::NOT_FOUND));
    assert_eq!(
        w.resolve("www.armario.test").await,
        Err(StatusCode::NOT_FOUND)
    );
}
