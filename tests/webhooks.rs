//! Webhooks end to end: a receiver on loopback (tests/webhooks/receiver.py) verifies every
//! delivery with the `standardwebhooks` package, an implementation nobody here wrote.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::seed::{application, link};
use crate::common::*;

pub(crate) const ALLOW: &[(&str, &str)] = &[
    ("ARMARIO_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ("ARMARIO_WEBHOOK_RETRY_BASE_MS", "100"),
];

pub(crate) struct Receiver {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Receiver {
    pub(crate) fn start() -> Option<Receiver> {
        let ok = Command::new("python3")
            .args(["-c", "import standardwebhooks"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            skip_or_fail(
                "standardwebhooks",
                "python3 -m pip install standardwebhooks",
            );
            return None;
        }
        let mut r = Receiver {
            child: None,
            port: 0,
            dir: tempfile::tempdir().unwrap(),
        };
        r.up();
        Some(r)
    }

    /// Starts (again) on the same port.
    fn up(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks/receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        self.port = line.trim().parse().expect("the receiver's port");
        self.child = Some(child);
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/hook/{name}", self.port)
    }

    async fn control(&self, what: &str, name: &str, body: &str) {
        let r = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{}/_{what}/{name}", self.port))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }

    fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("received.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// What `name` received, each checked to have been verified.
    pub(crate) fn received_by(&self, name: &str) -> Vec<Value> {
        let all: Vec<Value> = self
            .received()
            .into_iter()
            .filter(|r| r["name"] == name)
            .collect();
        for r in &all {
            assert_eq!(r["verified"], true, "a delivery failed verification: {r}");
        }
        all
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.down();
    }
}

/// Registers an endpoint for `app` at the receiver's `name`, subscribed to everything.
pub(crate) async fn endpoint(
    owner: &Client,
    rx: &Receiver,
    app: &str,
    name: &str,
) -> (String, String) {
    let r = owner
        .post(
            &format!("/api/v1/applications/{app}/webhooks"),
            json!({ "url": rx.url(name), "event_types": catalogue() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    rx.control("secret", name, &secret).await;
    (
        r.body["endpoint"]["id"].as_str().unwrap().to_string(),
        secret,
    )
}

pub(crate) fn catalogue() -> Vec<&'static str> {
    vec![
        "company.created",
        "company.approved",
        "company.updated",
        "company.suspended",
        "company.reactivated",
        "company.cancelled",
        "company.erased",
        "user.created",
        "user.updated",
        "user.disabled",
        "user.deleted",
        "link.created",
        "link.updated",
        "link.revoked",
        "secret.changed",
        "config.changed",
        "plan.changed",
        "role.granted",
        "role.revoked",
        "provisioning.requested",
    ]
}

/// Every kind of change the catalogue covers, on `company`.
async fn changes(owner: &Client, company: &str, app: &str, link_id: &str) -> Vec<&'static str> {
    let c = format!("/api/v1/companies/{company}");
    let ok = |r: &Resp| assert!(r.status.is_success(), "{}", r.text);
    ok(&owner.patch(&c, json!({ "trade_name": "Novo Nome" })).await);
    let u = user(
        owner,
        company,
        &format!("ana.{company}@empresa.test"),
        "member",
    )
    .await;
    ok(&owner
        .patch(&format!("{c}/users/{u}"), json!({ "name": "Ana Maria" }))
        .await);
    ok(&owner.post_empty(&format!("{c}/users/{u}/disable")).await);
    ok(&owner.delete(&format!("{c}/users/{u}")).await);
    crate::common::seed::omie_secret(owner, company, "key", "very-secret-value").await;
    ok(&owner.delete(&format!("{c}/secrets/omie")).await);
    ok(&owner.post_empty(&format!("{c}/suspend")).await);
    ok(&owner.post_empty(&format!("{c}/reactivate")).await);
    ok(&owner
        .patch(
            &format!("/api/v1/links/{link_id}"),
            json!({ "scopes": ["company:read", "users:read"] }),
        )
        .await);
    let _ = app;
    vec![
        "company.updated",
        "user.created",
        "user.updated",
        "user.disabled",
        "user.deleted",
        "secret.changed",
        "secret.changed",
        "company.suspended",
        "company.reactivated",
        "link.updated",
    ]
}

/// Waits (at most 30 s) until `name` received `n` deliveries; shows what came when not.
pub(crate) async fn wait_for(rx: &Receiver, name: &str, n: usize) {
    for _ in 0..300 {
        if rx.received_by(name).len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{name} received only {:?}", types(&rx.received_by(name)));
}

/// The endpoint's deliveries (up to 200), each checked to be delivered.
async fn all_delivered(owner: &Client, app: &str, endpoint: &str) -> Vec<Value> {
    let r = owner
        .get(&format!(
            "/api/v1/applications/{app}/webhooks/{endpoint}/deliveries?limit=200"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body["items"].as_array().unwrap().clone();
    assert!(
        items.iter().all(|d| d["status"] == "delivered"),
        "{}",
        r.text
    );
    items
}

/// What a receiver that deduplicates on `webhook-id` (as the README asks) keeps: each event
/// once, at its first arrival. A delivery sent again carries the same id and payload.
pub(crate) fn once_each(received: &[Value]) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::new();
    for r in received {
        match kept.iter().find(|k| k["id"] == r["id"]) {
            Some(first) => assert_eq!(first["payload"], r["payload"], "the same id, another body"),
            None => kept.push(r.clone()),
        }
    }
    kept
}

pub(crate) fn types(received: &[Value]) -> Vec<String> {
    received
        .iter()
        .map(|r| r["payload"]["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_event_arrives_verified_in_order_and_only_to_linked_applications() {
    let Some(mut rx) = Receiver::start() else {
        return;
    };
    let server = Server::start_with(ALLOW);
    let owner = server.owner().await;
    let a = company(&owner, "Oficina A", 7301).await;
    let b = company(&owner, "Oficina B", 7302).await;
    let app_a = application(&owner, "App A", "main").await;
    let app_b = application(&owner, "App B", "main").await;
    let (_ea, _) = endpoint(&owner, &rx, &app_a.id, "a").await;
    let (_eb, _) = endpoint(&owner, &rx, &app_b.id, "b").await;
    let link_a = link(&owner, &app_a.id, &a, &["company:read"]).await;
    let link_b = link(&owner, &app_b.id, &b, &["company:read"]).await;

    // The receiver is down while the first changes happen: they wait and arrive afterwards.
    rx.down();
    let mut expected = vec!["link.created".to_string()];
    expected.extend(
        changes(&owner, &a, &app_a.id, &link_a)
            .await
            .into_iter()
            .map(String::from),
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    rx.up();
    let r = owner.delete(&format!("/api/v1/links/{link_a}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    expected.push("link.revoked".into());
    // The receiver may have recorded a delivery and been stopped before it answered: that one
    // comes again with its id, and a receiver deduplicating on it keeps each event once.
    eventually(30, "every event at a", || async {
        once_each(&rx.received_by("a")).len() >= expected.len()
    })
    .await;
    let got = once_each(&rx.received_by("a"));
    assert_eq!(types(&got), expected, "in order, each once");
    for r in &got {
        let p = &r["payload"];
        assert_eq!(p["data"]["company_id"], a.as_str(), "{p}");
        assert_eq!(p["version"], 1);
        assert!(p["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(r["id"], p["id"], "webhook-id is the event id");
        assert!(!p.to_string().contains("very-secret-value"), "{p}");
    }

    // Application B, linked only to company B, received none of company A's events, over every
    // type emitted; its own company's events reach it.
    changes(&owner, &b, &app_b.id, &link_b).await;
    wait_for(&rx, "b", 11).await;
    for r in rx.received_by("b") {
        assert_eq!(r["payload"]["data"]["company_id"], b.as_str(), "{r}");
    }
    let items = all_delivered(&owner, &app_a.id, &_ea).await;
    assert_eq!(items.len(), expected.len());
    assert!(
        items.iter().any(|d| d["attempts"].as_u64().unwrap() > 1),
        "some waited for the receiver"
    );
}

#[tokio::test]
async fn events_pending_when_armario_is_killed_are_sent_after_the_restart() {
    let Some(mut rx) = Receiver::start() else {
        return;
    };
    let mut server = Server::spawn_with(ALLOW);
    let owner = server.owner().await;
    let a = company(&owner, "Oficina K", 7303).await;
    let app = application(&owner, "App K", "main").await;
    endpoint(&owner, &rx, &app.id, "k").await;
    link(&owner, &app.id, &a, &["company:read"]).await;
    rx.down();
    let r = owner
        .post_empty(&format!("/api/v1/companies/{a}/suspend"))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    server.kill();
    rx.up();
    let (dir, key) = (server.take_dir(), server.master_key.clone());
    let _server = Server::spawn_in(dir, &key, ALLOW);
    eventually(30, "the events after the restart", || async {
        once_each(&rx.received_by("k")).len() >= 2
    })
    .await;
    assert_eq!(
        types(&once_each(&rx.received_by("k"))),
        ["link.created", "company.suspended"]
    );
}

#[tokio::test]
async fn a_delivery_recorded_but_never_answered_comes_again_with_its_id() {
    let Some(rx) = Receiver::start() else {
        return;
    };
    let server = Server::start_with(ALLOW);
    let owner = server.owner().await;
    let a = company(&owner, "Oficina D", 7304).await;
    let app = application(&owner, "App D", "main").await;
    let (endpoint_id, _) = endpoint(&owner, &rx, &app.id, "d").await;
    // The receiver does the work for the first delivery, then closes the connection unanswered.
    rx.control("drop", "d", "").await;
    link(&owner, &app.id, &a, &["company:read"]).await;
    let r = owner
        .post_empty(&format!("/api/v1/companies/{a}/suspend"))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    wait_for(&rx, "d", 3).await;
    let got = rx.received_by("d");
    assert_eq!(
        types(&got),
        ["link.created", "link.created", "company.suspended"],
        "sent again after no answer, and only then the next one"
    );
    assert_eq!(got[0]["id"], got[1]["id"], "the same webhook-id");
    assert_eq!(
        types(&once_each(&got)),
        ["link.created", "company.suspended"]
    );
    let items = all_delivered(&owner, &app.id, &endpoint_id).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let attempts: Vec<u64> = items
        .iter()
        .map(|d| d["attempts"].as_u64().unwrap())
        .collect();
    assert!(attempts.contains(&2), "{items:?}");
}

#[tokio::test]
async fn inside_addresses_are_refused_naming_url() {
    let server = Server::start();
    let owner = server.owner().await;
    let app = application(&owner, "App S", "main").await;
    for url in [
        "http://127.0.0.1/hook",
        "https://127.0.0.1/hook",
        "http://10.0.0.1/",
        "https://10.0.0.1/",
        "https://169.254.169.254/",
        "http://169.254.169.254/",
        "https://[::1]/",
        "http://[::1]/",
        "https://localhost/hook",
        "ftp://example.com/",
    ] {
        let r = owner
            .post(
                &format!("/api/v1/applications/{}/webhooks", app.id),
                json!({ "url": url, "event_types": ["company.updated"] }),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("url"));
    }
    let r = owner
        .post(
            &format!("/api/v1/applications/{}/webhooks", app.id),
            json!({ "url": "https://example.com/", "event_types": ["company.exploded"] }),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("event_types"));
    let r = owner
        .get(&format!("/api/v1/applications/{}/webhooks", app.id))
        .await;
    assert_eq!(r.body["items"], json!([]), "nothing registered");
}

#[tokio::test]
async fn redirects_are_not_followed_rotation_signs_with_both_and_replay_resends() {
    let Some(rx) = Receiver::start() else { return };
    let server = Server::start_with(ALLOW);
    let owner = server.owner().await;
    let a = company(&owner, "Oficina R", 7304).await;
    let app = application(&owner, "App R", "main").await;
    let (ep, _) = endpoint(&owner, &rx, &app.id, "r").await;
    link(&owner, &app.id, &a, &["company:read"]).await;
    eventually(20, "the first event", || async {
        rx.received_by("r").len() == 1
    })
    .await;

    // Rotation: the next delivery carries a signature with each secret, and each verifies.
    let r = owner
        .post_empty(&format!(
            "/api/v1/applications/{}/webhooks/{ep}/rotate-secret",
            app.id
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = r.body["secret"].as_str().unwrap().to_string();
    rx.control("secret", "r", &new).await;
    owner
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({ "trade_name": "Girado" }),
        )
        .await;
    eventually(20, "the event after rotation", || async {
        rx.received_by("r").len() == 2
    })
    .await;
    let last = rx.received_by("r")[1].clone();
    assert_eq!(last["verified_with"], json!([0, 1]), "{last}");
    assert_eq!(last["signature"].as_str().unwrap().split(' ').count(), 2);

    // Replay of one delivered event sends it again, with the same id.
    let path = format!("/api/v1/applications/{}/webhooks/{ep}/deliveries", app.id);
    let items = owner.get(&path).await.body["items"]
        .as_array()
        .unwrap()
        .clone();
    let first = items.last().unwrap()["id"].as_i64().unwrap();
    let r = owner.post_empty(&format!("{path}/{first}/replay")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    eventually(20, "the replayed event", || async {
        rx.received_by("r").len() == 3
    })
    .await;
    let got = rx.received_by("r");
    assert_eq!(got[2]["id"], got[0]["id"], "the same event again");

    // A redirect is an answer, not a place to go: the delivery fails and the target gets nothing.
    rx.control("redirect", "r", "").await;
    owner
        .patch(
            &format!("/api/v1/companies/{a}"),
            json!({ "trade_name": "Redirecionado" }),
        )
        .await;
    eventually(20, "a failed attempt", || async {
        owner.get(&path).await.body["items"][0]["response_code"] == 307
    })
    .await;
    assert!(
        rx.received().iter().all(|r| r["redirected"].is_null()),
        "the redirect was followed"
    );
    assert_eq!(owner.get(&path).await.body["items"][0]["status"], "failed");

    // Replaying the failed ones from a date queues them again.
    let r = owner
        .post(
            &format!("/api/v1/applications/{}/webhooks/{ep}/replay", app.id),
            json!({ "since": "2020-01-01T00:00:00Z", "status": "failed" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["replayed"], 1, "{}", r.text);
}
