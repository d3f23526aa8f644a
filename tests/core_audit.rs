//! The audit log: every change leaves an event naming the action, the actor and the company;
//! the filters narrow it; a company admin reads only their own company's events.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn at(e: &Value) -> chrono::DateTime<chrono::Utc> {
    e["at"].as_str().unwrap().parse().expect("RFC 3339 time")
}

/// The one event of `action` on `target`, checked for actor and company.
fn find<'a>(events: &'a [Value], action: &str, target: &str) -> &'a Value {
    let found: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == action && e["target_id"] == target)
        .collect();
    assert_eq!(found.len(), 1, "{action} on {target}: {found:?}");
    found[0]
}

fn check(e: &Value, actor: &str, company: &str) {
    assert_eq!(e["actor_kind"], "user", "{e}");
    assert_eq!(e["actor_id"], actor, "{e}");
    assert_eq!(e["company_id"], company, "{e}");
    assert_eq!(e["ip"], "127.0.0.1", "{e}");
}

#[tokio::test]
async fn every_change_is_audited_with_actor_and_company() {
    let server = Server::start();
    let owner = server.owner().await;
    // The start's catch-up backup is verified in the background (on PostgreSQL by a restore
    // into a scratch database, which takes a while): its event first, so that the lists read
    // below are not a moment apart across it.
    eventually(60, "the catch-up backup's verification", || async {
        let r = owner
            .get("/api/v1/audit-events?action=backup.verified")
            .await;
        r.body["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    let owner_id = owner.get("/api/v1/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = company(&owner, "Integradora Alfa", 101).await;
    let b = company(&owner, "Integradora Beta", 102).await;
    let admin_id = user(&owner, &a, "adm@alfa.test", "company_admin").await;
    let admin = server.login("adm@alfa.test", PASSWORD).await;
    let users = format!("/api/v1/companies/{a}/users");

    let r = admin
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({"display_name": "Alfa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = admin
        .post(
            &users,
            json!({"email": "m@alfa.test", "name": "M", "role": "member", "password": PASSWORD}),
        )
        .await;
    let m = r.body["id"].as_str().unwrap().to_string();
    admin
        .patch(&format!("{users}/{m}"), json!({"role": "company_admin"}))
        .await;
    admin.post_empty(&format!("{users}/{m}/disable")).await;
    admin.post_empty(&format!("{users}/{m}/enable")).await;
    admin
        .post(
            &format!("{users}/{m}/password"),
            json!({"password": "another-password"}),
        )
        .await;
    let r = admin
        .put(
            &format!("/api/v1/companies/{a}/secrets/asaas"),
            json!({"values": {"api_key": "$aact_live_0123456789abcdef"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    admin
        .delete(&format!("/api/v1/companies/{a}/secrets/asaas"))
        .await;
    admin.delete(&format!("{users}/{m}")).await;
    owner
        .post_empty(&format!("/api/v1/companies/{b}/suspend"))
        .await;
    owner
        .post_empty(&format!("/api/v1/companies/{b}/reactivate"))
        .await;
    owner
        .post_empty(&format!("/api/v1/companies/{b}/cancel"))
        .await;

    let all = audit_events(&owner, "").await;
    check(find(&all, "company.created", &a), &owner_id, &a);
    check(find(&all, "company.created", &b), &owner_id, &b);
    check(find(&all, "user.created", &admin_id), &owner_id, &a);
    let updated = find(&all, "company.updated", &a);
    check(updated, &admin_id, &a);
    assert_eq!(updated["details"]["fields"], json!(["display_name"]));
    check(find(&all, "user.created", &m), &admin_id, &a);
    let role = find(&all, "user.updated", &m);
    check(role, &admin_id, &a);
    assert_eq!(role["details"]["role"], "company_admin");
    for action in [
        "user.disabled",
        "user.enabled",
        "user.password_reset",
        "user.deleted",
    ] {
        check(find(&all, action, &m), &admin_id, &a);
    }
    check(find(&all, "secret.set", "asaas"), &admin_id, &a);
    check(find(&all, "secret.deleted", "asaas"), &admin_id, &a);
    for action in [
        "company.suspended",
        "company.reactivated",
        "company.cancelled",
    ] {
        check(find(&all, action, &b), &owner_id, &b);
    }
    let login = find(&all, "auth.login", &admin_id);
    check(login, &admin_id, &a);
    assert!(!all
        .iter()
        .any(|e| e["details"].to_string().contains("0123456789abcdef")));

    // Filters: action, actor, company, period; and they combine.
    let only = |q: &str, pred: &dyn Fn(&Value) -> bool| {
        let want: Vec<Value> = all.iter().filter(|e| pred(e)).cloned().collect();
        (q.to_string(), want)
    };
    let cases = [
        only("action=user.disabled", &|e| e["action"] == "user.disabled"),
        only(&format!("actor_id={admin_id}"), &|e| {
            e["actor_id"] == admin_id.as_str()
        }),
        only(&format!("company_id={b}"), &|e| {
            e["company_id"] == b.as_str()
        }),
        only(&format!("company_id={a}&action=user.created"), &|e| {
            e["company_id"] == a.as_str() && e["action"] == "user.created"
        }),
    ];
    for (q, want) in cases {
        assert!(!want.is_empty(), "{q}");
        assert_eq!(audit_events(&owner, &q).await, want, "{q}");
    }
    let middle = at(find(&all, "user.enabled", &m));
    let from = enc(&middle.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let after: Vec<Value> = all.iter().filter(|e| at(e) >= middle).cloned().collect();
    let before: Vec<Value> = all.iter().filter(|e| at(e) < middle).cloned().collect();
    assert_eq!(audit_events(&owner, &format!("from={from}")).await, after);
    assert_eq!(audit_events(&owner, &format!("to={from}")).await, before);
    assert_eq!(
        audit_events(&owner, &format!("from={from}&to={from}")).await,
        Vec::<Value>::new()
    );
    let r = owner.get("/api/v1/audit-events?from=yesterday").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));

    // Newest first, paged without repeats.
    let paged = audit_events(&owner, "limit=2").await;
    assert_eq!(paged, all);
    let idx: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(idx.windows(2).all(|w| w[0] > w[1]), "{idx:?}");
}

#[tokio::test]
async fn a_company_admin_reads_only_their_company_and_a_member_nothing() {
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Alfa", 201).await;
    let b = company(&owner, "Beta", 202).await;
    user(&owner, &a, "adm@alfa.test", "company_admin").await;
    user(&owner, &a, "membro@alfa.test", "member").await;
    user(&owner, &b, "adm@beta.test", "company_admin").await;
    server.login("adm@beta.test", PASSWORD).await;
    let admin = server.login("adm@alfa.test", PASSWORD).await;
    let member = server.login("membro@alfa.test", PASSWORD).await;

    let seen = audit_events(&admin, "").await;
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|e| e["company_id"] == a.as_str()),
        "{seen:?}"
    );
    assert!(!serde_json::to_string(&seen).unwrap().contains("beta"));
    assert_eq!(audit_events(&admin, &format!("company_id={a}")).await, seen);
    let r = admin
        .get(&format!("/api/v1/audit-events?company_id={b}"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = member.get("/api/v1/audit-events").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let r = server.anon().get("/api/v1/audit-events").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);
}
