//! Erasure (LGPD art. 18, IV and VI): canaries planted for a company or a person are gone from
//! every text column of every table afterwards (but the fields kept by the setting), while a
//! neighbour's are intact; the erased cannot sign in, the company's application loses access
//! at once, the audit chain still verifies, only who may erase can, and fulfilling a deletion
//! request erases.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::seed::linked_app;
use crate::common::*;

const ENV: &[(&str, &str)] = &[
    ("ARMARIO_TRUST_PROXY", "true"),
    ("ARMARIO_ALERT_CHECK_SECS", "1"),
];

/// What was planted for one company.
struct Planted {
    company: String,
    cnpj: String,
    admin: String,
    admin_email: String,
    member: String,
    member_email: String,
    app_key: String,
    /// The sealed secret's value: never in clear text, and its row must go.
    secret: String,
    /// Strings of the company and its people.
    company_canaries: Vec<String>,
    /// Strings of the member alone.
    member_canaries: Vec<String>,
}

async fn person(owner: &Client, company: &str, email: &str, name: &str, role: &str) -> String {
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": email, "name": name, "role": role, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn login_from(server: &Server, ip: &str, email: &str) -> Resp {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    Resp::read(resp).await
}

/// A company with a canary in each kind of data erasure reaches.
async fn plant(server: &Server, owner: &Client, tag: &str, seed: u32) -> Planted {
    let legal = format!("Canario {tag} Comercio Ltda");
    let company = company(owner, &legal, seed).await;
    let contact = format!("contato.{tag}@canario.test");
    let r = owner
        .patch(
            &format!("/api/v1/companies/{company}"),
            json!({"trade_name": format!("Loja {tag}"), "contact_email": contact}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let admin_email = format!("admin.{tag}@canario.test");
    let admin_name = format!("Admin Canario {tag}");
    let admin = person(owner, &company, &admin_email, &admin_name, "company_admin").await;
    let member_email = format!("membro.{tag}@canario.test");
    let member_name = format!("Membro Canario {tag}");
    let member = person(owner, &company, &member_email, &member_name, "member").await;
    let ip = format!("203.0.113.{seed}");
    assert_eq!(
        login_from(server, &ip, &member_email).await.status,
        StatusCode::OK
    );
    let secret = format!("segredo{tag}XYZ{seed}");
    crate::common::seed::omie_secret(owner, &company, "k-1", &secret).await;
    let linked = linked_app(owner, &format!("App {tag}"), &company, &["company:read"]).await;
    // A provisioning failure: the owner's alert names the company and carries the message.
    let failure = format!("falha canario {tag}");
    let r = server
        .anon()
        .with_token(&linked.app.key)
        .put(
            &format!("/api/v1/app/companies/{company}/provisioning"),
            json!({ "state": "failed", "message": failure }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    eventually(15, "the provisioning_failed alert", || {
        let want = failure.clone();
        async move {
            all_pages(owner, "/api/v1/alerts")
                .await
                .iter()
                .any(|a| a["kind"] == "provisioning_failed" && a["error"] == want.as_str())
        }
    })
    .await;
    let schema =
        json!({"type": "object", "properties": {"note": {"type": "string", "maxLength": 60}}});
    let r = owner
        .put(
            &format!("/api/v1/applications/{}/config-schema", linked.app.id),
            json!({ "schema": schema }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let config = format!("configuracao canario {tag}");
    let r = owner
        .put(
            &format!("/api/v1/companies/{company}/config/{}", linked.app.id),
            json!({ "values": { "note": config } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let invited = format!("convidado.{tag}@canario.test");
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/invitations"),
            json!({"email": invited, "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let member_canaries = vec![member_name, member_email.clone(), ip];
    let mut company_canaries = vec![
        legal,
        format!("Loja {tag}"),
        contact,
        admin_name,
        admin_email.clone(),
        config,
        invited,
        failure,
    ];
    company_canaries.extend(member_canaries.clone());
    Planted {
        company,
        cnpj: cnpj(seed),
        admin,
        admin_email,
        member,
        member_email,
        app_key: linked.app.key,
        secret,
        company_canaries,
        member_canaries,
    }
}

/// Every text column of every table, one value a line.
fn dump(server: &Server) -> String {
    server.with_store(dump_store)
}

fn dump_store(db: &armario::db::Db<'_>) -> String {
    let tables_sql = match db.dialect() {
        armario::db::sql::Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        armario::db::sql::Dialect::Postgres => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"
        }
    };
    let tables: Vec<String> = db
        .prepare(tables_sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for t in tables {
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(s)) = r.get_ref(i) {
                    out.push_str(&format!("{t}: {}\n", String::from_utf8_lossy(s)));
                }
            }
        }
    }
    out
}

fn secrets(server: &Server, company: &str) -> i64 {
    server.with_store(|db| {
        db.query_row(
            "SELECT COUNT(*) FROM company_secrets WHERE company_id = ?1",
            [company],
            |r| r.get(0),
        )
        .unwrap()
    })
}

fn assert_gone(text: &str, canaries: &[String]) {
    for c in canaries {
        let hits: Vec<&str> = text.lines().filter(|l| l.contains(c.as_str())).collect();
        assert!(hits.is_empty(), "{c} survived the erasure: {hits:?}");
    }
}

fn assert_kept(text: &str, canaries: &[String]) {
    for c in canaries {
        assert!(text.contains(c.as_str()), "{c} of the neighbour was lost");
    }
}

/// The file's text columns and the company's export: its people's names and e-mails are
/// sealed under its key in the file, so what is kept is checked as armario reads it too.
async fn kept_text(server: &Server, owner: &Client, company: &str) -> String {
    let r = owner
        .post_empty(&format!("/api/v1/companies/{company}/export"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    format!("{}\n{}", dump(server), r.text)
}

fn audit_verifies(server: &mut Server) {
    assert!(server.stop().success());
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["audit", "verify"],
        "",
    );
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "audit verify failed: {text}");
}

#[tokio::test]
async fn a_company_erasure_keeps_only_the_kept_fields_and_spares_the_neighbour() {
    let mut server = Server::start_with(ENV);
    let owner = server.owner().await;
    let t = plant(&server, &owner, "alvo", 31).await;
    let n = plant(&server, &owner, "vizinho", 32).await;
    let path = format!("/api/v1/companies/{}/erasure", t.company);
    let r = owner.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let c = &r.body["counts"];
    assert_eq!(
        (c["users"].as_i64(), c["secrets"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (c["links"].as_i64(), c["config_values"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(c["sessions"].as_i64(), Some(1));
    assert_eq!(r.body["kept"], json!(["cnpj", "created_at"]));

    let r = owner
        .post(&path, json!({"confirmation": "outra-coisa"}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("confirmation"));
    assert!(
        dump(&server).contains(&t.company_canaries[0]),
        "a refused erasure changed data"
    );

    let app = server.anon().with_token(&t.app_key);
    let seen = format!("/api/v1/app/companies/{}", t.company);
    assert_eq!(app.get(&seen).await.status, StatusCode::OK);
    let r = owner.post(&path, json!({"confirmation": t.cnpj})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let pseudonym = r.body["pseudonym"].as_str().unwrap().to_string();
    assert_eq!(r.body["kept"], json!(["cnpj", "created_at"]));
    // The application lost access at once.
    assert_eq!(app.get(&seen).await.status, StatusCode::NOT_FOUND);
    // Erasing again, reactivating or signing in are refused.
    let r = owner.post(&path, json!({"confirmation": t.cnpj})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = owner
        .post_empty(&format!("/api/v1/companies/{}/reactivate", t.company))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let company = owner.get(&format!("/api/v1/companies/{}", t.company)).await;
    assert_eq!(company.body["status"], "cancelled");
    assert_eq!(company.body["cnpj"], t.cnpj.as_str());
    assert_eq!(
        company.body["legal_name"],
        format!("Empresa apagada {pseudonym}")
    );
    let text = dump(&server);
    assert_gone(&text, &t.company_canaries);
    assert_gone(&text, std::slice::from_ref(&t.secret));
    assert_kept(
        &kept_text(&server, &owner, &n.company).await,
        &n.company_canaries,
    );
    // Nor is anything of it left in the file's free space or in the write-ahead log (the
    // SQLite file's bytes; PostgreSQL's pages are the server's to vacuum).
    if !crate::common::postgres::suite_on_postgres() {
        let raw = raw_files(&server);
        for c in &t.company_canaries {
            assert!(!bytes_contain(&raw, c), "{c} is still in the database file");
        }
        assert!(bytes_contain(&raw, &n.company_canaries[0]));
    }
    assert_eq!(secrets(&server, &t.company), 0);
    assert_eq!(secrets(&server, &n.company), 1);
    // Signing in after (a new attempt, audited on its own) is refused.
    let r = login_from(&server, "198.51.100.1", &t.admin_email).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let events = audit_events(&owner, "action=company.erased").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["pseudonym"], pseudonym.as_str());
    audit_verifies(&mut server);
}

#[tokio::test]
async fn a_person_erased_by_their_admin_leaves_no_canary_and_cannot_sign_in() {
    let mut server = Server::start_with(ENV);
    let owner = server.owner().await;
    let t = plant(&server, &owner, "pessoa", 33).await;
    let n = plant(&server, &owner, "outra", 34).await;
    let admin = server.login(&t.admin_email, PASSWORD).await;
    let path = format!("/api/v1/companies/{}/users/{}/erasure", t.company, t.member);
    let r = admin.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["counts"]["sessions"], 1);
    assert_eq!(r.body["kind"], "person");

    let r = admin
        .post(&path, json!({"confirmation": "nao.e@este.test"}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("confirmation"));
    let r = admin
        .post(&path, json!({"confirmation": t.member_email}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let pseudonym = r.body["pseudonym"].as_str().unwrap().to_string();
    let r = admin
        .post(&path, json!({"confirmation": t.member_email}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    let u = admin
        .get(&format!(
            "/api/v1/companies/{}/users/{}",
            t.company, t.member
        ))
        .await;
    assert_eq!(u.body["name"], format!("Titular apagado {pseudonym}"));
    assert_eq!(u.body["email"], format!("{pseudonym}@apagado.invalid"));
    let text = dump(&server);
    assert_gone(&text, &t.member_canaries);
    let raw = raw_files(&server);
    for c in &t.member_canaries {
        assert!(!bytes_contain(&raw, c), "{c} is still in the database file");
    }
    // The rest of the company and the neighbour are untouched.
    assert_kept(
        &kept_text(&server, &owner, &t.company).await,
        &t.company_canaries[..6],
    );
    assert_kept(
        &kept_text(&server, &owner, &n.company).await,
        &n.company_canaries,
    );
    let r = login_from(&server, "198.51.100.2", &t.member_email).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let events = audit_events(&owner, "action=user.erased").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["target_id"], t.member.as_str());
    audit_verifies(&mut server);
}

#[tokio::test]
async fn only_the_company_admin_or_the_owner_erases_and_the_last_admin_not_themselves() {
    let server = Server::start_with(ENV);
    let owner = server.owner().await;
    let a = plant(&server, &owner, "aa", 35).await;
    let b = plant(&server, &owner, "bb", 36).await;
    let admin_b = server.login(&b.admin_email, PASSWORD).await;
    let member_a = server.login(&a.member_email, PASSWORD).await;
    let body = |email: &str| json!({"confirmation": email});
    let of = |p: &Planted, u: &str| format!("/api/v1/companies/{}/users/{u}/erasure", p.company);
    // Another company's person is a 404, through either company's path.
    let r = admin_b
        .post(&of(&a, &a.member), body(&a.member_email))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = admin_b
        .post(&of(&b, &a.member), body(&a.member_email))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A member may not erase, nor preview.
    let r = member_a.post(&of(&a, &a.admin), body(&a.admin_email)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        member_a.get(&of(&a, &a.admin)).await.status,
        StatusCode::FORBIDDEN
    );
    // Only the owner erases a company.
    let r = admin_b
        .post(
            &format!("/api/v1/companies/{}/erasure", b.company),
            body(&b.cnpj),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The last admin cannot erase themselves.
    let r = admin_b.post(&of(&b, &b.admin), body(&b.admin_email)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("user_id"));
    assert_kept(
        &kept_text(&server, &owner, &a.company).await,
        &a.company_canaries,
    );
    assert_kept(
        &kept_text(&server, &owner, &b.company).await,
        &b.company_canaries,
    );
}

#[tokio::test]
async fn fulfilling_a_deletion_request_erases_the_person() {
    let mut server = Server::start_with(ENV);
    let owner = server.owner().await;
    let t = plant(&server, &owner, "pedido", 37).await;
    let member = server.login(&t.member_email, PASSWORD).await;
    let requests = format!("/api/v1/companies/{}/privacy-requests", t.company);
    let r = member
        .post(
            &requests,
            json!({"kind": "deletion", "details": "Apaguem Membro Canario pedido"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = owner
        .patch(&format!("{requests}/{id}"), json!({"status": "fulfilled"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut gone = t.member_canaries.clone();
    gone.push("Apaguem".into());
    assert_gone(&dump(&server), &gone);
    let r = login_from(&server, "198.51.100.3", &t.member_email).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let events = audit_events(&owner, "action=user.erased").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["privacy_request_id"], id.as_str());
    let r = owner
        .get(&format!(
            "/api/v1/companies/{}/users/{}/erasure",
            t.company, t.member
        ))
        .await;
    assert!(r.body["erasure"]["pseudonym"].is_string(), "{}", r.text);
    audit_verifies(&mut server);
}

/// Returns the first delivery of `kind` the receiver got as `name`.
fn delivery(rx: &crate::webhooks::Receiver, name: &str, kind: &str) -> Option<Value> {
    rx.received_by(name)
        .into_iter()
        .find(|r| r["payload"]["type"] == kind)
}

#[tokio::test]
async fn the_linked_application_hears_of_the_erasure() {
    let Some(rx) = crate::webhooks::Receiver::start() else {
        return;
    };
    let server = Server::start_with(crate::webhooks::ALLOW);
    let owner = server.owner().await;
    let company = company(&owner, "Ouvinte Ltda", 38).await;
    let linked = linked_app(&owner, "Ouvinte", &company, &["company:read"]).await;
    crate::webhooks::endpoint(&owner, &rx, &linked.app.id, "erased").await;
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/erasure"),
            json!({"confirmation": cnpj(38)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    eventually(30, "the company.erased delivery", || async {
        delivery(&rx, "erased", "company.erased").is_some()
    })
    .await;
    let got = delivery(&rx, "erased", "company.erased").unwrap();
    assert_eq!(got["payload"]["data"]["company_id"], company.as_str());
    assert_eq!(got["payload"]["version"], 1);
}

/// A company's events are sealed under its key. Erasing the company deletes the key, so the
/// events the erasure keeps as they were (an earlier person's erasure among them) are opened
/// first: the audit log still lists every event of the company, and the chain still verifies.
#[tokio::test]
async fn a_company_erased_after_one_of_its_people_keeps_a_readable_audit_log() {
    let mut server = Server::start_with(ENV);
    let owner = server.owner().await;
    let t = plant(&server, &owner, "registro", 35).await;
    let admin = server.login(&t.admin_email, PASSWORD).await;
    let person = format!("/api/v1/companies/{}/users/{}/erasure", t.company, t.member);
    let r = admin
        .post(&person, json!({"confirmation": t.member_email}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let company = format!("/api/v1/companies/{}/erasure", t.company);
    let r = owner.post(&company, json!({"confirmation": t.cnpj})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let events = audit_events(&owner, &format!("company_id={}", t.company)).await;
    let erased = events
        .iter()
        .find(|e| e["action"] == "user.erased")
        .unwrap_or_else(|| panic!("the person's erasure is listed: {events:?}"));
    assert_eq!(erased["target_id"], t.member.as_str());
    assert!(
        erased["details"].as_object().is_some_and(|d| !d.is_empty()),
        "its details are kept and readable: {erased}"
    );
    assert!(erased["ip"].is_null(), "its IP is not kept: {erased}");
    let text = serde_json::to_string(&events).unwrap();
    assert_gone(&text, &t.member_canaries);
    audit_verifies(&mut server);
}
