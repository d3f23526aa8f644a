//! Plans as objects: the owner's catalogue, each company's plan, trial end and subscription
//! status, `max_users` still enforced, applications reading a plan's named limits and (with
//! `billing:write`) setting them, the `plan.changed` event, and migration 0019 keeping every
//! company's effective user limit.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::seed::{application, link};
use crate::common::*;
use crate::webhooks::{endpoint, wait_for, Receiver, ALLOW};

async fn new_plan(owner: &Client, name: &str, limits: Value) -> String {
    let r = owner
        .post("/api/v1/plans", json!({"name": name, "limits": limits}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

async fn plans(owner: &Client) -> Value {
    let r = owner.get("/api/v1/plans").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].clone()
}

#[tokio::test]
async fn the_owner_manages_plans_and_bad_input_changes_nothing() {
    let server = Server::start();
    let owner = server.owner().await;
    let gold = new_plan(&owner, "Ouro", json!({"max_users": 3, "max_animals": 50})).await;
    let r = owner.get(&format!("/api/v1/plans/{gold}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["limits"], json!({"max_users": 3, "max_animals": 50}));
    assert_eq!(r.body["companies"], 0);

    let before = plans(&owner).await;
    let plan = format!("/api/v1/plans/{gold}");
    for (body, field) in [
        (json!({"name": "Prata", "limits": {}}), "limits.max_users"),
        (
            json!({"name": "Prata", "limits": {"max_users": 0}}),
            "limits.max_users",
        ),
        (
            json!({"name": "Prata", "limits": {"max_users": 1, "Max-Animals": 1}}),
            "limits",
        ),
        (
            json!({"name": "Prata", "limits": {"max_users": 1, "max_animals": -1}}),
            "limits.max_animals",
        ),
        (json!({"name": " ", "limits": {"max_users": 1}}), "name"),
    ] {
        let r = owner.post("/api/v1/plans", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
        let r = owner.put(&plan, body).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some(field));
    }
    // Names are unique ignoring case and accents.
    let r = owner
        .post(
            "/api/v1/plans",
            json!({"name": "OURO", "limits": {"max_users": 9}}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("name"));
    assert_eq!(plans(&owner).await, before);

    let r = owner
        .put(
            &plan,
            json!({"name": "Ouro", "description": "Para clínicas", "limits": {"max_users": 4, "max_animals": 80}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["description"], "Para clínicas");
    assert_eq!(r.body["limits"]["max_animals"], 80);

    // A plan in use is not deleted; the answer says how many companies use it.
    let c = company(&owner, "Clínica Pata", 9101).await;
    let r = owner
        .patch(
            &format!("/api/v1/companies/{c}/plan"),
            json!({"plan_id": gold}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.delete(&plan).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("plan"));
    assert!(
        r.body["message"].as_str().unwrap().contains('1'),
        "{}",
        r.text
    );
    let spare = new_plan(&owner, "Avulso", json!({"max_users": 1})).await;
    assert_eq!(
        owner.delete(&format!("/api/v1/plans/{spare}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        owner.get(&format!("/api/v1/plans/{spare}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Plans are the owner's: a company admin may not list them.
    user(&owner, &c, "ana@pata.test", "company_admin").await;
    let admin = server.login("ana@pata.test", PASSWORD).await;
    assert_eq!(
        admin.get("/api/v1/plans").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_company_plan_trial_and_status_and_max_users_still_enforced() {
    let server = Server::start();
    let owner = server.owner().await;
    let c = company(&owner, "Oficina Roda", 9201).await;
    let other = company(&owner, "Oficina Outra", 9202).await;
    let big = new_plan(&owner, "Grande", json!({"max_users": 5})).await;
    let small = new_plan(
        &owner,
        "Pequeno",
        json!({"max_users": 2, "max_orders": 100}),
    )
    .await;
    let path = format!("/api/v1/companies/{c}/plan");
    let r = owner
        .patch(
            &path,
            json!({"plan_id": big, "subscription_status": "trial", "trial_ends_at": "2027-03-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Grande");
    assert_eq!(r.body["trial_ends_at"], "2027-03-31");
    assert_eq!(r.body["subscription_status"], "trial");
    user(&owner, &c, "ana@roda.test", "company_admin").await;
    user(&owner, &c, "bia@roda.test", "member").await;

    // Bad input names its field and changes nothing.
    for (body, field) in [
        (json!({"trial_ends_at": "2027-02-30"}), "trial_ends_at"),
        (json!({"plan_id": "pln_nope"}), "plan_id"),
        (
            json!({"subscription_status": "gratis"}),
            "subscription_status",
        ),
        (json!({}), "body"),
    ] {
        let r = owner.patch(&path, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.body["field"], field, "{}", r.text);
    }
    let r = owner.get(&format!("/api/v1/companies/{c}")).await;
    assert_eq!(
        (r.body["plan"].as_str(), r.body["max_users"].as_i64()),
        (Some("Grande"), Some(5))
    );
    assert_eq!(r.body["subscription_status"], "trial");

    // Moving to a smaller plan: the two users stay, a third is refused.
    let r = owner
        .patch(
            &path,
            json!({"plan_id": small, "subscription_status": "active", "trial_ends_at": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["users_used"], 2);
    assert_eq!(r.body["max_users"], 2);
    assert!(r.body.get("trial_ends_at").is_none(), "{}", r.text);
    let r = owner
        .post(
            &format!("/api/v1/companies/{c}/users"),
            json!({"email": "caio@roda.test", "name": "Caio", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    let r = owner.get(&format!("/api/v1/companies/{c}")).await;
    assert_eq!(
        (r.body["plan"].as_str(), r.body["max_users"].as_i64()),
        (Some("Pequeno"), Some(2))
    );

    // The company admin reads the plan, may not change it, and never sees another company's.
    let admin = server.login("ana@roda.test", PASSWORD).await;
    let r = admin.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["limits"]["max_orders"], 100);
    assert_eq!(
        admin.patch(&path, json!({"plan_id": big})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = admin.get(&format!("/api/v1/companies/{other}/plan")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let events = audit_events(&owner, &format!("action=plan.changed&company_id={c}")).await;
    assert_eq!(events.len(), 2, "{events:?}");
}

#[tokio::test]
async fn the_older_plan_fields_pick_or_make_plans() {
    let server = Server::start();
    let owner = server.owner().await;
    let make = |legal: &'static str, plan: &'static str, max: i64, seed: u32| {
        let owner = owner.clone();
        async move {
            let r = owner
                .post("/api/v1/companies", json!({"legal_name": legal, "cnpj": cnpj(seed), "plan": plan, "max_users": max}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.body.clone()
        }
    };
    let a = make("A Ltda", "Ouro", 10, 9301).await;
    let b = make("B Ltda", "ouro", 10, 9302).await;
    let c = make("C Ltda", "Ouro", 20, 9303).await;
    assert_eq!(a["plan_id"], b["plan_id"]);
    assert_eq!(c["plan"], "Ouro (20 usuários)");
    assert_eq!(c["max_users"], 20);
    // A plan id excludes the older fields.
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "D", "cnpj": cnpj(9304), "plan": "Ouro", "plan_id": a["plan_id"]}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("plan_id"));
    // Changing max_users alone moves the company to a plan of its name with that limit,
    // leaving the plan the others share as it was.
    let id = a["id"].as_str().unwrap();
    let r = owner
        .patch(&format!("/api/v1/companies/{id}"), json!({"max_users": 20}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["plan_id"], c["plan_id"]);
    let r = owner
        .get(&format!("/api/v1/companies/{}", b["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.body["max_users"], 10);
    let events = audit_events(&owner, &format!("action=plan.changed&company_id={id}")).await;
    assert_eq!(events.len(), 1, "{events:?}");
}

#[tokio::test]
async fn applications_read_named_limits_and_set_plans_with_billing_write() {
    let server = Server::start();
    let owner = server.owner().await;
    let c = company(&owner, "Pet Feliz", 9401).await;
    let unlinked = company(&owner, "Pet Triste", 9402).await;
    let plan = new_plan(
        &owner,
        "Pet Plus",
        json!({"max_users": 4, "max_animals": 300}),
    )
    .await;
    assert_eq!(
        owner
            .patch(
                &format!("/api/v1/companies/{c}/plan"),
                json!({"plan_id": plan})
            )
            .await
            .status,
        StatusCode::OK
    );
    let reader = application(&owner, "Leitor", "main").await;
    link(&owner, &reader.id, &c, &["company:read"]).await;
    let biller = application(&owner, "Cobrança", "main").await;
    link(&owner, &biller.id, &c, &["billing:write"]).await;
    let app = server.anon().with_token(&reader.key);
    let path = format!("/api/v1/app/companies/{c}/plan");
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Pet Plus");
    assert_eq!(r.body["limits"]["max_animals"], 300);
    assert_eq!(
        (r.body["users_used"].as_i64(), r.body["max_users"].as_i64()),
        (Some(0), Some(4))
    );
    assert_eq!(r.body["subscription_status"], "active");
    assert_eq!(
        app.get(&format!("/api/v1/app/companies/{unlinked}/plan"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(&path, json!({"subscription_status": "past_due"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let billing = server.anon().with_token(&biller.key);
    assert_eq!(billing.get(&path).await.status, StatusCode::FORBIDDEN);
    let r = billing
        .patch(&path, json!({"trial_ends_at": "2027-13-01"}))
        .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("trial_ends_at"),
    );
    let r = billing
        .patch(&path, json!({"subscription_status": "past_due"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["subscription_status"], "past_due");
    let r = billing
        .patch(
            &format!("/api/v1/app/companies/{unlinked}/plan"),
            json!({"subscription_status": "active"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let events = audit_events(&owner, &format!("action=plan.changed&company_id={c}")).await;
    assert_eq!(events[0]["actor_kind"], "application", "{events:?}");
}

#[tokio::test]
async fn plan_changed_reaches_only_applications_linked_to_the_company() {
    let Some(rx) = Receiver::start() else {
        return;
    };
    let server = Server::start_with(ALLOW);
    let owner = server.owner().await;
    let a = company(&owner, "Loja A", 9501).await;
    let b = company(&owner, "Loja B", 9502).await;
    let app_a = application(&owner, "App A", "main").await;
    let app_b = application(&owner, "App B", "main").await;
    endpoint(&owner, &rx, &app_a.id, "a").await;
    endpoint(&owner, &rx, &app_b.id, "b").await;
    link(&owner, &app_a.id, &a, &["company:read"]).await;
    link(&owner, &app_b.id, &b, &["company:read"]).await;
    let plan = new_plan(&owner, "Bronze", json!({"max_users": 3})).await;
    let r = owner
        .patch(
            &format!("/api/v1/companies/{a}/plan"),
            json!({"plan_id": plan, "subscription_status": "trial", "trial_ends_at": "2027-01-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A marker event for B, sent after A's: once B has it, A's would have arrived too.
    assert!(owner
        .patch(
            &format!("/api/v1/companies/{b}"),
            json!({"trade_name": "Marca B"})
        )
        .await
        .status
        .is_success());
    wait_for(&rx, "b", 2).await;
    let got = |name: &str| -> Vec<Value> {
        rx.received_by(name)
            .into_iter()
            .map(|r| r["payload"].clone())
            .filter(|p| p["type"] == "plan.changed")
            .collect()
    };
    wait_for(&rx, "a", 2).await;
    let to_a = got("a");
    assert_eq!(to_a.len(), 1, "{to_a:?}");
    let data = &to_a[0]["data"];
    assert_eq!(data["company_id"], a.as_str());
    assert_eq!(data["plan"], "Bronze");
    assert_eq!(data["subscription_status"], "trial");
    assert_eq!(data["trial_ends_at"], "2027-01-31");
    assert!(got("b").is_empty(), "B is not linked to A: {:?}", got("b"));
}

/// Takes a database back to schema version 18: the plan name and user limit on each company
/// (as the plan it is on says), no plans, no trial or status, no external ids.
pub(crate) fn undo_0019(db: &rusqlite::Connection) {
    db.execute_batch(
        "ALTER TABLE companies ADD COLUMN plan TEXT NOT NULL DEFAULT 'standard';
         ALTER TABLE companies ADD COLUMN max_users INTEGER NOT NULL DEFAULT 25 CHECK (max_users >= 1);
         UPDATE companies SET plan = (SELECT name FROM plans p WHERE p.id = plan_id),
             max_users = (SELECT json_extract(limits, '$.max_users') FROM plans p WHERE p.id = plan_id);
         DROP INDEX companies_plan_id;
         ALTER TABLE companies DROP COLUMN plan_id;
         ALTER TABLE companies DROP COLUMN trial_ends_at;
         ALTER TABLE companies DROP COLUMN subscription_status;
         DROP TABLE plans;
         DROP INDEX links_application_external_id;
         ALTER TABLE links DROP COLUMN external_id;
         PRAGMA user_version = 18;",
    )
    .unwrap();
}

#[tokio::test]
async fn migration_0019_keeps_every_company_user_limit() {
    if crate::common::sqlite_only("a migration of an older SQLite file") {
        return;
    }
    let mut server = Server::start();
    let owner = server.owner().await;
    let wanted = [
        ("Ouro", 10, 9601),
        ("Ouro", 10, 9602),
        ("ouro", 20, 9603),
        ("Prata", 5, 9604),
        ("Padrão", 25, 9605),
    ];
    let mut ids = Vec::new();
    for (i, (_, _, seed)) in wanted.iter().enumerate() {
        ids.push(company(&owner, &format!("Empresa {i}"), *seed).await);
    }
    assert!(server.stop().success());
    {
        let db = rusqlite::Connection::open(server.db_path()).unwrap();
        undo_0019(&db);
        for (id, (plan, max, _)) in ids.iter().zip(wanted) {
            db.execute(
                "UPDATE companies SET plan = ?2, max_users = ?3 WHERE id = ?1",
                rusqlite::params![id, plan, max],
            )
            .unwrap();
        }
    }
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let mut seen = Vec::new();
    for (id, (_, max, _)) in ids.iter().zip(wanted) {
        let r = owner.get(&format!("/api/v1/companies/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["max_users"], max, "{}", r.text);
        assert_eq!(r.body["subscription_status"], "active");
        seen.push(r.body["plan"].as_str().unwrap().to_string());
    }
    // The combination most companies share keeps the name; the other gets its limit added.
    assert_eq!(
        seen,
        ["Ouro", "Ouro", "ouro (20 usuários)", "Prata", "Padrão"]
    );
    let names: Vec<String> = plans(&owner)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Ouro", "ouro (20 usuários)", "Padrão", "Prata"]);
}
