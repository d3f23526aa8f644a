//! `armario admin create`: an owner made from the server's console.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const OPS_PASSWORD: &str = "another-long-passphrase";

#[tokio::test]
async fn admin_create_adds_an_owner_who_signs_in() {
    let server = Server::spawn();
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &[
            "admin",
            "create",
            "--email",
            "Ops@Armario.test",
            "--name",
            "Operadora",
        ],
        &format!("{OPS_PASSWORD}\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("created owner ops@armario.test"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(OPS_PASSWORD) && !stderr.contains(OPS_PASSWORD),
        "the password was printed"
    );

    // The running server sees the new owner at once.
    let ops = server.login("ops@armario.test", OPS_PASSWORD).await;
    let me = ops.get("/api/v1/auth/me").await;
    assert_eq!(me.body["user"]["role"], "owner", "{}", me.text);
    assert_eq!(me.body["user"]["name"], "Operadora");
    company(&ops, "Oficina do Operador", 11).await;

    // An owner now exists, so the setup link is spent.
    let token = server.setup_token.clone().unwrap();
    let r = server
        .anon()
        .post(
            "/api/v1/setup",
            json!({"token": token, "email": "late@armario.test", "name": "Tarde", "password": PASSWORD}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("token"));

    let events = audit_events(&ops, "action=owner.created").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["actor_kind"], "operator");
    assert_eq!(events[0]["target_id"], me.body["user"]["id"]);
}

#[tokio::test]
async fn admin_create_refuses_bad_input_and_changes_nothing() {
    let server = Server::spawn();
    let owner = server.owner().await;
    let before = all_pages(&owner, "/api/v1/users").await;

    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["admin", "create", "--email", "short@armario.test"],
            "curta\n",
            "password",
        ),
        (
            &["admin", "create", "--email", "not-an-email"],
            "a-long-enough-password\n",
            "email",
        ),
        (
            &["admin", "create", "--email", "OWNER@armario.test"],
            "a-long-enough-password\n",
            "email",
        ),
    ];
    for (args, stdin, field) in cases {
        let out = run_armario(&server.data_dir(), &server.master_key, args, stdin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(field), "{args:?}: {stderr}");
        assert!(
            !stderr.contains(stdin.trim()),
            "{args:?} echoed the password"
        );
    }
    assert_eq!(all_pages(&owner, "/api/v1/users").await, before);
}
