//! Erasure that reaches the backups. Each company's personal data in a backup is sealed under
//! a key the manifest carries; erasing the company rewrites every retained manifest without it,
//! so those backups, opened with the master key, yield nothing of the company; restoring an
//! older backup re-applies the erasure ledger, so no one erased comes back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use armario::backup::{BackupConfig, BackupEngine, BackupSelector, RestoreOptions};
use armario::crypto::MasterKey;
use armario::db::pg::backup::PgDatabase;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A company with distinctive personal data, and a secret.
struct Planted {
    id: String,
    cnpj: String,
    person: String,
    email: String,
    secret: String,
}

async fn plant(owner: &Client, tag: &str, seed: u32) -> Planted {
    let cnpj = cnpj(seed);
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": format!("Empresa {tag} Ltda"), "cnpj": cnpj}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let person = format!("Pessoa {tag}");
    let email = format!("pessoa.{}@example.com", tag.to_lowercase());
    let r = owner
        .post(
            &format!("/api/v1/companies/{id}/users"),
            json!({"email": email, "name": person, "role": "company_admin", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let secret = format!("segredo-{}-0123456789", tag.to_lowercase());
    let r = owner
        .put(
            &format!("/api/v1/companies/{id}/secrets/asaas"),
            json!({"values": {"api_key": secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    Planted {
        id,
        cnpj,
        person,
        email,
        secret,
    }
}

async fn take_backup(owner: &Client) -> String {
    // The start's catch-up backup may still be running (seconds on PostgreSQL): 409 until it
    // is done.
    let r = backup_when_free(owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "succeeded", "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

fn manifests(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".manifest.json") {
            out.push(serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap());
        }
    }
    out
}

fn keyed_companies(manifest: &Value) -> BTreeSet<String> {
    manifest["company_keys"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The bytes of a database file and of its WAL, if any.
fn file_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", db.display())) {
        bytes.extend(wal);
    }
    bytes
}

/// An engine over the server's backups that knows nothing of the store: it opens a backup
/// with the master key alone, as anyone holding the key could.
fn bare_engine(backups: &Path, master_key: &str) -> (BackupEngine, tempfile::TempDir) {
    let scratch = tempfile::tempdir().unwrap();
    let config = BackupConfig {
        local_dir: Some(backups.to_path_buf()),
        ..Default::default()
    };
    let engine = BackupEngine::new(
        scratch.path(),
        config.resolve(scratch.path()).unwrap(),
        &MasterKey::parse(master_key).unwrap(),
    )
    .unwrap();
    (engine, scratch)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_company_cannot_be_read_in_any_older_backup_even_with_the_master_key() {
    let server = Server::spawn();
    let owner = server.owner().await;
    let gone = plant(&owner, "Canario", 9101).await;
    let kept = plant(&owner, "Vizinha", 9102).await;
    let first = take_backup(&owner).await;
    let second = take_backup(&owner).await;
    let backups = server.data_dir().join("backups");
    // (The scheduler's catch-up backup at start held no company.)
    for m in manifests(&backups) {
        if m["id"] != first.as_str() && m["id"] != second.as_str() {
            continue;
        }
        let keyed = keyed_companies(&m);
        assert!(
            keyed.contains(&gone.id) && keyed.contains(&kept.id),
            "both backups carry both companies' keys: {m}"
        );
    }

    let r = owner
        .post(
            &format!("/api/v1/companies/{}/erasure", gone.id),
            json!({"confirmation": gone.cnpj}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    eventually(
        30,
        "every manifest rewritten without the erased company's key",
        || {
            let backups = backups.clone();
            let gone = gone.id.clone();
            async move {
                let all = manifests(&backups);
                !all.is_empty() && all.iter().all(|m| !keyed_companies(m).contains(&gone))
            }
        },
    )
    .await;
    for m in manifests(&backups) {
        if m["id"] == first.as_str() || m["id"] == second.as_str() {
            assert!(keyed_companies(&m).contains(&kept.id), "{m}");
        }
    }
    let ledger: Value =
        serde_json::from_slice(&std::fs::read(backups.join("armario-erasures.json")).unwrap())
            .unwrap();
    assert!(
        ledger.to_string().contains(&gone.id),
        "the ledger beside the backups: {ledger}"
    );
    assert!(!ledger.to_string().contains(&gone.email), "{ledger}");

    // Opened with the master key alone, without the store's ledger: nothing of the erased
    // company, everything of the other.
    let (engine, scratch) = bare_engine(&backups, &server.master_key);
    for id in [&first, &second] {
        let restored = restore_bare(&engine, scratch.path(), id).await;
        assert!(
            restored.unreadable.contains(&gone.id),
            "{:?}",
            restored.unreadable
        );
        for canary in [&gone.person, &gone.email, "Empresa Canario"] {
            assert!(
                !contains(&restored.bytes, canary),
                "{canary} is readable in {id}"
            );
        }
        // A PostgreSQL store keeps people's names and e-mails sealed under their company's key
        // and opens them as it reads them: there the other company's key is back instead.
        let readable: &[&str] = match restored.url {
            Some(_) => &["Empresa Vizinha"],
            None => &[&kept.person, &kept.email, "Empresa Vizinha"],
        };
        for canary in readable {
            assert!(
                contains(&restored.bytes, canary),
                "{canary} is missing from {id}"
            );
        }
        let keyed = |company: &str| -> i64 {
            with_store_at(restored.url.clone(), &restored.path, |db| {
                db.query_row(
                    "SELECT count(*) FROM company_keys WHERE company_id = ?1 AND sealed IS NOT NULL",
                    [company],
                    |r| r.get(0),
                )
                .unwrap()
            })
        };
        if restored.url.is_some() {
            assert_eq!(keyed(&gone.id), 0, "the erased company's key in {id}");
            assert_eq!(keyed(&kept.id), 1, "the other company's key in {id}");
        }
        let secrets = |company: &str| -> i64 {
            with_store_at(restored.url.clone(), &restored.path, |db| {
                db.query_row(
                    "SELECT count(*) FROM company_secrets WHERE company_id = ?1",
                    [company],
                    |r| r.get(0),
                )
                .unwrap()
            })
        };
        // No company person's e-mail index travels in a backup: with the master key, a
        // guessed address could be tested against it. The first start after a restore computes them again.
        let indexed: i64 = with_store_at(restored.url.clone(), &restored.path, |db| {
            db.query_row(
                "SELECT count(*) FROM users WHERE email_index IS NOT NULL AND company_id IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
        });
        assert_eq!(indexed, 0, "e-mail indexes in the restored copy of {id}");
        let users: i64 = with_store_at(restored.url.clone(), &restored.path, |db| {
            db.query_row(
                "SELECT count(*) FROM users WHERE company_id IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
        });
        assert!(users >= 2, "the people are restored in {id}: {users}");
        assert_eq!(secrets(&gone.id), 0, "the erased company's secrets in {id}");
        assert_eq!(secrets(&kept.id), 1, "the other company's secret in {id}");
        assert!(
            !contains(&restored.bytes, &gone.secret) && !contains(&restored.bytes, &kept.secret)
        );
    }
}

/// A backup restored by an engine that knows nothing of the store.
struct Restored {
    /// Everything the restored copy holds: the file's bytes, or a plain-text dump of the
    /// PostgreSQL database's data.
    bytes: Vec<u8>,
    unreadable: BTreeSet<String>,
    /// The restored database, on PostgreSQL; else the file at `path`.
    url: Option<String>,
    path: PathBuf,
}

/// Restores backup `id` with the bare `engine`: into a file of `scratch`, or, on PostgreSQL,
/// into a new empty database.
async fn restore_bare(engine: &BackupEngine, scratch: &Path, id: &str) -> Restored {
    let path = scratch.join(format!("{id}.db"));
    let url =
        crate::common::postgres::suite_on_postgres().then(crate::common::postgres::fresh_database);
    let options = match &url {
        Some(url) => RestoreOptions {
            to_database: Some(PgDatabase::new(
                url,
                None,
                Some(&crate::common::postgres::bin_dir()),
            )),
            ..Default::default()
        },
        None => RestoreOptions {
            to: Some(path.clone()),
            ..Default::default()
        },
    };
    let report = engine
        .restore(&BackupSelector::Id(id.to_string()), &options)
        .await
        .unwrap();
    let bytes = match &url {
        Some(url) => data_of(url),
        None => file_bytes(&path),
    };
    Restored {
        bytes,
        unreadable: report.unsealed.unreadable,
        url,
        path,
    }
}

/// The data of every table of the database `url`, as `pg_dump` prints it.
fn data_of(url: &str) -> Vec<u8> {
    let out = std::process::Command::new(crate::common::postgres::bin_dir().join("pg_dump"))
        .args(["--data-only", "--enable-row-security", "--dbname", url])
        .env("PGOPTIONS", "-c armario.scope=platform")
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_an_older_backup_does_not_bring_an_erased_person_or_company_back() {
    let mut server = Server::spawn();
    let owner = server.owner().await;
    let token = owner.token.clone().unwrap();
    let firm = plant(&owner, "Firma", 9201).await;
    let erased_person = "Titular Canario";
    let erased_email = "titular.canario@example.com";
    let r = owner
        .post(
            &format!("/api/v1/companies/{}/users", firm.id),
            json!({"email": erased_email, "name": erased_person, "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let person_id = r.body["id"].as_str().unwrap().to_string();
    let gone = plant(&owner, "Encerrada", 9202).await;
    let older = take_backup(&owner).await;

    let r = owner
        .post(
            &format!("/api/v1/companies/{}/users/{person_id}/erasure", firm.id),
            json!({"confirmation": erased_email}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = owner
        .post(
            &format!("/api/v1/companies/{}/erasure", gone.id),
            json!({"confirmation": gone.cnpj}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let ledger_file = server
        .data_dir()
        .join("backups")
        .join("armario-erasures.json");
    eventually(
        30,
        "the ledger beside the backups lists both erasures",
        || {
            let ledger_file = ledger_file.clone();
            let (p, c) = (person_id.clone(), gone.id.clone());
            async move {
                std::fs::read_to_string(&ledger_file)
                    .is_ok_and(|l| l.contains(&p) && l.contains(&c))
            }
        },
    )
    .await;

    // The operator restores the older backup in place, with the server stopped. The store's
    // own ledger goes with the database it replaces; the one beside the backups remains.
    server.stop();
    server.use_an_empty_database();
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["restore", &older],
        "",
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("erasure"),
        "the restore says it erased again: {said}"
    );
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let key = server.master_key.clone();
    let server = Server::spawn_in(dir, &key, &[]);
    let owner = server.anon().with_token(&token);

    let users = all_pages(&owner, &format!("/api/v1/companies/{}/users", firm.id)).await;
    let text = serde_json::to_string(&users).unwrap();
    assert!(
        !text.contains(erased_email) && !text.contains("Titular Canario"),
        "{text}"
    );
    assert!(
        text.contains(&firm.email),
        "the company's other person is there: {text}"
    );
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": erased_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    // The backup carried no e-mail's index: the start after the restore computed them again.
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": firm.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.get(&format!("/api/v1/companies/{}", gone.id)).await;
    let company = r.body.to_string();
    assert!(!company.contains("Empresa Encerrada"), "{company}");
    // The search finds the restored companies by name (PostgreSQL's index of their names'
    // trigrams travels in no backup and was built again), the erased one by none of its own.
    let r = owner.get("/api/v1/companies?q=firma%20ltda").await;
    assert_eq!(
        ids(r.body["items"].as_array().unwrap()),
        vec![firm.id.clone()]
    );
    let r = owner.get("/api/v1/companies?q=encerrada").await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    let users = all_pages(&owner, &format!("/api/v1/companies/{}/users", gone.id)).await;
    assert!(
        !serde_json::to_string(&users).unwrap().contains(&gone.email),
        "{users:?}"
    );
    let r = owner
        .get(&format!("/api/v1/companies/{}/secrets", gone.id))
        .await;
    assert!(!r.text.contains("asaas"), "{}", r.text);
}

/// A database put back by hand from an older copy (not through `armario restore`) learns the
/// erasures it lacks from the ledger beside the backups when the server starts on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_put_back_by_hand_is_erased_again_at_start() {
    let mut server = Server::spawn();
    let owner = server.owner().await;
    let token = owner.token.clone().unwrap();
    let firm = plant(&owner, "Manual", 9301).await;
    let r = owner
        .post(
            &format!("/api/v1/companies/{}/users", firm.id),
            json!({"email": "copia.canario@example.com", "name": "Copia Canario", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let person = r.body["id"].as_str().unwrap().to_string();
    server.stop();
    let db = server.db_path();
    let older = server.data_dir().join("older.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .backup(rusqlite::MAIN_DB, &older, None)
        .unwrap();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let key = server.master_key.clone();
    let mut server = Server::spawn_in(dir, &key, &[]);
    let owner = server.anon().with_token(&token);
    let r = owner
        .post(
            &format!("/api/v1/companies/{}/users/{person}/erasure", firm.id),
            json!({"confirmation": "copia.canario@example.com"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let ledger_file = server
        .data_dir()
        .join("backups")
        .join("armario-erasures.json");
    eventually(30, "the ledger beside the backups", || {
        let (ledger_file, person) = (ledger_file.clone(), person.clone());
        async move { std::fs::read_to_string(&ledger_file).is_ok_and(|l| l.contains(&person)) }
    })
    .await;

    server.stop();
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    std::fs::rename(&older, &db).unwrap();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let server = Server::spawn_in(dir, &key, &[]);
    let owner = server.anon().with_token(&token);
    let path = format!("/api/v1/companies/{}/users/{person}", firm.id);
    eventually(30, "the person erased again", || {
        let (owner, path) = (owner.clone(), path.clone());
        async move {
            let r = owner.get(&path).await;
            r.status == StatusCode::OK && !r.text.contains("Copia Canario")
        }
    })
    .await;
    let ledger = std::fs::read_to_string(&ledger_file).unwrap();
    assert!(
        ledger.contains(&person),
        "the ledger beside the backups kept the entry: {ledger}"
    );
}
