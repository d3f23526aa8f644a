//! The crash suite: SIGKILL the server again and again while several clients write (company
//! creates, edits, secret changes, links to an application and changes of their scopes, which
//! also refresh the in-memory key directory) with group commit on, restart it over the same
//! file each time, and check that the database is intact (a write refused inside a batch among
//! them) and that every write that was acknowledged is there, with its audit event.
//! `CRASH_KILLS` sets the number of kills (100 under CI, 20 otherwise, to keep a developer's run
//! short); `bench/crash.sh` runs the full 1,000.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

/// What the clients were told, per company: created, the edits acknowledged and those sent
/// after the last acknowledgement (one of which may have committed just before the kill).
#[derive(Default)]
struct Ledger {
    created: Vec<String>,
    /// Per company: the last acknowledged trade name, the names sent since, and how many
    /// edits were acknowledged (each must have its audit event).
    name: HashMap<String, (Option<String>, Vec<String>, i64)>,
    secret_set: Vec<String>,
    /// Per link: the last acknowledged scopes, the scopes sent since, and the acknowledged
    /// changes of scopes (each must have its audit event).
    links: HashMap<String, (Scopes, Vec<Scopes>, i64)>,
    /// Every acknowledged write, of any kind: a round kills only after it has grown.
    acks: usize,
}

type Scopes = Vec<String>;

/// The scopes a link gets at its `n`th change: always `company:read`, plus a varying set.
fn scopes_for(n: u32) -> Vec<String> {
    let mut scopes = vec!["company:read".to_string()];
    for (i, s) in ["users:read", "usage:read", "secrets:omie:read"]
        .iter()
        .enumerate()
    {
        if (n >> i) & 1 == 1 {
            scopes.push(s.to_string());
        }
    }
    scopes
}

fn kills() -> usize {
    std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if in_ci() { 100 } else { 20 })
}

/// Sends a request and returns its status and JSON body, or `None` when the server is gone
/// (killed mid-request: the write may or may not have committed, and was not acknowledged).
async fn try_send(
    owner: &Client,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> Option<(StatusCode, serde_json::Value)> {
    let resp = owner
        .http
        .request(method, format!("{}{}", owner.base, path))
        .bearer_auth(owner.token.as_deref().unwrap_or_default())
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = resp.status();
    let body = resp.json().await.ok()?;
    Some((status, body))
}

/// What a write that must succeed answered: its body, or `None` when the server is gone. Any
/// other answer is a failure of the server, not of the kill, and stops the test with it.
fn acknowledged(
    answer: Option<(StatusCode, serde_json::Value)>,
    want: StatusCode,
    what: &str,
) -> Option<serde_json::Value> {
    let (status, body) = answer?;
    assert_eq!(status, want, "{what} answered {status}: {body}");
    Some(body)
}

/// The CNPJ of a writer's `n`th write. `cnpj` takes its seed modulo 100,000,000, so a writer's
/// CNPJs are spaced by 10,000: 1,000 rounds of six writers stay below it. Spaced by 100,000
/// they wrapped from round 167 on, and the 1,000-kill run met its own CNPJs again.
fn company_cnpj(seed: u32, n: u32) -> String {
    assert!(n < 10_000, "a writer's {n}th write in one round");
    cnpj(seed * 10_000 + n)
}

/// One client's loop: create a company, then edit its trade name and set its secret, until
/// the server stops answering.
async fn writer(owner: Client, ledger: Arc<Mutex<Ledger>>, seed: u32, app: String) {
    let mut n = 0u32;
    let mut company: Option<String> = None;
    let mut link: Option<String> = None;
    loop {
        n += 1;
        let Some(id) = company.clone() else {
            let body = json!({"legal_name": format!("Crash {seed} {n} Ltda"), "cnpj": company_cnpj(seed, n)});
            let answer = try_send(&owner, reqwest::Method::POST, "/api/v1/companies", body).await;
            let Some(body) = acknowledged(answer, StatusCode::CREATED, "a company create") else {
                return;
            };
            let id = body["id"].as_str().unwrap().to_string();
            let mut l = ledger.lock().unwrap();
            l.created.push(id.clone());
            l.acks += 1;
            drop(l);
            company = Some(id);
            link = None;
            continue;
        };
        if n.is_multiple_of(4) {
            // Link the company to the application, or change the link's scopes.
            let scopes = scopes_for(n);
            let Some(link_id) = link.clone() else {
                let body = json!({"application_id": app, "company_id": id, "scopes": scopes});
                let answer = try_send(&owner, reqwest::Method::POST, "/api/v1/links", body).await;
                let Some(body) = acknowledged(answer, StatusCode::CREATED, "a link create") else {
                    return;
                };
                let link_id = body["id"].as_str().unwrap().to_string();
                let mut l = ledger.lock().unwrap();
                l.links.insert(link_id.clone(), (scopes, Vec::new(), 0));
                l.acks += 1;
                drop(l);
                link = Some(link_id);
                continue;
            };
            ledger
                .lock()
                .unwrap()
                .links
                .get_mut(&link_id)
                .unwrap()
                .1
                .push(scopes.clone());
            let path = format!("/api/v1/links/{link_id}");
            let answer = try_send(
                &owner,
                reqwest::Method::PATCH,
                &path,
                json!({"scopes": scopes}),
            )
            .await;
            if acknowledged(answer, StatusCode::OK, "a change of scopes").is_none() {
                return;
            }
            let mut l = ledger.lock().unwrap();
            l.acks += 1;
            let entry = l.links.get_mut(&link_id).unwrap();
            entry.0 = scopes;
            entry.1.clear();
            entry.2 += 1;
            continue;
        }
        if n.is_multiple_of(5) {
            // A write that fails inside a batch: a CNPJ this client already used. It must be
            // refused alone, without taking the writes batched with it down.
            let body = json!({"legal_name": format!("Repetida {seed} {n} Ltda"), "cnpj": company_cnpj(seed, 1)});
            match try_send(&owner, reqwest::Method::POST, "/api/v1/companies", body).await {
                Some((StatusCode::CONFLICT, _)) => continue,
                Some((status, body)) => panic!("a repeated CNPJ answered {status}: {body}"),
                None => return,
            }
        }
        if n.is_multiple_of(3) {
            let body = json!({"values": {"api_key": format!("crash-key-{seed}-{n}-abcdef")}});
            let path = format!("/api/v1/companies/{id}/secrets/asaas");
            let answer = try_send(&owner, reqwest::Method::PUT, &path, body).await;
            if acknowledged(answer, StatusCode::OK, "a secret write").is_none() {
                return;
            }
            let mut l = ledger.lock().unwrap();
            l.secret_set.push(id.clone());
            l.acks += 1;
        } else {
            let name = format!("Nome {seed}-{n}");
            ledger
                .lock()
                .unwrap()
                .name
                .entry(id.clone())
                .or_default()
                .1
                .push(name.clone());
            let path = format!("/api/v1/companies/{id}");
            let body = json!({"trade_name": name});
            let answer = try_send(&owner, reqwest::Method::PATCH, &path, body).await;
            if acknowledged(answer, StatusCode::OK, "a company edit").is_none() {
                return;
            }
            let mut l = ledger.lock().unwrap();
            l.acks += 1;
            let entry = l.name.get_mut(&id).unwrap();
            entry.0 = Some(name);
            entry.1.clear();
            entry.2 += 1;
        }
        if n.is_multiple_of(7) {
            company = None;
        }
    }
}

fn check_file(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0, "foreign keys broken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_under_mixed_writes_no_acknowledged_write_is_lost() {
    if crate::common::sqlite_only("durability under SIGKILL") {
        return;
    }
    let mut server = Server::spawn_with(&[("ARMARIO_WRITE_BATCH_MAX", "64")]);
    let key = server.master_key.clone();
    let owner = server.owner().await;
    let app = application(&owner, "Crash App", "crash").await.id;
    let token = owner.token.unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let rounds = kills();
    for round in 0..rounds {
        let owner = server.anon().with_token(&token);
        let writers: Vec<_> = (0..6)
            .map(|w| {
                tokio::spawn(writer(
                    owner.clone(),
                    ledger.clone(),
                    (round * 6 + w + 1) as u32,
                    app.clone(),
                ))
            })
            .collect();
        // Kill while the writes flow, however slow the machine: once some write of this round
        // was acknowledged, after a pause that varies from round to round.
        let before = ledger.lock().unwrap().acks;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while ledger.lock().unwrap().acks == before && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis((round as u64 * 37) % 200)).await;
        server.kill();
        for w in writers {
            w.await.unwrap();
        }
        let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
        check_file(&dir.path().join("data").join("armario.db"));
        server = Server::spawn_in(dir, &key, &[("ARMARIO_WRITE_BATCH_MAX", "64")]);
    }

    // After the last restart, everything acknowledged is there.
    let owner = server.anon().with_token(&token);
    let l = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(
        l.created.len() >= rounds,
        "too little load: {} creates in {rounds} rounds",
        l.created.len()
    );
    let db = server.data_dir().join("armario.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    for id in &l.created {
        let found: i64 = conn
            .query_row("SELECT count(*) FROM companies WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(found, 1, "acknowledged company {id} is missing");
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_events WHERE action = 'company.created' AND target_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 1, "company {id} has no creation event");
    }
    for (id, (acked, after, edits)) in &l.name {
        let Some(acked) = acked else { continue };
        let name: Option<String> = conn
            .query_row(
                "SELECT trade_name FROM companies WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let name = name.unwrap_or_default();
        assert!(
            &name == acked || after.contains(&name),
            "company {id}: acknowledged trade name {acked:?}, found {name:?}"
        );
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_events WHERE action = 'company.updated' AND target_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            audited >= *edits,
            "company {id}: {edits} acknowledged edits, {audited} events"
        );
    }
    for id in &l.secret_set {
        let r = owner.get(&format!("/api/v1/companies/{id}/secrets")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(
            r.text.contains("asaas"),
            "company {id}: the acknowledged secret is missing: {}",
            r.text
        );
    }
    let mut scope_changes = 0;
    for (id, (acked, after, changes)) in &l.links {
        let stored: String = conn
            .query_row("SELECT scopes FROM links WHERE id = ?1", [id], |r| r.get(0))
            .unwrap_or_else(|e| panic!("acknowledged link {id} is missing: {e}"));
        // Stored space-separated, as in an OAuth `scope`.
        let stored: Vec<String> = stored.split_whitespace().map(str::to_string).collect();
        let same = |want: &Vec<String>| {
            let (mut a, mut b) = (want.clone(), stored.clone());
            a.sort();
            b.sort();
            a == b
        };
        assert!(
            same(acked) || after.iter().any(same),
            "link {id}: acknowledged scopes {acked:?}, found {stored:?}"
        );
        let created: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_events WHERE action = 'link.created' AND target_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(created, 1, "link {id} has no creation event");
        let updated: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_events WHERE action = 'link.updated' AND target_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            updated >= *changes,
            "link {id}: {changes} acknowledged changes, {updated} events"
        );
        scope_changes += changes;
    }
    // The key directory answers from what the database holds after the restarts: the
    // application sees exactly the companies its acknowledged links name.
    let key = owner
        .post(
            &format!("/api/v1/applications/{app}/credentials"),
            json!({"label": "after"}),
        )
        .await;
    assert_eq!(key.status, StatusCode::CREATED, "{}", key.text);
    let as_app = server
        .anon()
        .with_token(key.body["secret"].as_str().unwrap());
    let linked = all_pages(&as_app, "/api/v1/app/companies").await;
    let in_db: i64 = conn
        .query_row(
            "SELECT count(*) FROM links WHERE application_id = ?1",
            [&app],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        linked.len() as i64,
        in_db,
        "the application sees one company per stored link"
    );
    assert!(
        linked.len() >= l.links.len(),
        "every acknowledged link is seen"
    );
    eprintln!(
        "{rounds} kills: {} creates, {} edited companies, {} secret writes, {} links and {scope_changes} scope changes acknowledged and found",
        l.created.len(),
        l.name.len(),
        l.secret_set.len(),
        l.links.len()
    );
}
