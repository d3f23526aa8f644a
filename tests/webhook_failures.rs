//! An endpoint that keeps failing: its deliveries are retried on the schedule, then
//! dead-lettered; the endpoint is disabled and the owner alerted by e-mail (naming only the
//! URL's host); enabling it again and replaying the dead letters delivers them.

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::seed::{application, link};
use crate::common::smtp::Sink;
use crate::common::*;

/// A loopback server answering every request 503 until `heal` is set, then 204; it counts
/// what it answered.
struct Flaky {
    port: u16,
    healed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    served: std::sync::Arc<std::sync::Mutex<Vec<u16>>>,
}

impl Flaky {
    fn start() -> Flaky {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let healed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let served = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (h, s) = (healed.clone(), served.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                // Read the request head and its body (content-length).
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let code = if h.load(Ordering::SeqCst) { 204 } else { 503 };
                s.lock().unwrap().push(code);
                let reason = if code == 204 {
                    "No Content"
                } else {
                    "Unavailable"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Flaky {
            port,
            healed,
            served,
        }
    }

    fn heal(&self) {
        self.healed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn count(&self, code: u16) -> usize {
        self.served
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == code)
            .count()
    }
}

#[tokio::test]
async fn a_failing_endpoint_is_dead_lettered_disabled_alerted_and_replayed() {
    let Some(sink) = Sink::start(0) else { return };
    let flaky = Flaky::start();
    let mut env: Vec<(String, String)> = sink.env();
    for (k, v) in [
        ("ARMARIO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ("ARMARIO_WEBHOOK_RETRY_BASE_MS", "40"),
        ("ARMARIO_WEBHOOK_MAX_ATTEMPTS", "4"),
        ("ARMARIO_ALERT_CHECK_SECS", "1"),
    ] {
        env.push((k.into(), v.into()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start_with(&env);
    let owner = server.owner().await;
    let company_id = company(&owner, "Oficina Falha", 7401).await;
    let app = application(&owner, "App Falha", "main").await;
    // The path carries a token, as many receivers' URLs do: the alert must not tell it.
    let url = format!(
        "http://127.0.0.1:{}/hooks/tok_very_private_path",
        flaky.port
    );
    let r = owner
        .post(
            &format!("/api/v1/applications/{}/webhooks", app.id),
            json!({ "url": url, "event_types": ["link.created", "company.updated"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let endpoint = r.body["endpoint"]["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/applications/{}/webhooks/{endpoint}", app.id);
    link(&owner, &app.id, &company_id, &["company:read"]).await;

    // Four attempts, all 503, then the delivery is dead and the endpoint disabled.
    eventually(30, "the delivery dead-lettered", || {
        let (owner, path) = (&owner, format!("{base}/deliveries"));
        async move { owner.get(&path).await.body["items"][0]["status"] == "dead" }
    })
    .await;
    let deliveries = owner.get(&format!("{base}/deliveries")).await.body;
    let d = &deliveries["items"][0];
    assert_eq!(d["attempts"], 4, "{d}");
    assert_eq!(d["response_code"], 503, "{d}");
    assert_eq!(d["event_type"], "link.created");
    assert_eq!(flaky.count(503), 4, "each attempt reached the endpoint");
    let e = owner.get(&base).await;
    assert_eq!(e.body["enabled"], false, "{}", e.text);
    assert_eq!(e.body["disabled_reason"], "failing", "{}", e.text);

    // A disabled endpoint gets nothing new: the next change is not even queued for it.
    let r = owner
        .patch(
            &format!("/api/v1/companies/{company_id}"),
            json!({ "display_name": "Oficina Falha Matriz" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The owner is alerted once, by e-mail and in the list, naming the host only.
    let mail = sink.wait_for(1);
    let alert: Vec<&Value> = mail
        .iter()
        .filter(|m| {
            m["headers"]["Subject"]
                .as_str()
                .unwrap_or("")
                .contains("App Falha")
        })
        .collect();
    assert_eq!(alert.len(), 1, "{mail:?}");
    let text = alert[0].to_string();
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(!text.contains("tok_very_private_path"), "{text}");
    let alerts = all_pages(&owner, "/api/v1/alerts").await;
    let a = alerts
        .iter()
        .find(|a| a["kind"] == "webhook_disabled")
        .expect("a webhook_disabled alert");
    assert_eq!(a["application_id"], app.id.as_str());
    assert_eq!(a["endpoint_id"], endpoint.as_str());
    assert_eq!(a["host"], "127.0.0.1");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let again = all_pages(&owner, "/api/v1/alerts").await;
    assert_eq!(
        again
            .iter()
            .filter(|a| a["kind"] == "webhook_disabled")
            .count(),
        1,
        "told once"
    );

    // Fixed: enabled again, the dead letter replayed, it arrives; the failure is cleared.
    flaky.heal();
    let r = owner.patch(&base, json!({ "enabled": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("disabled_reason").is_none(), "{}", r.text);
    let r = owner
        .post(
            &format!("{base}/replay"),
            json!({ "since": "2020-01-01T00:00:00Z", "status": "dead" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["replayed"], 1, "{}", r.text);
    eventually(20, "the replayed delivery delivered", || {
        let (owner, path) = (&owner, format!("{base}/deliveries"));
        async move {
            let r = owner.get(&path).await;
            r.body["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|d| d["status"] == "delivered"))
        }
    })
    .await;
    assert_eq!(
        flaky.count(204),
        1,
        "only the replayed event: none was queued while disabled"
    );
}

#[tokio::test]
async fn an_application_manages_its_own_endpoints_never_anothers_and_at_most_ten() {
    let server = Server::start_with(&[("ARMARIO_WEBHOOKS_ALLOW_PRIVATE", "true")]);
    let owner = server.owner().await;
    let mine = application(&owner, "App Própria", "main").await;
    let other = application(&owner, "App Alheia", "main").await;
    let me = server.anon().with_token(&mine.key);
    let them = server.anon().with_token(&other.key);

    let body = |n: u32| json!({ "url": format!("http://127.0.0.1:9/hook/{n}"), "event_types": ["company.updated"] });
    let r = me.post("/api/v1/app/webhooks", body(0)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(r.body["endpoint"]["application_id"], mine.id.as_str());
    let id = r.body["endpoint"]["id"].as_str().unwrap().to_string();

    // The owner sees it on the application; the audit names the application as the actor.
    let listed = owner
        .get(&format!("/api/v1/applications/{}/webhooks", mine.id))
        .await;
    assert_eq!(
        ids(listed.body["items"].as_array().unwrap()),
        vec![id.clone()]
    );
    let events = audit_events(&owner, "action=webhook.created").await;
    assert_eq!(events[0]["actor_kind"], "application", "{:?}", events[0]);

    // Another application cannot see, change, rotate, replay or remove it: 404, and it stays.
    let path = format!("/api/v1/app/webhooks/{id}");
    assert_error(
        &them.get(&path).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &them.patch(&path, json!({ "enabled": false })).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &them.post_empty(&format!("{path}/rotate-secret")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &them.get(&format!("{path}/deliveries")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert_error(
        &them.delete(&path).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    assert!(them.get("/api/v1/app/webhooks").await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(me.get(&path).await.body["enabled"], true);

    // Bad input names the field and registers nothing.
    let r = me
        .post(
            "/api/v1/app/webhooks",
            json!({ "url": "http://127.0.0.1:9/x", "event_types": ["company.exploded"] }),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("event_types"));

    // Ten at most: the eleventh is a 409 naming url, and nothing is added.
    for n in 1..10 {
        let r = me.post("/api/v1/app/webhooks", body(n)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let r = me.post("/api/v1/app/webhooks", body(10)).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("url"));
    assert!(r.text.contains("at most 10"), "{}", r.text);
    assert_eq!(
        me.get("/api/v1/app/webhooks").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        10
    );

    // Its own: changed, rotated, removed.
    let r = me
        .patch(&path, json!({ "event_types": ["user.created"] }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["event_types"], json!(["user.created"]));
    let r = me.post_empty(&format!("{path}/rotate-secret")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["endpoint"]["previous_secret_until"].is_string());
    assert_eq!(me.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_error(
        &me.get(&path).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
}
