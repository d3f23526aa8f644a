//! Provisioning: an application reports where it stands with a linked company; the owner sees
//! it per link and in the overview, the company's admin on the company's links; a failure is
//! an alert; asking again sends `provisioning.requested` to that application only (verified by
//! the `standardwebhooks` receiver of tests/webhooks.rs). Another company's link is a 404.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::seed::{application, link};
use crate::common::*;
use crate::webhooks::{endpoint, types, wait_for, Receiver};

#[tokio::test]
async fn reports_are_seen_alerted_and_asking_again_reaches_only_that_application() {
    let Some(rx) = Receiver::start() else { return };
    let server = Server::start_with(&[
        ("ARMARIO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ("ARMARIO_WEBHOOK_RETRY_BASE_MS", "100"),
        ("ARMARIO_ALERT_CHECK_SECS", "1"),
    ]);
    let owner = server.owner().await;
    let a = company(&owner, "Pet Shop Alfa", 7501).await;
    let b = company(&owner, "Pet Shop Beta", 7502).await;
    user(&owner, &a, "admin@alfa.test", "company_admin").await;
    user(&owner, &b, "admin@beta.test", "company_admin").await;
    let admin_a = server.login("admin@alfa.test", PASSWORD).await;
    let admin_b = server.login("admin@beta.test", PASSWORD).await;
    let crm = application(&owner, "CRM", "main").await;
    let agenda = application(&owner, "Agenda", "main").await;
    let other = application(&owner, "Outro", "main").await;
    endpoint(&owner, &rx, &crm.id, "crm").await;
    endpoint(&owner, &rx, &agenda.id, "agenda").await;
    endpoint(&owner, &rx, &other.id, "other").await;
    let crm_link = link(&owner, &crm.id, &a, &["company:read"]).await;
    link(&owner, &agenda.id, &a, &["company:read"]).await;
    let other_link = link(&owner, &other.id, &b, &["company:read"]).await;
    let crm_key = server.anon().with_token(&crm.key);
    let other_key = server.anon().with_token(&other.key);
    let mine = format!("/api/v1/app/companies/{a}/provisioning");

    // Nothing reported yet.
    let r = crm_key.get(&mine).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("provisioning").is_none(), "{}", r.text);

    // Bad reports name the field and record nothing.
    let r = crm_key.put(&mine, json!({ "state": "failed" })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("message"));
    let r = crm_key.put(&mine, json!({ "state": "requested" })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("state"));
    let r = crm_key
        .put(
            &mine,
            json!({ "state": "ready", "message": "x".repeat(501) }),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("message"));
    assert!(crm_key.get(&mine).await.body.get("provisioning").is_none());

    // An application not linked to the company reads and writes nothing of it.
    let r = other_key.put(&mine, json!({ "state": "ready" })).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    assert_error(
        &other_key.get(&mine).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );

    let r = crm_key.put(&mine, json!({ "state": "provisioning" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "provisioning");
    let r = crm_key
        .put(
            &mine,
            json!({ "state": "failed", "message": "CNPJ recusado\n pelo ERP" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["message"], "CNPJ recusado pelo ERP");

    // The owner sees it on the link and in the overview; the company's admin on its links.
    let links = owner.get(&format!("/api/v1/links?company_id={a}")).await;
    let crm_row = links.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == crm_link.as_str())
        .unwrap()
        .clone();
    assert_eq!(crm_row["provisioning"]["state"], "failed", "{crm_row}");
    let o = owner.get("/api/v1/overview").await;
    assert_eq!(o.body["provisioning"]["failed"], 1, "{}", o.text);
    assert_eq!(o.body["provisioning"]["unreported"], 2, "{}", o.text);
    assert_eq!(
        o.body["provisioning"]["failures"][0]["application_name"],
        "CRM"
    );
    let seen = admin_a.get(&format!("/api/v1/companies/{a}/links")).await;
    assert!(
        seen.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["provisioning"]["message"] == "CNPJ recusado pelo ERP"),
        "{}",
        seen.text
    );

    // The failure is an alert to the owner, once.
    eventually(15, "the provisioning_failed alert", || {
        let owner = &owner;
        async move {
            all_pages(owner, "/api/v1/alerts")
                .await
                .iter()
                .any(|a| a["kind"] == "provisioning_failed" && a["application_name"] == "CRM")
        }
    })
    .await;
    let alert = all_pages(&owner, "/api/v1/alerts")
        .await
        .into_iter()
        .find(|x| x["kind"] == "provisioning_failed")
        .unwrap();
    assert_eq!(alert["company_id"], a.as_str());
    assert_eq!(alert["error"], "CNPJ recusado pelo ERP");

    // Another company's admin cannot ask again: 404 through either company, and nothing moves.
    let again = format!("/api/v1/companies/{a}/links/{crm_link}/provision");
    assert_error(
        &admin_b.post_empty(&again).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &admin_b
            .post_empty(&format!("/api/v1/companies/{b}/links/{crm_link}/provision"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_eq!(
        crm_key.get(&mine).await.body["provisioning"]["state"],
        "failed"
    );

    // The company's admin asks again: the state is `requested` and only the CRM hears of it.
    let r = admin_a.post_empty(&again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["provisioning"]["state"], "requested", "{}", r.text);
    assert!(r.body["provisioning"]["requested_at"].is_string());
    wait_for(&rx, "crm", 3).await;
    let got = rx.received_by("crm");
    let asked: Vec<_> = got
        .iter()
        .filter(|r| r["payload"]["type"] == "provisioning.requested")
        .collect();
    assert_eq!(asked.len(), 1, "{:?}", types(&got));
    let data = &asked[0]["payload"]["data"];
    assert_eq!(data["company_id"], a.as_str());
    assert_eq!(data["link_id"], crm_link.as_str());
    assert_eq!(data["application_id"], crm.id.as_str());
    // The agenda, linked to the same company, and the other application got link events only.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for name in ["agenda", "other"] {
        let t = types(&rx.received_by(name));
        assert!(
            !t.iter().any(|t| t.starts_with("provisioning.")),
            "{name}: {t:?}"
        );
    }
    // Unrelated: the other application's own link in company B was never touched.
    let b_links = owner.get(&format!("/api/v1/links?company_id={b}")).await;
    assert_eq!(b_links.body["items"][0]["id"], other_link.as_str());
    assert!(b_links.body["items"][0].get("provisioning").is_none());

    // Both the report and the request are audited, the report with the application as actor.
    let reported = audit_events(&owner, "action=provisioning.reported").await;
    assert_eq!(reported.len(), 2);
    assert_eq!(reported[0]["actor_kind"], "application");
    let requested = audit_events(&owner, "action=provisioning.requested").await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0]["company_id"], a.as_str());
}
