//! `armario migrate-store` between SQLite and a real PostgreSQL 15, and PostgreSQL's
//! row-level security as a second wall between companies. The round trip SQLite → PostgreSQL
//! → SQLite is checked past armario's own hashing: every table compared row by row, then a
//! server started on the returned file signs people in, finds companies and opens secrets.

use std::path::Path;

use reqwest::StatusCode;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::postgres::Postgres;
use crate::common::*;
use armario::db::store_move::{self, Location};

fn file_sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Every row of every table of a SQLite file, as text sorted per table: what the file holds,
/// read without armario's code.
fn rows_of(path: &Path) -> Vec<(String, Vec<String>)> {
    let db = Connection::open(path).unwrap();
    let tables: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name NOT LIKE 'company_search%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = db.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let width = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    (0..width)
                        .map(|i| r.get::<_, Value>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap()
                .map(|r| format!("{:?}", r.unwrap()))
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

async fn digests(location: Location) -> Vec<store_move::TableDigest> {
    tokio::task::spawn_blocking(move || store_move::digests(&location, None))
        .await
        .unwrap()
        .unwrap()
}

fn migrate_store(server_dir: &Path, key: &str, from: &str, to: &str) -> std::process::Output {
    run_armario(
        server_dir,
        key,
        &["migrate-store", "--from", from, "--to", to],
        "",
    )
}

/// Moves the stopped `server`'s file into the empty PostgreSQL database `url`, which must
/// succeed.
/// A stopped server whose owner and 3,000 active companies ("Empresa i", CNPJ i in 14 digits,
/// for i from 1, on a plan of their own, written into its file) were moved into the new
/// database `name` of `pg`, and that database's URL.
async fn three_thousand_companies_moved(pg: &Postgres, name: &str) -> (Server, String) {
    let mut server = Server::start();
    server.owner().await;
    assert_eq!(server.stop().code(), Some(0));
    Connection::open(server.db_path())
        .unwrap()
        .execute_batch(
            "INSERT INTO plans (id, name, name_fold, limits, created_at, updated_at)
             VALUES ('pln_move', 'Padrão', 'padrao', '{\"max_users\": 10}', 1, 1);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at, updated_at,
                                    approved_at, search_fold, sort_name, plan_id)
             SELECT printf('cmp_%032x', i), 'Empresa ' || i, printf('%014d', i),
                    'empresa-' || i, 'active', 1700000000000 + i, 1700000000000 + i,
                    1700000000000 + i, 'empresa ' || i, 'empresa ' || i,
                    'pln_move'
             FROM n",
        )
        .unwrap();
    let url = pg.database(name);
    move_into(&server, &url);
    (server, url)
}

fn move_into(server: &Server, url: &str) {
    let out = migrate_store(
        &server.data_dir(),
        &server.master_key,
        server.db_path().to_str().unwrap(),
        url,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_store_moves_to_postgresql_and_back_with_every_value_intact() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start() else { return };
    let mut server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Mudança São Paulo Ltda", 71).await;
    let b = company(&owner, "Mudança Recife Ltda", 72).await;
    let email_a = format!("ana.{:08x}@mudanca.test", rand::random::<u32>());
    user(&owner, &a, &email_a, "company_admin").await;
    user(&owner, &b, "bia@mudanca.test", "member").await;
    let secret = format!("s-{:016x}", rand::random::<u64>());
    omie_secret(&owner, &a, "k-1", &secret).await;
    let linked = linked_app(
        &owner,
        "Leitora",
        &a,
        &["company:read", "secrets:omie:read"],
    )
    .await;
    let app = server.anon().with_token(&linked.app.key);
    let r = app.get(&format!("/api/v1/app/companies/{a}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(server.stop().code(), Some(0));
    let key = server.master_key.clone();
    let data = server.data_dir();
    let source = server.db_path();
    // More rows than one batch of the copy, and ids handed out past the last row kept (as after
    // pruning): neither may change on the way.
    let mark = {
        let db = Connection::open(&source).unwrap();
        let tx = db.unchecked_transaction().unwrap();
        for day in 0..2_500 {
            tx.execute(
                "INSERT INTO usage_daily (day, application_id, company_id, route_group, requests)
                 VALUES (date('2025-01-01', ?1 || ' days'), ?2, ?3, 'moved', ?4)",
                rusqlite::params![day, linked.app.id, a, day * 7 + 1],
            )
            .unwrap();
        }
        tx.execute(
            "UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'audit_events'",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        db.query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };
    let source_sha = file_sha(&source);
    let source_digests = digests(Location::Sqlite(source.clone())).await;

    // SQLite → PostgreSQL.
    let url = pg.database("moved");
    let out = migrate_store(&data, &key, source.to_str().unwrap(), &url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("every table's row count and content hash match"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(":armario@"),
        "the password is printed: {stdout}"
    );
    assert_eq!(
        digests(Location::Postgres(url.clone())).await,
        source_digests
    );
    assert_eq!(file_sha(&source), source_sha, "the source was written");

    // Into a store that holds rows: refused, and nothing changes.
    let out = migrate_store(&data, &key, source.to_str().unwrap(), &url);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert_eq!(
        digests(Location::Postgres(url.clone())).await,
        source_digests
    );

    // PostgreSQL → a new SQLite file: the same rows, read past armario.
    let back_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(back_dir.path().join("data")).unwrap();
    let back = back_dir.path().join("data/armario.db");
    let out = migrate_store(&data, &key, &url, back.to_str().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (before, after) = (rows_of(&source), rows_of(&back));
    assert_eq!(before.len(), after.len());
    for ((t, rows), (t2, rows2)) in before.iter().zip(&after) {
        assert_eq!(t, t2);
        assert!(rows == rows2, "table {t} differs after the round trip");
    }
    assert!(before.iter().any(|(t, r)| t == "users" && r.len() == 3));
    assert_eq!(
        digests(Location::Sqlite(back.clone())).await,
        source_digests
    );
    let sequences = |path: &Path| -> Vec<(String, i64)> {
        let db = Connection::open(path).unwrap();
        let mut stmt = db
            .prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(sequences(&back), sequences(&source));
    let pg_mark = pg.psql_in(
        "moved",
        "SELECT last_value FROM pg_sequences WHERE sequencename LIKE 'audit_events%'",
    );
    assert_eq!(
        pg_mark,
        mark.to_string(),
        "PostgreSQL's identity starts over"
    );

    // A server on the returned file, with the same master key: sealed values open.
    std::fs::copy(
        data.join("master.key"),
        back_dir.path().join("data/master.key"),
    )
    .ok();
    let server = Server::start_in(back_dir, &key, &[]);
    let admin = server.login(&email_a, PASSWORD).await;
    let r = admin.get("/api/v1/auth/me").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let r = owner.get("/api/v1/companies?q=sao%20paulo").await;
    assert_eq!(ids(r.body["items"].as_array().unwrap()), vec![a.clone()]);
    let r = server
        .anon()
        .with_token(&linked.app.key)
        .get(&format!("/api/v1/app/companies/{a}/secrets/omie"))
        .await;
    assert_eq!(
        r.body["values"]["app_secret"],
        secret.as_str(),
        "{}",
        r.text
    );
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Depois da Mudança Ltda", "cnpj": cnpj(73)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let newest: i64 = Connection::open(server.db_path())
        .unwrap()
        .query_row("SELECT max(id) FROM audit_events", [], |r| r.get(0))
        .unwrap();
    assert!(
        newest > mark,
        "an id below the source's mark was handed out again"
    );
    drop(pg);
    let _ = b;
}

#[tokio::test]
async fn row_level_security_hides_other_companies_from_an_unfiltered_query() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start() else { return };
    let mut server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Muro Alfa Ltda", 81).await;
    let b = company(&owner, "Muro Beta Ltda", 82).await;
    user(&owner, &a, "ana@muro.test", "company_admin").await;
    user(&owner, &a, "alice@muro.test", "member").await;
    user(&owner, &b, "bruno@muro.test", "company_admin").await;
    omie_secret(&owner, &a, "k-a", "s-a").await;
    omie_secret(&owner, &b, "k-b", "s-b").await;
    server.login("ana@muro.test", PASSWORD).await;
    server.login("bruno@muro.test", PASSWORD).await;
    assert_eq!(server.stop().code(), Some(0));
    let url = pg.database("wall");
    move_into(&server, &url);

    let (a2, b2) = (a.clone(), b.clone());
    tokio::task::spawn_blocking(move || {
        use armario::db::pg;
        use armario::ids::CompanyId;
        let mut client = pg::connect(&url, None).unwrap();
        let company_a = CompanyId::parse(&a2).unwrap();
        let companies_of = |rows: Vec<::postgres::Row>| -> Vec<Option<String>> {
            rows.iter().map(|r| r.get(0)).collect()
        };

        // Deliberately unfiltered queries, in a transaction opened for company A.
        let mut tx = pg::company_transaction(&mut client, &company_a).unwrap();
        let users = companies_of(tx.query("SELECT company_id FROM users", &[]).unwrap());
        assert_eq!(users, vec![Some(a2.clone()), Some(a2.clone())]);
        let listed = companies_of(tx.query("SELECT id FROM companies", &[]).unwrap());
        assert_eq!(listed, vec![Some(a2.clone())]);
        let secrets = companies_of(tx.query("SELECT company_id FROM company_secrets", &[]).unwrap());
        assert_eq!(secrets, vec![Some(a2.clone())]);
        let audit = companies_of(
            tx.query("SELECT DISTINCT company_id FROM audit_events", &[])
                .unwrap(),
        );
        assert_eq!(audit, vec![Some(a2.clone())]);
        // Rows that belong to a company through a person: only A's people's sessions.
        let sessions = companies_of(
            tx.query(
                "SELECT u.company_id FROM sessions s LEFT JOIN users u ON u.id = s.user_id",
                &[],
            )
            .unwrap(),
        );
        assert_eq!(sessions, vec![Some(a2.clone())]);
        // Writing past the wall: B's rows cannot be touched nor created.
        let gone = tx
            .execute("DELETE FROM company_secrets WHERE company_id = $1", &[&b2])
            .unwrap();
        assert_eq!(gone, 0);
        let err = tx
            .execute(
                "INSERT INTO company_domains (domain, company_id, created_at) VALUES ('b.test', $1, 0)",
                &[&b2],
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("row-level security") || format!("{err:?}").contains("row-level security"),
            "{err:?}"
        );
        drop(tx);

        // With no company and no platform scope, nothing at all.
        let n: i64 = client.query_one("SELECT count(*) FROM users", &[]).unwrap().get(0);
        assert_eq!(n, 0);
        let n: i64 = client
            .query_one("SELECT count(*) FROM companies", &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0);
        // The owner's scope sees both companies and the owner.
        let mut tx = pg::platform_transaction(&mut client).unwrap();
        let n: i64 = tx.query_one("SELECT count(*) FROM users", &[]).unwrap().get(0);
        assert_eq!(n, 4);
        let n: i64 = tx
            .query_one("SELECT count(*) FROM company_secrets", &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 2);
        tx.commit().unwrap();
    })
    .await
    .unwrap();
    drop(pg);
}

#[tokio::test]
async fn a_move_refuses_a_newer_schema_and_a_store_that_is_not_armarios() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start() else { return };
    let mut server = Server::start();
    server.owner().await;
    assert_eq!(server.stop().code(), Some(0));
    let (data, key) = (server.data_dir(), server.master_key.clone());
    let source = server.db_path();
    let url = pg.database("newer");
    assert!(migrate_store(&data, &key, source.to_str().unwrap(), &url)
        .status
        .success());
    pg.psql_in("newer", "UPDATE armario_schema SET version = version + 1");
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("back.db");
    let out = migrate_store(&data, &key, &url, target.to_str().unwrap());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let newer = armario::db::migrate::latest_version() + 1;
    assert!(
        stderr.contains(&format!("schema version {newer}")),
        "{stderr}"
    );
    assert!(!target.exists() || rows_of(&target).iter().all(|(_, r)| r.is_empty()));

    // A SQLite file with someone else's tables is not written into.
    let foreign = elsewhere.path().join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();
    let before = file_sha(&foreign);
    let out = migrate_store(
        &data,
        &key,
        source.to_str().unwrap(),
        foreign.to_str().unwrap(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not armario's"));
    assert_eq!(file_sha(&foreign), before);
}

#[tokio::test]
async fn the_connection_to_postgresql_is_tls_checked_against_the_given_ca() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start_tls() else {
        return;
    };
    let mut server = Server::start();
    server.owner().await;
    assert_eq!(server.stop().code(), Some(0));
    let (data, key) = (server.data_dir(), server.master_key.clone());
    let source = server.db_path();
    let url = pg
        .database("tls")
        .replace("sslmode=disable", "sslmode=require");

    // The server's certificate is from a CA no webpki root knows: refused without it.
    let out = migrate_store(&data, &key, source.to_str().unwrap(), &url);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(
        !stderr.contains(":armario@"),
        "the password is printed: {stderr}"
    );

    let ca = pg.ca_file();
    let out = run_armario(
        &data,
        &key,
        &[
            "migrate-store",
            "--from",
            source.to_str().unwrap(),
            "--to",
            &url,
            "--ca-file",
            ca.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let over_tls = tokio::task::spawn_blocking(move || {
        let mut client = armario::db::pg::connect(&url, Some(&ca)).unwrap();
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get::<_, bool>(0)
    })
    .await
    .unwrap();
    assert!(over_tls, "the session is not encrypted");
}

/// The owner's companies list on PostgreSQL walks the index of its order under the company
/// wall, as on the file, instead of reading every company and sorting them: the wall's test
/// must not make the planner guess that it hides almost every row, and a moved store has its
/// statistics at once.
#[tokio::test]
async fn the_owners_list_on_postgresql_walks_its_index_behind_the_wall() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start() else { return };
    let (_server, url) = three_thousand_companies_moved(&pg, "plans").await;
    tokio::task::spawn_blocking(move || {
        use armario::db::pg;
        let mut client = pg::connect(&url, None).unwrap();
        let analyzed: bool = client
            .query_one(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'companies'",
                &[],
            )
            .unwrap()
            .get(0);
        assert!(analyzed, "migrate-store gathers the planner's statistics");
        let mut tx = pg::platform_transaction(&mut client).unwrap();
        for order in ["created_at DESC, c.id DESC", "sort_name, c.id"] {
            let plan: String = tx
                .query(
                    &format!(
                        "EXPLAIN SELECT c.id, c.legal_name FROM companies c \
                         ORDER BY c.{order} LIMIT 51"
                    ),
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get::<_, String>(0) + "\n")
                .collect();
            assert!(
                plan.contains("Index Scan") && !plan.contains("Sort") && !plan.contains("Seq Scan"),
                "a page by {order} walks its index:\n{plan}"
            );
        }
        tx.commit().unwrap();
    })
    .await
    .unwrap();
    drop(pg);
}

/// Rows of `companies` read by sequential scans, and lookups in `company_trigrams`' index, as
/// PostgreSQL's statistics count them once every other connection to the database has ended
/// (each adds its own as it ends).
fn company_reads(url: &str) -> (i64, i64) {
    let mut client = armario::db::pg::connect(url, None).unwrap();
    let others = "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while client.query_one(others, &[]).unwrap().get::<_, i64>(0) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server's connections did not end"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let row = client
        .query_one(
            "SELECT (SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'companies'),
                    (SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables
                     WHERE relname = 'company_trigrams')",
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn a_search_on_postgresql_looks_its_trigrams_up_behind_the_wall() {
    if crate::common::sqlite_only("moving a server's SQLite file") {
        return;
    }
    let Some(pg) = Postgres::start() else { return };
    let (mut server, url) = three_thousand_companies_moved(&pg, "search").await;
    let before = tokio::task::spawn_blocking({
        let url = url.clone();
        move || company_reads(&url)
    })
    .await
    .unwrap();
    let bin = crate::common::postgres::bin_dir().display().to_string();
    let key = server.master_key.clone();
    let mut server = Server::start_in(
        server.take_dir(),
        &key,
        &[
            ("ARMARIO_DATABASE_URL", url.as_str()),
            ("ARMARIO_PG_BIN_DIR", bin.as_str()),
        ],
    );
    let owner = server.login("owner@armario.test", PASSWORD).await;
    // The counts per status, built once after the copy with their trigger off.
    let r = owner.get("/api/v1/companies?limit=1").await;
    assert_eq!(r.body["total"], 3_000, "{}", r.text);
    let r = owner
        .get("/api/v1/companies?limit=1&status=suspended")
        .await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    // (search, how many match, the first by name, how many times): names hold the text
    // ("empresa 12": 12, 120–129, 1200–1299), CNPJs begin with it (1100–1199), and one the
    // LIKE decides ("2121" holds both trigrams of "1212" but not the text). Searches of names
    // run five times each.
    for (q, total, first, _) in [
        ("empresa%2012", 111, "Empresa 12", 5),
        ("MPRESA%202999", 1, "Empresa 2999", 5),
        ("000000000011", 100, "Empresa 1100", 1),
        ("1212", 1, "Empresa 1212", 5),
        ("empresa%20x", 0, "", 5),
    ]
    .into_iter()
    .flat_map(|s| std::iter::repeat_n(s, s.3))
    {
        let r = owner
            .get(&format!("/api/v1/companies?q={q}&sort=name"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["total"], total, "{q}: {}", r.text);
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), total.min(50), "{q}");
        if total > 0 {
            assert_eq!(items[0]["legal_name"], first, "{q}");
        }
    }
    // A company renamed is found by its new name only.
    let r = owner.get("/api/v1/companies?q=empresa%202999").await;
    let id = r.body["items"][0]["id"].as_str().unwrap().to_string();
    let r = owner
        .patch(
            &format!("/api/v1/companies/{id}"),
            json!({"legal_name": "Padaria Trigrama Ltda"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.get("/api/v1/companies?q=trigrama").await;
    assert_eq!(ids(r.body["items"].as_array().unwrap()), vec![id.clone()]);
    let r = owner.get("/api/v1/companies?q=empresa%202999").await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    // The move built the trigrams once with their trigger off; a company created after it is
    // found too, its trigger being back on.
    let created = crate::common::company(&owner, "Ourivesaria Posterior Ltda", 7_700_001).await;
    let r = owner
        .get("/api/v1/companies?q=ourivesaria%20posterior")
        .await;
    assert_eq!(ids(r.body["items"].as_array().unwrap()), vec![created]);
    let r = owner.get("/api/v1/companies?limit=1").await;
    assert_eq!(r.body["total"], 3_001, "{}", r.text);
    assert_eq!(server.stop().code(), Some(0));
    let after = tokio::task::spawn_blocking({
        let url = url.clone();
        move || company_reads(&url)
    })
    .await
    .unwrap();
    // Each search of names read every company twice (its page and its count) before they
    // were looked up: 60,000 rows at least. What may still be read whole: the companies' slugs
    // at the start, and the CNPJ search's page and count (a thirtieth of the companies match
    // it, which PostgreSQL may read in one pass on so few).
    let read = after.0 - before.0;
    assert!(
        read <= 3 * 3_000,
        "the searches read {read} companies' rows in sequence"
    );
    assert!(after.1 > before.1, "no search looked a trigram up");
    drop(pg);
}
