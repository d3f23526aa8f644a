//! Every list pages with `limit` + `cursor` → `next_cursor`, in a stable order, with no
//! duplicates or gaps; a cursor that is not ours is a 400 on `cursor`, and a cursor carries
//! nothing from one company's list into another's. Company logos are URLs that serve the
//! image with an ETag, and another company's logo is a 404.
use std::collections::HashSet;

use crate::common::*;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-alfa";

fn png_data_url(bytes: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:image/png;base64,{b64}")
}

/// A company with three of everything a company owns: links, domains, secrets, usage.
struct World {
    server: Server,
    owner: Client,
    a: String,
    b: String,
    admin_a: Client,
    admin_b: Client,
    apps: Vec<String>,
    key: String,
    other_key: String,
}

async fn post_ok(who: &Client, path: &str, body: Value) -> Value {
    let r = who.post(path, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    r.body
}

async fn world() -> World {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Padaria Alfa", 71).await;
    let b = company(&owner, "Padaria Beta", 72).await;
    let c = company(&owner, "Padaria Gama", 73).await;
    user(&owner, &a, "adm@alfa.test", "company_admin").await;
    user(&owner, &b, "adm@beta.test", "company_admin").await;
    let admin_a = server.login("adm@alfa.test", PASSWORD).await;
    let admin_b = server.login("adm@beta.test", PASSWORD).await;
    let mut apps = Vec::new();
    for name in ["Caixa", "Estoque", "Fiscal"] {
        let app = post_ok(&owner, "/api/v1/applications", json!({ "name": name })).await;
        apps.push(app["id"].as_str().unwrap().to_string());
    }
    let mut keys = Vec::new();
    for label in ["um", "dois", "três"] {
        let path = format!("/api/v1/applications/{}/credentials", apps[0]);
        let issued = post_ok(&owner, &path, json!({ "label": label })).await;
        keys.push(issued["secret"].as_str().unwrap().to_string());
    }
    let other = format!("/api/v1/applications/{}/credentials", apps[1]);
    let other_key = post_ok(&owner, &other, json!({"label": "x"})).await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let scopes = json!(["company:read", "usage:read", "users:read"]);
    // The first application is linked to all three companies; A is linked to all three apps.
    for company in [&a, &b, &c] {
        let body = json!({"application_id": apps[0], "company_id": company, "scopes": scopes});
        post_ok(&owner, "/api/v1/links", body).await;
    }
    for app in &apps[1..] {
        let body = json!({"application_id": app, "company_id": a, "scopes": scopes});
        post_ok(&owner, "/api/v1/links", body).await;
    }
    for (company, admin, name) in [(&a, &admin_a, "alfa"), (&b, &admin_b, "beta")] {
        for n in 1..=3 {
            let path = format!("/api/v1/companies/{company}/domains");
            post_ok(
                admin,
                &path,
                json!({"domain": format!("loja{n}.{name}.test")}),
            )
            .await;
        }
        for kind in ["asaas", "custom_erp", "omie"] {
            let values = match kind {
                "omie" => json!({"app_key": "k", "app_secret": "s"}),
                _ => json!({"api_key": format!("chave-{name}")}),
            };
            let path = format!("/api/v1/companies/{company}/secrets/{kind}");
            let r = admin.put(&path, json!({ "values": values })).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
    }
    // Usage rows: one per company and route group the application touched.
    let app = server.anon().with_token(&keys[0]);
    for company in [&a, &b, &c] {
        for route in ["", "/users", "/usage"] {
            let r = app
                .get(&format!("/api/v1/app/companies/{company}{route}"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
    }
    for _ in 0..3 {
        // The start's catch-up backup may still be running (longer on PostgreSQL): 409 until
        // it is done.
        let r = backup_when_free(&owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    World {
        server,
        owner,
        a,
        b,
        admin_a,
        admin_b,
        apps,
        key: keys[0].clone(),
        other_key,
    }
}

fn with_query(path: &str, query: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{query}")
}

/// Pages through `path` two items at a time and checks the result against one big page.
async fn pages_match_one_big_page(who: &Client, path: &str, at_least: usize) {
    let first = who.get(&with_query(path, "limit=2")).await;
    assert_eq!(first.status, StatusCode::OK, "{path}: {}", first.text);
    assert!(
        first.body["next_cursor"].is_string(),
        "{path}: no second page: {}",
        first.text
    );
    let paged = all_pages(who, &with_query(path, "limit=2")).await;
    let whole = who.get(&with_query(path, "limit=200")).await;
    assert_eq!(whole.status, StatusCode::OK, "{path}: {}", whole.text);
    assert!(whole.body.get("next_cursor").is_none(), "{}", whole.text);
    let whole = whole.body["items"].as_array().unwrap().clone();
    assert!(whole.len() >= at_least, "{path}: {} items", whole.len());
    // An application reading its own usage adds to the counts as it pages: compare keys.
    let keys = |items: Vec<Value>| -> Vec<Value> {
        items
            .into_iter()
            .map(|mut i| {
                i.as_object_mut().unwrap().remove("requests");
                i
            })
            .collect()
    };
    let (paged, whole) = (keys(paged), keys(whole));
    let seen: HashSet<String> = paged.iter().map(Value::to_string).collect();
    assert_eq!(seen.len(), paged.len(), "{path}: duplicates across pages");
    assert_eq!(paged, whole, "{path}: pages differ from the whole list");
}

#[tokio::test]
async fn every_list_pages_without_duplicates_or_gaps() {
    let w = world().await;
    let (a, app) = (&w.a, &w.apps[0]);
    let owner_lists = [
        ("/api/v1/companies".to_string(), 3),
        ("/api/v1/applications".into(), 3),
        (format!("/api/v1/applications/{app}/credentials"), 3),
        ("/api/v1/links".into(), 5),
        (format!("/api/v1/links?application_id={app}"), 3),
        (format!("/api/v1/companies/{a}/links"), 3),
        (format!("/api/v1/companies/{a}/domains"), 3),
        (format!("/api/v1/companies/{a}/secrets"), 3),
        ("/api/v1/backups".into(), 3),
        ("/api/v1/usage".into(), 9),
    ];
    for (path, at_least) in &owner_lists {
        pages_match_one_big_page(&w.owner, path, *at_least).await;
    }
    // A company admin's own lists, and the application's.
    pages_match_one_big_page(&w.admin_a, &format!("/api/v1/companies/{a}/links"), 3).await;
    pages_match_one_big_page(&w.admin_a, &format!("/api/v1/usage?company_id={a}"), 3).await;
    let app_client = w.server.anon().with_token(&w.key);
    pages_match_one_big_page(&app_client, "/api/v1/app/companies", 3).await;
    pages_match_one_big_page(&app_client, &format!("/api/v1/app/companies/{a}/usage"), 3).await;

    // The usage total covers the whole report, whatever page is read.
    let one = w.owner.get("/api/v1/usage?limit=1").await;
    let all = w.owner.get("/api/v1/usage?limit=200").await;
    assert_eq!(one.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["total"], all.body["total"], "{}", one.text);
    // Backups come newest first across pages.
    let runs = all_pages(&w.owner, "/api/v1/backups?limit=1").await;
    let started: Vec<&str> = runs
        .iter()
        .map(|r| r["started_at"].as_str().unwrap())
        .collect();
    let mut sorted = started.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(started, sorted);
}

#[tokio::test]
async fn a_cursor_that_is_not_ours_is_a_400_naming_cursor() {
    let w = world().await;
    let (a, app) = (&w.a, &w.apps[0]);
    let paths = [
        "/api/v1/applications".to_string(),
        format!("/api/v1/applications/{app}/credentials"),
        "/api/v1/links".into(),
        format!("/api/v1/companies/{a}/links"),
        format!("/api/v1/companies/{a}/domains"),
        format!("/api/v1/companies/{a}/secrets"),
        "/api/v1/backups".into(),
        "/api/v1/usage".into(),
    ];
    // A bare id, garbage, and a well-formed cursor whose key means nothing to the list.
    let foreign = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("v1:not-a-key");
    for path in &paths {
        for bad in [w.apps[1].as_str(), "!!!", foreign.as_str()] {
            // Any text is a valid name key for domains and secrets.
            let named = path.ends_with("/domains") || path.ends_with("/secrets");
            if named && bad == foreign {
                continue;
            }
            let r = w
                .owner
                .get(&with_query(path, &format!("cursor={}", enc(bad))))
                .await;
            assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cursor"));
        }
        let r = w.owner.get(&with_query(path, "limit=0")).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("limit"));
    }
    let app_client = w.server.anon().with_token(&w.key);
    for path in [
        "/api/v1/app/companies".to_string(),
        format!("/api/v1/app/companies/{a}/usage"),
    ] {
        let r = app_client.get(&with_query(&path, "cursor=abc")).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cursor"));
    }
    // Messages are translated like every other.
    let r = w
        .owner
        .http
        .get(w.owner.base.clone() + "/api/v1/links?cursor=x")
        .bearer_auth(w.owner.token.clone().unwrap())
        .header("Accept-Language", "pt-BR")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("cursor"),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("não"), "{body}");
}

#[tokio::test]
async fn a_cursor_does_not_cross_companies() {
    let w = world().await;
    let (a, b) = (&w.a, &w.b);
    for list in ["domains", "secrets"] {
        let first = w
            .admin_a
            .get(&format!("/api/v1/companies/{a}/{list}?limit=1"))
            .await;
        let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
        // On B's own list, A's cursor only moves along B's items.
        let path = format!(
            "/api/v1/companies/{b}/{list}?limit=200&cursor={}",
            enc(&cursor)
        );
        let r = w.admin_b.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(!r.text.contains("alfa"), "{list}: {}", r.text);
        // And A's list stays A's: B's admin is told it does not exist.
        let path = format!("/api/v1/companies/{a}/{list}?cursor={}", enc(&cursor));
        let r = w.admin_b.get(&path).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    }
    // Usage: A's cursor on B's report shows only B's rows.
    let first = w
        .admin_a
        .get(&format!("/api/v1/usage?company_id={a}&limit=1"))
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let r = w
        .admin_b
        .get(&format!("/api/v1/usage?cursor={}", enc(&cursor)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for row in r.body["items"].as_array().unwrap() {
        assert_eq!(row["company_id"], json!(b), "{}", r.text);
    }
    assert!(!r.text.contains(a.as_str()), "{}", r.text);
    // An application's cursor moves only along its own links.
    let linked_everywhere = w.server.anon().with_token(&w.key);
    let first = linked_everywhere.get("/api/v1/app/companies?limit=1").await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let only_a = w.server.anon().with_token(&w.other_key);
    let r = only_a
        .get(&format!("/api/v1/app/companies?cursor={}", enc(&cursor)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for item in r.body["items"].as_array().unwrap() {
        assert_eq!(item["company"]["id"], json!(a), "{}", r.text);
    }
}

async fn get_with(who: &Client, path: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut req = who.http.get(format!("{}{path}", who.base));
    if let Some(t) = &who.token {
        req = req.bearer_auth(t);
    }
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn logo_urls_serve_the_image_with_an_etag_and_are_404_across_companies() {
    let w = world().await;
    let (a, b) = (&w.a, &w.b);
    let r = w
        .admin_a
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({"logo_data_url": png_data_url(PNG)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("logo_data_url").is_none(), "{}", r.text);
    let url = r.body["logo_url"].as_str().expect("logo_url").to_string();
    assert!(
        url.starts_with(&format!("/api/v1/companies/{a}/logo")),
        "{url}"
    );

    // The same logo again changes nothing: same version, same URL.
    let r = w
        .admin_a
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({"logo_data_url": png_data_url(PNG)}),
        )
        .await;
    assert_eq!(r.body["logo_url"], json!(url), "{}", r.text);

    // Lists carry the URL, never the inline image.
    let list = w.owner.get("/api/v1/companies?limit=200").await;
    assert!(!list.text.contains("data:image"), "{}", list.text);
    let items = list.body["items"].as_array().unwrap();
    let item = |id: &str| items.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(item(a)["logo_url"], json!(url));
    assert!(item(b).get("logo_url").is_none());

    // The image, typed, cacheable privately, with an ETag that revalidates to 304.
    let r = get_with(&w.admin_a, &url, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(
        cache.starts_with("private") && cache.contains("max-age"),
        "{cache}"
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let r = get_with(&w.owner, &url, Some(&etag)).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert!(r.bytes().await.unwrap().is_empty());

    // Another company's member, a stranger, a company without a logo.
    let r = w.admin_b.get(&url).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = w.server.anon().get(&url).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = w.admin_b.get(&format!("/api/v1/companies/{b}/logo")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    // Read-only, and says so.
    let r = w.admin_a.post_empty(&url).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text);
    assert_eq!(r.headers["allow"], "GET, HEAD");
    let r = w.admin_a.send(reqwest::Method::HEAD, &url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "image/png");

    // Applications get their own route, for linked companies only.
    let app = w.server.anon().with_token(&w.key);
    let linked = all_pages(&app, "/api/v1/app/companies").await;
    let mine = linked
        .iter()
        .find(|l| l["company"]["id"] == json!(a))
        .unwrap();
    let app_url = mine["company"]["logo_url"].as_str().unwrap().to_string();
    assert!(
        app_url.starts_with(&format!("/api/v1/app/companies/{a}/logo")),
        "{app_url}"
    );
    let r = get_with(&app, &app_url, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let r = app.get(&url).await; // The users' route does not take a key.
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let unlinked = w.server.anon().with_token(&w.other_key);
    let r = unlinked
        .get(&format!("/api/v1/app/companies/{b}/logo"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);

    // A new logo is a new URL, and the old tag no longer matches.
    let other = [PNG, b"-novo"].concat();
    let r = w
        .admin_a
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({"logo_data_url": png_data_url(&other)}),
        )
        .await;
    let new_url = r.body["logo_url"].as_str().unwrap().to_string();
    assert_ne!(new_url, url);
    let r = get_with(&w.admin_a, &new_url, Some(&etag)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), other.as_slice());
}
