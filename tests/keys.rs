//! `armario keys rotate`: secrets re-sealed under a new key stay readable with it alone.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn rotation_reseals_secrets_and_refuses_a_running_server() {
    let mut server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Rotação Ltda", 31).await;
    let r = owner
        .put(
            &format!("/api/v1/companies/{id}/secrets/omie"),
            json!({"values": {"app_key": "k-123", "app_secret": "s-abcdefghijklmnop"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let old_key_id = r.body["key_id"].as_str().unwrap().to_string();
    let app = owner
        .post("/api/v1/applications", json!({"name": "rot"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let key = owner
        .post(
            &format!("/api/v1/applications/{app}/credentials"),
            json!({"label": "k"}),
        )
        .await
        .body["secret"]
        .as_str()
        .unwrap()
        .to_string();
    owner
        .post(
            "/api/v1/links",
            json!({"application_id": app, "company_id": id, "scopes": ["secrets:omie:read"]}),
        )
        .await;

    let new_key_file = server.dir.path().join("new.key");
    let store_env = server.store_env();
    let rotate = |data_dir: std::path::PathBuf, master: String, file: std::path::PathBuf| {
        std::process::Command::new(env!("CARGO_BIN_EXE_armario"))
            .args(["keys", "rotate", "--new-key-file"])
            .arg(file)
            .arg("--data-dir")
            .arg(data_dir)
            .env("ARMARIO_MASTER_KEY", master)
            .envs(store_env.clone())
            .output()
            .unwrap()
    };
    let out = rotate(
        server.data_dir(),
        server.master_key.clone(),
        new_key_file.clone(),
    );
    assert!(!out.status.success(), "refuses while the server runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop it first"));

    assert!(server.stop().success());
    let out = rotate(
        server.data_dir(),
        server.master_key.clone(),
        new_key_file.clone(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The company secret, its company's data key and the OpenID signing key made at first start.
    assert!(String::from_utf8_lossy(&out.stdout).contains("re-sealed 3 values"));

    let new_key = std::fs::read_to_string(&new_key_file).unwrap();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let server = Server::start_in(dir, new_key.trim(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let r = owner.get(&format!("/api/v1/companies/{id}/secrets")).await;
    assert_ne!(r.body["items"][0]["key_id"], old_key_id.as_str());
    let r = server
        .anon()
        .with_token(&key)
        .get(&format!("/api/v1/app/companies/{id}/secrets/omie"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["values"]["app_secret"], "s-abcdefghijklmnop");
    let r = owner.get("/api/v1/audit-events?action=keys.rotated").await;
    assert_eq!(r.body["items"][0]["actor_kind"], "operator");
}
