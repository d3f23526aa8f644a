//! A known secret value (the canary) is set as a company's Omie credentials and then looked for
//! everywhere it must not be: the database file, its WAL, the server's logs, every API answer
//! and the audit log. Only its sealed form may be stored.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every answer the test has seen, headers and body.
#[derive(Default)]
struct Seen(String);

impl Seen {
    async fn call(&mut self, c: &Client, method: Method, path: &str, body: Option<Value>) -> Resp {
        let r = c.send(method, path, body).await;
        self.keep(&r);
        r
    }

    fn keep(&mut self, r: &Resp) {
        self.0.push_str(&format!("{:?}\n{}\n", r.headers, r.text));
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn a_secret_is_found_nowhere_but_sealed() {
    if crate::common::sqlite_only("reading the bytes of the database file and its WAL") {
        return;
    }
    // The most talkative logging the server has, to catch a value logged at any level.
    let server = Server::spawn_with(&[("RUST_LOG", "trace")]);
    let owner = server.owner().await;
    let canary = format!(
        "CANARY-{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    let key_canary = format!("KEYCANARY-{:016x}", rand::random::<u64>());
    // A value that is not secret, stored in the clear: proves the files are searched right.
    let visible = format!("VISIBLE-{:016x}", rand::random::<u64>());
    let id = company(&owner, &visible, 7).await;
    user(&owner, &id, "admin@canario.test", "company_admin").await;
    let admin = server.login("admin@canario.test", PASSWORD).await;
    let omie = format!("/api/v1/companies/{id}/secrets/omie");
    let mut seen = Seen::default();
    let values = json!({"values": {"app_key": key_canary, "app_secret": canary}});

    let r = seen
        .call(&admin, Method::PUT, &omie, Some(values.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["kind"], "omie");
    assert_eq!(
        r.body["hint"],
        format!("••••{}", &canary[canary.len() - 4..])
    );
    // Set it twice: replacing must not leave the old value around either.
    let r = seen
        .call(&owner, Method::PUT, &omie, Some(values.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let custom = format!("/api/v1/companies/{id}/secrets/custom_erp");
    let r = seen
        .call(
            &admin,
            Method::PUT,
            &custom,
            Some(json!({"values": {"token": canary}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Bad requests that carry the canary must not echo it back or log it.
    let long = format!("{canary}{}", "x".repeat(4096));
    for body in [
        json!({"values": {"app_key": key_canary, "app_secret": canary, "extra": canary}}),
        json!({"values": {"app_key": key_canary, "app_secret": long}}),
        json!({"values": {"app_key": key_canary, "app_secret": [canary]}}),
        json!({"values": {"app_key": key_canary}, "app_secret": canary}),
        json!({"values": canary}),
    ] {
        let r = seen.call(&admin, Method::PUT, &omie, Some(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
    let truncated = format!("{{\"values\": {{\"app_secret\": \"{canary}\"");
    let r = admin
        .send_raw(Method::PUT, &omie, "application/json", truncated)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    seen.keep(&r);
    // A member, a stranger and an anonymous caller trying to set it.
    user(&owner, &id, "membro@canario.test", "member").await;
    let member = server.login("membro@canario.test", PASSWORD).await;
    for c in [&member, &server.anon()] {
        let r = seen.call(c, Method::PUT, &omie, Some(values.clone())).await;
        assert!(r.status.is_client_error(), "{}", r.text);
    }

    // Everything a user can read about the company.
    for (c, path) in [
        (&admin, format!("/api/v1/companies/{id}/secrets")),
        (&owner, format!("/api/v1/companies/{id}/secrets")),
        (&admin, format!("/api/v1/companies/{id}")),
        (&admin, "/api/v1/auth/me".to_string()),
        (&admin, "/api/v1/secret-kinds".to_string()),
        (&owner, "/api/v1/audit-events?limit=200".to_string()),
        (&admin, "/api/v1/audit-events?limit=200".to_string()),
    ] {
        let r = seen.call(c, Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    let events = audit_events(&owner, &format!("company_id={id}&action=secret.set")).await;
    assert_eq!(events.len(), 3, "{events:?}");
    for e in &events {
        assert_eq!(e["target_kind"], "secret", "{e}");
        let fields = e["details"]["fields"].as_array().expect("fields named");
        assert!(fields.iter().all(|f| f.is_string()), "{e}");
    }
    let r = seen.call(&admin, Method::DELETE, &custom, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    let db = server.db_path();
    let wal = db.with_file_name("armario.db-wal");
    let files = [read(&db), read(&wal)];
    assert!(
        files.iter().any(|f| contains(f, &visible)),
        "the positive control is not in the files: the search is broken"
    );
    for needle in [&canary, &key_canary] {
        assert!(
            !contains(&files[0], needle),
            "{needle} in the database file"
        );
        assert!(!contains(&files[1], needle), "{needle} in the WAL");
        assert!(
            !seen.0.contains(needle.as_str()),
            "{needle} in an API answer"
        );
        let leaks: Vec<String> = server
            .logs()
            .lines()
            .filter(|l| l.contains(needle.as_str()))
            .map(|l| l.chars().take(300).collect())
            .collect();
        assert!(
            leaks.is_empty(),
            "{needle} in the logs:\n{}",
            leaks.join("\n")
        );
    }
    assert!(
        server.logs().contains("DEBUG"),
        "debug logs were not captured"
    );

    // After a clean stop the WAL is folded into the database: still sealed.
    let mut server = server;
    assert!(server.stop().success());
    let db_after = read(&db);
    assert!(contains(&db_after, &visible));
    assert!(!contains(&db_after, &canary) && !contains(&db_after, &key_canary));
    assert!(!server.logs().contains(&canary));
}
