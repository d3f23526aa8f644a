//! Anonymised reports: no canary of a person reaches them, pseudonyms are stable for one
//! recipient and unrelated between two, only the owner gets them, a bad period names its field.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAME: &str = "Zulmira Canaria Quintanilha";
const EMAIL: &str = "zulmira.canaria@quintanilha.test";
const IP: &str = "198.51.100.173";

struct World {
    server: Server,
    owner: Client,
    company: String,
    member: Client,
}

async fn world() -> World {
    let server = Server::start_with(&[("ARMARIO_TRUST_PROXY", "true")]);
    let owner = server.owner().await;
    // A sole trader's company bears her name: the report keeps only its id.
    let company = company(&owner, NAME, 9173).await;
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": EMAIL, "name": NAME, "role": "company_admin", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // She signs in from a distinctive address, twice (two events with her IP and id).
    for _ in 0..2 {
        let r = reqwest::Client::new()
            .post(server.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", IP)
            .json(&json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let member = server.login(EMAIL, PASSWORD).await;
    // Usage of an application linked to her company.
    let app = linked_app(&owner, "Agenda", &company, &["company:read"]).await;
    let r = owner
        .with_token(&app.app.key)
        .get(&format!("/api/v1/app/companies/{company}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    World {
        server,
        owner,
        company,
        member,
    }
}

fn assert_no_canary(text: &str) {
    for canary in [
        NAME,
        "Zulmira",
        "Quintanilha",
        EMAIL,
        "quintanilha.test",
        IP,
    ] {
        assert!(!text.contains(canary), "{canary} leaked into {text}");
    }
}

/// The pseudonym of the user who signed in as her, in a report's events.
fn her_pseudonym(report: &Value) -> String {
    let logins: Vec<&Value> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "auth.login" && e["actor_kind"] == "user")
        .collect();
    let last = logins.last().expect("her sign-ins are in the report");
    last["actor"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn no_canary_reaches_a_report_and_pseudonyms_follow_the_recipient() {
    let w = world().await;
    let a1 = w
        .owner
        .get("/api/v1/reports/audit?recipient=auditoria")
        .await;
    assert_eq!(a1.status, StatusCode::OK, "{}", a1.text);
    assert_no_canary(&a1.text);
    assert!(a1.text.contains(&w.company), "company ids are kept");
    let ip_pseudonyms: Vec<&str> = a1.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["ip"].as_str())
        .collect();
    assert!(
        ip_pseudonyms.iter().all(|p| p.starts_with("ip-")),
        "{ip_pseudonyms:?}"
    );
    let csv = w
        .owner
        .get("/api/v1/reports/audit?recipient=auditoria&format=csv&day_precision=true")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(csv.text.starts_with('\u{feff}'), "{}", csv.text);
    assert!(csv
        .text
        .lines()
        .next()
        .unwrap()
        .contains("id;at;actor_kind"));
    assert!(csv.text.contains("T00:00:00Z"), "times cut to the day");
    assert_no_canary(&csv.text);
    let usage = w
        .owner
        .get("/api/v1/reports/usage?recipient=auditoria")
        .await;
    assert_eq!(usage.status, StatusCode::OK, "{}", usage.text);
    assert_no_canary(&usage.text);
    assert!(usage.text.contains(&w.company), "{}", usage.text);
    let usage_csv = w.owner.get("/api/v1/reports/usage?format=csv").await;
    assert!(
        usage_csv.text.starts_with("\u{feff}dia;"),
        "{}",
        usage_csv.text
    );
    assert_no_canary(&usage_csv.text);

    // The same person, the same pseudonym for one recipient; another recipient cannot join.
    let a2 = w
        .owner
        .get("/api/v1/reports/audit?recipient=auditoria")
        .await;
    let b = w
        .owner
        .get("/api/v1/reports/audit?recipient=parceiro")
        .await;
    let (p1, p2, pb) = (
        her_pseudonym(&a1.body),
        her_pseudonym(&a2.body),
        her_pseudonym(&b.body),
    );
    assert!(p1.starts_with("user-"), "{p1}");
    assert_eq!(p1, p2);
    assert_ne!(p1, pb);
    assert!(
        !b.text.contains(&p1),
        "recipient pseudonyms must not overlap"
    );

    // Each export is audited with its kind, period and recipient.
    let events = audit_events(&w.owner, "action=report.exported").await;
    assert_eq!(events.len(), 6, "{events:?}");
    let d = &events[0]["details"];
    assert_eq!(d["kind"], "audit", "{d}");
    assert_eq!(d["recipient"], "parceiro", "{d}");
    assert!(d["from"].is_string() && d["to"].is_string(), "{d}");
}

#[tokio::test]
async fn only_the_owner_gets_reports_and_a_bad_period_names_its_field() {
    let w = world().await;
    for path in ["/api/v1/reports/audit", "/api/v1/reports/usage"] {
        let r = w.member.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
        let r = w.server.anon().get(path).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
        let r = w
            .owner
            .get(&format!("{path}?from=2026-12-10&to=2026-12-01"))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
        let r = w
            .owner
            .get(&format!("{path}?from=2024-01-01&to=2026-12-01"))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("from"));
        let r = w.owner.get(&format!("{path}?to=31-12-2026")).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("to"));
    }
    assert!(audit_events(&w.owner, "action=report.exported")
        .await
        .is_empty());
}
