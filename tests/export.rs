//! Exports (LGPD art. 18, II and V): every canary planted for a person or a company is in its
//! export, nothing of another company is, secrets appear by kind and hint only, and only who
//! may see the data may download it.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Planted {
    company: String,
    admin: String,
    member: String,
    /// Strings that must be in the company's export.
    company_canaries: Vec<String>,
    /// Strings that must be in the member's own export.
    member_canaries: Vec<String>,
    /// A secret's value: in no export.
    secret: String,
}

async fn person(owner: &Client, company: &str, email: &str, name: &str, role: &str) -> String {
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": email, "name": name, "role": role, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

/// A company with a canary in each kind of data an export covers.
async fn plant(server: &Server, owner: &Client, tag: &str, seed: u32) -> Planted {
    let legal = format!("Canario {tag} Empresa {seed}");
    let company = company(owner, &legal, seed).await;
    let admin_email = format!("admin.{tag}@canario.test");
    let admin_name = format!("Admin Canario {tag}");
    let admin = person(owner, &company, &admin_email, &admin_name, "company_admin").await;
    let member_email = format!("membro.{tag}@canario.test");
    let member_name = format!("Membro Canario {tag}");
    let member = person(owner, &company, &member_email, &member_name, "member").await;
    let secret = format!("segredo-{tag}-{}", rand::random::<u64>());
    let r = owner
        .put(
            &format!("/api/v1/companies/{company}/secrets/omie"),
            json!({"values": {"app_key": "k-1", "app_secret": secret}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let hint = r.body["hint"].as_str().unwrap().to_string();
    let dpo_email = format!("dpo.{tag}@canario.test");
    let r = owner
        .put(
            &format!("/api/v1/companies/{company}/dpo"),
            json!({"name": format!("DPO {tag}"), "email": dpo_email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let member_client = server.login(&member_email, PASSWORD).await;
    let details = format!("Pedido canario {tag}");
    let r = member_client
        .post(
            &format!("/api/v1/companies/{company}/privacy-requests"),
            json!({"kind": "access", "details": details}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let request = r.body["id"].as_str().unwrap().to_string();
    let domain = format!("app.{tag}.canario.test");
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/domains"),
            json!({"domain": domain}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    Planted {
        company_canaries: vec![
            legal,
            company.clone(),
            admin_email.clone(),
            admin_name.clone(),
            member_email.clone(),
            member_name.clone(),
            hint,
            dpo_email.clone(),
            details.clone(),
            request.clone(),
            domain,
        ],
        member_canaries: vec![member_email, member_name, details, request, dpo_email],
        company,
        admin,
        member,
        secret,
    }
}

fn assert_has(export: &Value, canaries: &[String], what: &str) {
    let text = export.to_string();
    for c in canaries {
        assert!(text.contains(c.as_str()), "{what} lacks {c:?}");
    }
}

fn assert_lacks(export: &Value, canaries: &[String], what: &str) {
    let text = export.to_string();
    for c in canaries {
        assert!(!text.contains(c.as_str()), "{what} holds {c:?}");
    }
}

/// The manifest names each section of `data` with its count.
fn assert_manifest(export: &Value, kind: &str) {
    let m = &export["manifest"];
    assert_eq!(m["format"], "armario-export", "{m}");
    assert_eq!(m["format_version"], 1, "{m}");
    assert_eq!(m["subject"]["kind"], kind, "{m}");
    assert!(m["generated_at"].as_str().unwrap().ends_with('Z'), "{m}");
    let sections = m["sections"].as_array().unwrap();
    assert_eq!(sections.len(), export["data"].as_object().unwrap().len());
    for s in sections {
        let name = s["name"].as_str().unwrap();
        let rows = export["data"][name].as_array().unwrap();
        assert_eq!(s["count"], rows.len(), "{name}");
    }
}

#[tokio::test]
async fn a_company_export_holds_its_canaries_and_nothing_of_another() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = plant(&server, &owner, "alfa", 81).await;
    let b = plant(&server, &owner, "bravo", 82).await;
    let admin = server.login("admin.alfa@canario.test", PASSWORD).await;
    let r = admin
        .post_empty(&format!("/api/v1/companies/{}/export", a.company))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_manifest(&r.body, "company");
    assert_has(&r.body, &a.company_canaries, "A's export");
    assert_lacks(&r.body, &b.company_canaries, "A's export");
    assert_lacks(&r.body, &[a.secret.clone(), b.secret.clone()], "A's export");
    assert!(!r.text.contains("password_hash") && !r.text.contains("token_hash"));
    // The secret is listed by kind and hint only.
    let secrets = r.body["data"]["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["kind"], "omie");
    // The audit events about the company are in it, and the export itself is audited.
    assert!(!r.body["data"]["audit_events"]
        .as_array()
        .unwrap()
        .is_empty());
    let events = audit_events(&owner, "action=privacy.exported").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["company_id"], a.company.as_str());
    // The owner gets the same data.
    let r = owner
        .post_empty(&format!("/api/v1/companies/{}/export", b.company))
        .await;
    assert_has(&r.body, &b.company_canaries, "B's export");
    assert_lacks(&r.body, &a.company_canaries, "B's export");
}

#[tokio::test]
async fn a_person_export_holds_their_canaries_and_nothing_of_others() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = plant(&server, &owner, "alfa", 83).await;
    let b = plant(&server, &owner, "bravo", 84).await;
    let member = server.login("membro.alfa@canario.test", PASSWORD).await;
    let own = format!("/api/v1/companies/{}/users/{}/export", a.company, a.member);
    let r = member.post_empty(&own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_manifest(&r.body, "person");
    assert_has(&r.body, &a.member_canaries, "the member's export");
    assert_lacks(&r.body, &b.company_canaries, "the member's export");
    // Not the admin's e-mail nor any secret.
    assert_lacks(
        &r.body,
        &["admin.alfa@canario.test".into(), a.secret.clone()],
        "the member's export",
    );
    assert!(!r.body["data"]["audit_events"]
        .as_array()
        .unwrap()
        .is_empty());
    let events = audit_events(&owner, "action=privacy.exported").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["target_id"], a.member.as_str());
    // The admin and the owner may export the member too.
    let admin = server.login("admin.alfa@canario.test", PASSWORD).await;
    for c in [&admin, &owner] {
        let r = c.post_empty(&own).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_has(&r.body, &a.member_canaries, "the member's export");
    }
}

#[tokio::test]
async fn only_who_may_see_the_data_downloads_it() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = plant(&server, &owner, "alfa", 85).await;
    let b = plant(&server, &owner, "bravo", 86).await;
    let member = server.login("membro.alfa@canario.test", PASSWORD).await;
    let admin = server.login("admin.alfa@canario.test", PASSWORD).await;
    let anon = server.anon();
    // A member: not the company, not a colleague.
    let r = member
        .post_empty(&format!("/api/v1/companies/{}/export", a.company))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = member
        .post_empty(&format!(
            "/api/v1/companies/{}/users/{}/export",
            a.company, a.admin
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // Another company, or its people, for every role of A: 404.
    for c in [&member, &admin] {
        for p in [
            format!("/api/v1/companies/{}/export", b.company),
            format!("/api/v1/companies/{}/users/{}/export", b.company, b.member),
            format!("/api/v1/companies/{}/users/{}/export", a.company, b.member),
        ] {
            let r = c.post_empty(&p).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}: {}", r.text);
            assert_lacks(&r.body, &b.company_canaries, &p);
        }
    }
    let r = anon
        .post_empty(&format!("/api/v1/companies/{}/export", a.company))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = owner
        .post_empty(&format!(
            "/api/v1/companies/{}/users/{}/export",
            a.company, b.member
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(audit_events(&owner, "action=privacy.exported")
        .await
        .is_empty());
}
