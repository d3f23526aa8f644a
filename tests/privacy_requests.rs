//! Data-subject requests (LGPD art. 18): who may file, see and work them, the 15-day due date,
//! bad input naming its field, the audit, and the encarregado's contacts.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const DAY_MS: i64 = 86_400_000;

struct World {
    server: Server,
    owner: Client,
    a: String,
    b: String,
    admin_a: Client,
    member_a: Client,
    member_a_id: String,
    other_a_id: String,
    b_member_id: String,
}

async fn world() -> World {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa Padaria", 71).await;
    let b = company(&owner, "Bravo Oficina", 72).await;
    user(&owner, &a, "admin@alfa.test", "company_admin").await;
    let member_a_id = user(&owner, &a, "membro@alfa.test", "member").await;
    let other_a_id = user(&owner, &a, "outro@alfa.test", "member").await;
    let b_member_id = user(&owner, &b, "membro@bravo.test", "member").await;
    let admin_a = server.login("admin@alfa.test", PASSWORD).await;
    let member_a = server.login("membro@alfa.test", PASSWORD).await;
    World {
        server,
        owner,
        a,
        b,
        admin_a,
        member_a,
        member_a_id,
        other_a_id,
        b_member_id,
    }
}

fn ms(v: &serde_json::Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn a_member_files_for_themselves_due_in_fifteen_days_and_audited() {
    let w = world().await;
    let path = format!("/api/v1/companies/{}/privacy-requests", w.a);
    let r = w
        .member_a
        .post(
            &path,
            json!({"kind": "access", "details": "Quero meus dados"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["user_id"], w.member_a_id.as_str());
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["overdue"], false);
    assert_eq!(
        ms(&r.body["due_at"]) - ms(&r.body["created_at"]),
        15 * DAY_MS
    );
    let id = r.body["id"].as_str().unwrap().to_string();
    let events = audit_events(&w.owner, "action=privacy_request.filed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["company_id"], w.a.as_str());
    assert_eq!(events[0]["target_id"], id.as_str());
    // The admin sees it too; the owner's queue has it.
    let r = w.admin_a.get(&format!("{path}/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let queue = all_pages(&w.owner, "/api/v1/privacy-requests?status=open").await;
    assert_eq!(ids(&queue), vec![id.clone()]);
    let overdue = all_pages(&w.owner, "/api/v1/privacy-requests?overdue=true").await;
    assert!(overdue.is_empty(), "{overdue:?}");
}

#[tokio::test]
async fn a_member_sees_and_files_only_their_own() {
    let w = world().await;
    let path = format!("/api/v1/companies/{}/privacy-requests", w.a);
    // The admin files one for another user of the company.
    let r = w
        .admin_a
        .post(
            &path,
            json!({"kind": "correction", "user_id": w.other_a_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let others = r.body["id"].as_str().unwrap().to_string();
    let r = w.member_a.post(&path, json!({"kind": "deletion"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mine = r.body["id"].as_str().unwrap().to_string();
    // A member naming someone else is a 404, as for a user they cannot see.
    let r = w
        .member_a
        .post(&path, json!({"kind": "access", "user_id": w.other_a_id}))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(
        ids(&all_pages(&w.member_a, &path).await),
        vec![mine.clone()]
    );
    let r = w.member_a.get(&format!("{path}/{others}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let mut all = ids(&all_pages(&w.admin_a, &path).await);
    all.sort();
    let mut want = vec![mine, others];
    want.sort();
    assert_eq!(all, want);
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let w = world().await;
    let path = format!("/api/v1/companies/{}/privacy-requests", w.a);
    let r = w.member_a.post(&path, json!({"kind": "forget_me"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["field"], "kind", "{}", r.text);
    let long = "x".repeat(2001);
    let r = w
        .member_a
        .post(&path, json!({"kind": "access", "details": long}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["field"], "details", "{}", r.text);
    let r = w.owner.post(&path, json!({"kind": "access"})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("user_id"));
    let r = w
        .owner
        .post(&path, json!({"kind": "access", "user_id": "usr_nope"}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("user_id"));
    // B's user through A's company is "not found".
    let r = w
        .owner
        .post(&path, json!({"kind": "access", "user_id": w.b_member_id}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(all_pages(&w.owner, "/api/v1/privacy-requests")
        .await
        .is_empty());
    assert!(audit_events(&w.owner, "action=privacy_request.filed")
        .await
        .is_empty());

    let r = w.member_a.post(&path, json!({"kind": "access"})).await;
    let one = format!("{path}/{}", r.body["id"].as_str().unwrap());
    let r = w.owner.patch(&one, json!({"status": "refused"})).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("refusal_reason"),
    );
    let r = w
        .owner
        .patch(
            &one,
            json!({"status": "fulfilled", "refusal_reason": "porque"}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("refusal_reason"),
    );
    let r = w.owner.patch(&one, json!({"status": "done"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["field"], "status", "{}", r.text);
    assert_eq!(w.owner.get(&one).await.body["status"], "open");
}

#[tokio::test]
async fn the_owner_works_the_queue_and_each_change_is_audited() {
    let w = world().await;
    let path = format!("/api/v1/companies/{}/privacy-requests", w.a);
    let r = w.member_a.post(&path, json!({"kind": "portability"})).await;
    let one = format!("{path}/{}", r.body["id"].as_str().unwrap());
    let r = w
        .member_a
        .post(&path, json!({"kind": "anonymisation"}))
        .await;
    let two = format!("{path}/{}", r.body["id"].as_str().unwrap());
    // Only the owner works requests: the company's own admin and member get 403.
    for c in [&w.admin_a, &w.member_a] {
        let r = c.patch(&one, json!({"status": "fulfilled"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = c.get("/api/v1/privacy-requests").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    let r = w
        .owner
        .patch(
            &one,
            json!({"status": "in_progress", "notes": "Gerando arquivo"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w.owner.patch(&one, json!({"status": "fulfilled"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "fulfilled");
    assert_eq!(r.body["notes"], "Gerando arquivo");
    assert!(r.body["closed_at"].is_string(), "{}", r.text);
    let r = w
        .owner
        .patch(
            &two,
            json!({"status": "refused", "refusal_reason": "Dados exigidos por lei"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["refusal_reason"], "Dados exigidos por lei");
    // A closed request stays closed.
    let r = w.owner.patch(&one, json!({"status": "open"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // The member sees the outcome.
    assert_eq!(w.member_a.get(&one).await.body["status"], "fulfilled");
    let fulfilled = all_pages(&w.owner, "/api/v1/privacy-requests?status=fulfilled").await;
    assert_eq!(fulfilled.len(), 1);
    for action in [
        "privacy_request.updated",
        "privacy_request.fulfilled",
        "privacy_request.refused",
    ] {
        let events = audit_events(&w.owner, &format!("action={action}")).await;
        assert_eq!(events.len(), 1, "{action}: {events:?}");
        assert_eq!(events[0]["company_id"], w.a.as_str());
        // The reason is the owner's words about a person: it stays out of the audit.
        assert!(!events[0].to_string().contains("exigidos"), "{events:?}");
    }
}

#[tokio::test]
async fn another_companys_request_is_not_found_for_every_role() {
    let w = world().await;
    let b_admin_id = user(&w.owner, &w.b, "admin@bravo.test", "company_admin").await;
    let b_admin = w.server.login("admin@bravo.test", PASSWORD).await;
    let b_path = format!("/api/v1/companies/{}/privacy-requests", w.b);
    let r = b_admin.post(&b_path, json!({"kind": "access"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b_req = r.body["id"].as_str().unwrap().to_string();
    let a_path = format!("/api/v1/companies/{}/privacy-requests", w.a);
    for c in [&w.admin_a, &w.member_a] {
        for p in [b_path.clone(), format!("{b_path}/{b_req}")] {
            let r = c.get(&p).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}: {}", r.text);
        }
        let r = c.post(&b_path, json!({"kind": "access"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        let r = c
            .patch(&format!("{b_path}/{b_req}"), json!({"notes": "x"}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        // B's request through A's company is not found either.
        let r = c.get(&format!("{a_path}/{b_req}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        let listed = all_pages(c, &a_path).await;
        assert!(!listed.iter().any(|x| x.to_string().contains(&b_admin_id)));
    }
    // Even the owner reaches it only through its own company.
    let r = w
        .owner
        .patch(&format!("{a_path}/{b_req}"), json!({"status": "fulfilled"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(
        b_admin.get(&format!("{b_path}/{b_req}")).await.body["status"],
        "open"
    );
}

#[tokio::test]
async fn the_encarregados_are_set_by_their_admins_and_read_by_users() {
    let w = world().await;
    let company_dpo = format!("/api/v1/companies/{}/dpo", w.a);
    let r = w.member_a.get(&company_dpo).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("name").is_none(), "{}", r.text);
    let r = w
        .admin_a
        .put(
            &company_dpo,
            json!({"name": "Dora Encarregada", "email": "nope"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("email"));
    let r = w
        .admin_a
        .put(
            &company_dpo,
            json!({"name": "Dora", "email": "dpo@alfa.test", "phone": "abc"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("phone"));
    let r = w
        .member_a
        .put(
            &company_dpo,
            json!({"name": "Dora", "email": "dpo@alfa.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = w
        .admin_a
        .put(
            &company_dpo,
            json!({"name": "Dora Encarregada", "email": "dpo@alfa.test", "phone": "+55 11 3456-7890"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w.member_a.get(&company_dpo).await;
    assert_eq!(r.body["email"], "dpo@alfa.test");
    let r = w
        .admin_a
        .get(&format!("/api/v1/companies/{}/dpo", w.b))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let events = audit_events(&w.owner, "action=dpo.changed").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["company_id"], w.a.as_str());

    let r = w
        .admin_a
        .put(
            "/api/v1/settings/dpo",
            json!({"name": "X", "email": "x@x.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = w
        .owner
        .put(
            "/api/v1/settings/dpo",
            json!({"name": "Plataforma DPO", "email": "dpo@armario.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w.member_a.get("/api/v1/settings/dpo").await;
    assert_eq!(r.body["name"], "Plataforma DPO", "{}", r.text);
}
