//! The companies list sorts by name, CNPJ, status and creation, each way, across pages with
//! no duplicates or gaps; it answers the total of what the filters match; a cursor made for
//! one sort is refused under another; a company admin's total is their one company.

use std::collections::HashSet;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Every page of `query` with pages of 2: the rows in order, after checking each page's
/// `total`.
async fn walk(c: &Client, query: &str, total: u64) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(k) => format!("/api/v1/companies?limit=2&{query}&cursor={}", enc(k)),
            None => format!("/api/v1/companies?limit=2&{query}"),
        };
        let r = c.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
        assert_eq!(r.body["total"], total, "{url}: total");
        let page = r.body["items"].as_array().unwrap();
        assert!(page.len() <= 2);
        items.extend(page.iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(k) => cursor = Some(k.to_string()),
            None => break,
        }
    }
    let unique: HashSet<String> = ids(&items).into_iter().collect();
    assert_eq!(unique.len(), items.len(), "{query}: duplicates");
    items
}

fn shown_names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|c| {
            c["display_name"]
                .as_str()
                .or(c["trade_name"].as_str())
                .or(c["legal_name"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

fn field(items: &[Value], name: &str) -> Vec<String> {
    items
        .iter()
        .map(|c| c[name].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_sort_orders_every_page_and_the_total_counts_the_matches() {
    let server = Server::start();
    let owner = server.owner().await;
    // Created in an order that is neither by name nor by CNPJ; an accented name and a trade
    // name that differs from the legal one.
    let rows = [
        ("Bola Ltda", None, 905),
        ("Zebra Comércio Ltda", Some("Águia"), 901),
        ("casa Ltda", None, 903),
        ("Abacaxi Ltda", None, 904),
        ("Dado Ltda", None, 902),
    ];
    let mut created = Vec::new();
    for (legal, trade, seed) in rows {
        let r = owner
            .post(
                "/api/v1/companies",
                json!({"legal_name": legal, "trade_name": trade, "cnpj": cnpj(seed)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        created.push(r.body["id"].as_str().unwrap().to_string());
    }
    for (id, action) in [(&created[0], "suspend"), (&created[2], "cancel")] {
        let r = owner
            .post_empty(&format!("/api/v1/companies/{id}/{action}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    // Names as people see them, accents and case ignored.
    let by_name = walk(&owner, "sort=name", 5).await;
    let expected = [
        "Abacaxi Ltda",
        "Águia",
        "Bola Ltda",
        "casa Ltda",
        "Dado Ltda",
    ];
    assert_eq!(shown_names(&by_name), expected);
    let mut reversed: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    reversed.reverse();
    assert_eq!(shown_names(&walk(&owner, "sort=-name", 5).await), reversed);

    let mut cnpjs: Vec<String> = (901..=905).map(cnpj).collect();
    cnpjs.sort();
    assert_eq!(field(&walk(&owner, "sort=cnpj", 5).await, "cnpj"), cnpjs);
    cnpjs.reverse();
    assert_eq!(field(&walk(&owner, "sort=-cnpj", 5).await, "cnpj"), cnpjs);

    let statuses = field(&walk(&owner, "sort=status", 5).await, "status");
    assert_eq!(
        statuses,
        ["active", "active", "active", "cancelled", "suspended"]
    );
    let statuses = field(&walk(&owner, "sort=-status", 5).await, "status");
    assert_eq!(
        statuses,
        ["suspended", "cancelled", "active", "active", "active"]
    );

    // Creation order, oldest first with `created`; newest first by default.
    assert_eq!(ids(&walk(&owner, "sort=created", 5).await), created);
    let mut newest = created.clone();
    newest.reverse();
    assert_eq!(ids(&walk(&owner, "sort=-created", 5).await), newest);
    assert_eq!(ids(&walk(&owner, "", 5).await), newest);

    // The total counts what the filters match, not the page.
    let active = walk(&owner, "sort=name&status=active", 3).await;
    assert_eq!(shown_names(&active), ["Abacaxi Ltda", "Águia", "Dado Ltda"]);
    let found = walk(&owner, &format!("sort=-name&q={}", enc("LTDA")), 5).await;
    assert_eq!(found.len(), 5);
    // A search puts its matches in order itself (not through the list's indexes): under every
    // sort, each way, a search that matches every company walks the list's rows in its order,
    // ties (three active companies) included.
    for sort in [
        "name", "-name", "cnpj", "-cnpj", "status", "-status", "created", "-created",
    ] {
        let listed = ids(&walk(&owner, &format!("sort={sort}"), 5).await);
        let searched = ids(&walk(&owner, &format!("sort={sort}&q=ltda"), 5).await);
        assert_eq!(searched, listed, "sort={sort}");
    }
    let r = owner.get("/api/v1/companies?q=nada-assim&sort=name").await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    assert_eq!(r.body["items"], json!([]));
}

#[tokio::test]
async fn a_cursor_made_for_one_sort_is_refused_under_another() {
    let server = Server::start();
    let owner = server.owner().await;
    for n in 0..3 {
        company(&owner, &format!("Loja {n}"), 910 + n).await;
    }
    let r = owner.get("/api/v1/companies?sort=name&limit=1").await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    for other in ["sort=-name&", "sort=cnpj&", ""] {
        let r = owner
            .get(&format!("/api/v1/companies?{other}cursor={}", enc(&cursor)))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cursor"));
    }
    let r = owner
        .get(&format!(
            "/api/v1/companies?sort=name&cursor={}",
            enc(&cursor)
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.get("/api/v1/companies?sort=nome").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("sort"));
}

#[tokio::test]
async fn a_company_admin_counts_only_their_company() {
    let server = Server::start();
    let owner = server.owner().await;
    let mine = company(&owner, "Minha Loja", 920).await;
    company(&owner, "Outra Loja", 921).await;
    company(&owner, "Mais Uma", 922).await;
    user(&owner, &mine, "adm@minha.test", "company_admin").await;
    let admin = server.login("adm@minha.test", PASSWORD).await;
    for sort in ["name", "-cnpj", "status", "-created"] {
        let items = walk(&admin, &format!("sort={sort}"), 1).await;
        assert_eq!(ids(&items), vec![mine.clone()], "{sort}");
    }
    let r = admin.get("/api/v1/companies?status=suspended").await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    let r = owner.get("/api/v1/companies").await;
    assert_eq!(r.body["total"], 3, "{}", r.text);
}
