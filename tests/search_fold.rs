//! Search ignores accents and case, on both sides: "sao paulo comercio" and "COMÉRCIO" find
//! "São Paulo Comércio", for companies (names, slug, CNPJ) and users (name, e-mail), and rows
//! written before the search column existed are found too once the migration has run.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn names(c: &Client, path: &str, q: &str) -> Vec<String> {
    let items: Vec<Value> = all_pages(c, &format!("{path}?q={}", enc(q))).await;
    let mut names: Vec<String> = items
        .iter()
        .map(|i| {
            i["legal_name"]
                .as_str()
                .or(i["name"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

async fn create(owner: &Client, legal: &str, trade: Option<&str>, seed: u32) -> String {
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": legal, "trade_name": trade, "cnpj": cnpj(seed)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

fn v(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn assert_company_searches(owner: &Client) {
    let list = "/api/v1/companies";
    for (q, expected) in [
        ("sao paulo comercio", v(&["São Paulo Comércio Ltda"])),
        ("COMÉRCIO", v(&["São Paulo Comércio Ltda"])),
        ("comércio", v(&["São Paulo Comércio Ltda"])),
        ("mae terra", v(&["Mãe Terra Alimentos"])),
        ("MÃE", v(&["Mãe Terra Alimentos"])),
        ("ipe amarelo", v(&["Ipê Amarelo Flores"])),
        // Through the trade name, not the slug: the slug is "delicias-do-norte".
        ("acai", v(&["Delícias do Norte Ltda"])),
        ("AÇAÍ", v(&["Delícias do Norte Ltda"])),
        ("50%", v(&[])),
    ] {
        assert_eq!(names(owner, list, q).await, expected, "q={q}");
    }
    // The CNPJ still matches, formatted or bare.
    let bare = cnpj(7101);
    assert_eq!(
        names(owner, list, &bare[..8]).await,
        v(&["São Paulo Comércio Ltda"])
    );
}

#[tokio::test]
async fn company_search_folds_accents_and_case() {
    let server = Server::start();
    let owner = server.owner().await;
    create(&owner, "São Paulo Comércio Ltda", None, 7101).await;
    create(&owner, "Mãe Terra Alimentos", Some("Mãe Terra"), 7102).await;
    create(&owner, "Ipê Amarelo Flores", None, 7103).await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Delícias do Norte Ltda", "trade_name": "Açaí do Norte",
                   "slug": "delicias-do-norte", "cnpj": cnpj(7104)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    create(&owner, "Padaria 50 por cento", None, 7105).await;
    assert_company_searches(&owner).await;

    // A rename is searchable at once under its new name, and no longer under the old one.
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Ótica Visão", "slug": "loja-7106", "cnpj": cnpj(7106)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        names(&owner, "/api/v1/companies", "otica").await,
        v(&["Ótica Visão"])
    );
    let r = owner
        .patch(
            &format!("/api/v1/companies/{id}"),
            json!({"legal_name": "Relojoaria Céu Azul"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(names(&owner, "/api/v1/companies", "otica").await, v(&[]));
    assert_eq!(
        names(&owner, "/api/v1/companies", "CEU AZUL").await,
        v(&["Relojoaria Céu Azul"])
    );
}

/// The search index is asked for the query's rarest trigrams only: a company holding those
/// trigrams apart, not the whole text, is not an answer, and neither the page nor the total
/// counts it, also once the counts it picked the trigrams with are stale.
#[tokio::test]
async fn a_search_answers_the_whole_text_not_its_rarest_trigrams() {
    let server = Server::start();
    let owner = server.owner().await;
    create(&owner, "Padaria São Paulo 12 Ltda", None, 7201).await;
    // Holds every trigram of "sao paulo 12" ("lo 12" gives "lo ", "o 1" and " 12"), never the
    // text: only the comparison after the index tells it apart.
    create(&owner, "Mercearia São Paulo Lo 12 ME", None, 7202).await;
    create(&owner, "Café São Paulo 3 EIRELI", None, 7203).await;
    let total = |owner: &Client| {
        let owner = owner.clone();
        async move {
            let r = owner.get("/api/v1/companies?q=sao%20paulo%2012").await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.body["total"].as_u64().unwrap()
        }
    };
    let list = "/api/v1/companies";
    assert_eq!(
        names(&owner, list, "sao paulo 12").await,
        v(&["Padaria São Paulo 12 Ltda"])
    );
    assert_eq!(total(&owner).await, 1);
    // Companies that make another trigram the rarest, after the counts were read.
    for (i, legal) in ["Mercado Paulo 12", "Auto 12 Sao", "Paulo 120 Sao"]
        .iter()
        .enumerate()
    {
        create(&owner, legal, None, 7204 + i as u32).await;
    }
    assert_eq!(
        names(&owner, list, "sao paulo 12").await,
        v(&["Padaria São Paulo 12 Ltda"])
    );
    assert_eq!(total(&owner).await, 1);
    assert_eq!(
        names(&owner, list, "paulo 12").await,
        v(&[
            "Mercado Paulo 12",
            "Padaria São Paulo 12 Ltda",
            "Paulo 120 Sao"
        ])
    );
    // A page at a time, in both orders: every page carries the total of the whole search.
    for (sort, expected) in [
        (
            "name",
            [
                "Mercado Paulo 12",
                "Padaria São Paulo 12 Ltda",
                "Paulo 120 Sao",
            ],
        ),
        (
            "-name",
            [
                "Paulo 120 Sao",
                "Padaria São Paulo 12 Ltda",
                "Mercado Paulo 12",
            ],
        ),
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{list}?q=paulo%2012&limit=1&sort={sort}");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={}", enc(c)));
            }
            let r = owner.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
            assert_eq!(r.body["total"], 3, "{url}: {}", r.text);
            for i in r.body["items"].as_array().unwrap() {
                seen.push(i["legal_name"].as_str().unwrap().to_string());
            }
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, v(&expected), "sort={sort}");
    }
}

#[tokio::test]
async fn user_search_folds_accents_and_case() {
    let server = Server::start();
    let owner = server.owner().await;
    let company = create(&owner, "Mãe Terra Alimentos", None, 7201).await;
    for (email, name) in [
        ("joao@maeterra.test", "João Conceição"),
        ("ines@maeterra.test", "Inês Araújo"),
        ("Zeca@MaeTerra.test", "Zeca"),
    ] {
        let r = owner
            .post(
                &format!("/api/v1/companies/{company}/users"),
                json!({"email": email, "name": name, "role": "member", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let in_company = format!("/api/v1/companies/{company}/users");
    for path in [in_company.as_str(), "/api/v1/users"] {
        assert_eq!(
            names(&owner, path, "joao conceicao").await,
            v(&["João Conceição"])
        );
        assert_eq!(names(&owner, path, "ARAÚJO").await, v(&["Inês Araújo"]));
        assert_eq!(names(&owner, path, "ines").await, v(&["Inês Araújo"]));
        assert_eq!(names(&owner, path, "ZECA@maeterra").await, v(&["Zeca"]));
        assert_eq!(names(&owner, path, "%").await, v(&[]));
    }
}

#[tokio::test]
async fn rows_written_before_the_migration_are_found() {
    if crate::common::sqlite_only("a migration of an older SQLite file") {
        return;
    }
    let server = Server::start();
    let owner = server.owner().await;
    create(&owner, "São Paulo Comércio Ltda", None, 7101).await;
    create(&owner, "Mãe Terra Alimentos", Some("Mãe Terra"), 7102).await;
    create(&owner, "Ipê Amarelo Flores", None, 7103).await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Delícias do Norte Ltda", "trade_name": "Açaí do Norte",
                   "slug": "delicias-do-norte", "cnpj": cnpj(7104)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    create(&owner, "Padaria 50 por cento", None, 7105).await;

    // Take the database back to schema version 4, as an older armario left it.
    let mut server = server;
    assert!(server.stop().success());
    {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        crate::plans::undo_0019(&db);
        db.execute_batch(
            "DROP TRIGGER company_search_insert;
             DROP TRIGGER company_search_delete;
             DROP TRIGGER company_search_update;
             DROP TABLE company_search;
             DROP TRIGGER company_counts_insert;
             DROP TRIGGER company_counts_delete;
             DROP TRIGGER company_counts_update;
             DROP TABLE company_counts;
             DROP TABLE audit_verification;
             DROP TABLE audit_chain_anchor;
             DROP TABLE audit_chain;
             DROP TABLE IF EXISTS privacy_requests;
             DROP TABLE IF EXISTS dpo_contacts;
             DROP TABLE IF EXISTS erasures;
             DROP TABLE IF EXISTS retention_settings;
             DROP TABLE link_provisioning;
             DROP TABLE company_configs;
             DROP TABLE app_config_schemas;
             DROP TABLE webhook_deliveries;
             DROP TABLE webhook_endpoints;
             DROP TABLE oidc_assertions;
             DROP TABLE oidc_consents;
             DROP TABLE oidc_revoked_tokens;
             DROP TABLE oidc_refresh_tokens;
             DROP TABLE oidc_codes;
             DROP TABLE oidc_requests;
             DROP TABLE oidc_clients;
             DROP TABLE signing_keys;
             DROP TABLE user_app_roles;
             DROP TABLE app_roles;
             DROP INDEX companies_sort_name_id;
             DROP INDEX companies_cnpj_id;
             DROP INDEX companies_created_id;
             ALTER TABLE companies DROP COLUMN sort_name;
             ALTER TABLE companies DROP COLUMN search_fold;
             ALTER TABLE users DROP COLUMN search_fold;
             DROP TABLE outbox;
             DROP TABLE password_resets;
             DROP TABLE invitations;
             DROP TABLE email_tokens;
             DROP TABLE alerts;
             DROP TABLE alert_optouts;
             ALTER TABLE users DROP COLUMN email_verified_at;
             DROP TABLE magic_links;
             ALTER TABLE companies DROP COLUMN magic_link_sign_in;
             DROP TABLE user_totp;
             DROP TABLE mfa_recovery_codes;
             DROP TABLE mfa_challenges;
             DROP TABLE mfa_policies;
             ALTER TABLE users DROP COLUMN language;
             DROP INDEX sessions_id;
             ALTER TABLE sessions DROP COLUMN id;
             ALTER TABLE sessions DROP COLUMN last_seen_at;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    assert_company_searches(&owner).await;
    // The migration also fills the name the list sorts by (the trade name when there is one).
    let sorted = all_pages(&owner, "/api/v1/companies?sort=name&limit=2").await;
    let legal: Vec<&str> = sorted
        .iter()
        .map(|c| c["legal_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        legal,
        [
            "Delícias do Norte Ltda",
            "Ipê Amarelo Flores",
            "Mãe Terra Alimentos",
            "Padaria 50 por cento",
            "São Paulo Comércio Ltda"
        ]
    );
    assert_eq!(
        names(&owner, "/api/v1/users", "OWNER@armario").await,
        v(&["Dona"])
    );
}

/// How many segments the company search index holds, read from the file beside the server.
fn search_segments(server: &Server) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        server.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(
        "SELECT COUNT(DISTINCT segid) FROM company_search_idx",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Companies created one by one leave the search index in many segments; the server merges them
/// into one when it starts, and searches answer as before.
#[tokio::test]
async fn a_search_index_in_many_segments_is_merged_at_start() {
    if crate::common::sqlite_only("the FTS5 search index") {
        return;
    }
    let server = Server::spawn();
    let owner = server.owner().await;
    for i in 0..150u32 {
        company(&owner, &format!("Padaria São Paulo {i}"), 7200 + i).await;
    }
    let before = search_segments(&server);
    assert!(
        before > 8,
        "only {before} segments: nothing for the start to merge"
    );
    let found = names(&owner, "/api/v1/companies", "sao paulo 12").await;
    assert_eq!(found.len(), 11, "{found:?}");

    let server = server.restart(&[]);
    eventually(30, "the search index merged into one segment", || async {
        search_segments(&server) == 1
    })
    .await;
    let owner = server.login("owner@armario.test", PASSWORD).await;
    assert_eq!(
        names(&owner, "/api/v1/companies", "sao paulo 12").await,
        found
    );
    assert!(
        server
            .logs()
            .contains("search index merged into one segment"),
        "{}",
        server.logs()
    );
}

/// Changes another program makes to companies (the sqlite3 shell, say) queue for the search
/// index like armario's own: a search finds them at once, and armario's next write hands them to
/// the index.
#[tokio::test]
async fn companies_renamed_by_another_program_are_found_and_then_indexed() {
    if crate::common::sqlite_only("the FTS5 search index") {
        return;
    }
    let server = Server::spawn();
    let owner = server.owner().await;
    let id = create(&owner, "Padaria Central Ltda", None, 7301).await;
    create(&owner, "Mercado Norte Ltda", None, 7302).await;
    let list = "/api/v1/companies";
    let queued = || -> i64 {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        db.query_row("SELECT COUNT(*) FROM company_search_pending", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!(
        queued(),
        0,
        "armario's own writes reach the index at their commit"
    );
    {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        db.execute(
            "UPDATE companies SET legal_name = 'Confeitaria Aurora Ltda',
                 search_fold = 'confeitaria aurora ltda padaria-central-ltda'
             WHERE id = ?1",
            [&id],
        )
        .unwrap();
    }
    assert_eq!(
        queued(),
        2,
        "the old text's removal and the new text's addition"
    );
    assert_eq!(
        names(&owner, list, "aurora").await,
        v(&["Confeitaria Aurora Ltda"])
    );
    assert_eq!(names(&owner, list, "central ltda").await, v(&[]));

    create(&owner, "Ótica Sul Ltda", None, 7303).await;
    assert_eq!(queued(), 0);
    let db = rusqlite::Connection::open(server.db_path()).unwrap();
    let indexed: Vec<i64> = db
        .prepare("SELECT rowid FROM company_search WHERE company_search MATCH '\"aurora\"'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(indexed.len(), 1, "the renamed company is in the index");
    db.execute(
        "INSERT INTO company_search (company_search, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
    assert_eq!(
        names(&owner, list, "aurora").await,
        v(&["Confeitaria Aurora Ltda"])
    );
    assert_eq!(names(&owner, list, "otica").await, v(&["Ótica Sul Ltda"]));
}
