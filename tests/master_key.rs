//! The master key check: a wrong or missing key stops `serve` with a message naming the
//! unknown key ids, and no command but `serve` on a new data directory generates a key.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

fn random_key() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// The key id armario shows for a hex key: the first 4 bytes of SHA-256("armario/key-id/v1" || key).
fn key_id(hex_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let bytes = hex::decode(hex_key).unwrap();
    let mut h = Sha256::new();
    h.update(b"armario/key-id/v1");
    h.update(&bytes);
    hex::encode(&h.finalize()[..4])
}

/// Runs `armario serve` on `data_dir` and expects it to stop by itself; a server that comes up
/// instead is killed and the test fails.
fn serve_expecting_refusal(data_dir: &Path, master_key: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_armario"));
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .current_dir(data_dir.parent().unwrap())
        .env("ARMARIO_MASTER_KEY", master_key)
        .env_remove("ARMARIO_CONFIG")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Ok(url) = std::fs::read_to_string(data_dir.parent().unwrap().join("database_url")) {
        cmd.env("ARMARIO_DATABASE_URL", url);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn armario");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "armario started instead of refusing:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "exit status {}: {text}", out.status);
    assert!(!text.contains("listening on"), "{text}");
    text
}

/// Stores a sealed secret and returns its company id.
async fn store_a_secret(server: &Server) -> String {
    let owner = server.owner().await;
    let id = company(&owner, "Chave Ltda", 41).await;
    let r = owner
        .put(
            &format!("/api/v1/companies/{id}/secrets/omie"),
            json!({"values": {"app_key": "k-1", "app_secret": "s-abcdefghijklmnop"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

fn assert_names_the_key_settings(message: &str) {
    for setting in [
        "ARMARIO_MASTER_KEY ",
        "ARMARIO_MASTER_KEY_FILE",
        "master.key",
        "ARMARIO_MASTER_KEY_PREVIOUS",
    ] {
        assert!(message.contains(setting), "no {setting} in: {message}");
    }
}

#[tokio::test]
async fn another_key_stops_the_start_until_the_old_one_is_given_as_previous() {
    let key_a = random_key();
    let key_b = random_key();
    let mut server = Server::spawn_in(tempfile::tempdir().unwrap(), &key_a, &[]);
    let id = store_a_secret(&server).await;
    assert!(server.stop().success());
    let dir = server.take_dir();
    let data = dir.path().join("data");

    let message = serve_expecting_refusal(&data, &key_b, &[]);
    assert!(message.contains(&key_id(&key_a)), "{message}");
    assert!(message.contains("company_secrets"), "{message}");
    assert_names_the_key_settings(&message);

    let server = Server::spawn_in(dir, &key_b, &[("ARMARIO_MASTER_KEY_PREVIOUS", &key_a)]);
    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "ready", "{}", ready.body);
    assert_eq!(ready.body["checks"]["master_key"], "ok", "{}", ready.body);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let r = owner.get(&format!("/api/v1/companies/{id}/secrets")).await;
    assert_eq!(r.body["items"][0]["key_id"], key_id(&key_a).as_str());
}

#[tokio::test]
async fn a_moved_master_key_file_stops_the_start_and_none_is_generated() {
    if crate::common::sqlite_only("a master key generated for a new data directory") {
        return;
    }
    // No key configured: the first start generates master.key in the new data directory.
    let mut server = Server::spawn_in(tempfile::tempdir().unwrap(), "", &[]);
    let key_file = server.data_dir().join("master.key");
    assert!(key_file.exists(), "the first start generates a key");
    store_a_secret(&server).await;
    assert!(server.stop().success());
    let dir = server.take_dir();
    let data = dir.path().join("data");
    std::fs::rename(&key_file, dir.path().join("moved.key")).unwrap();

    let message = serve_expecting_refusal(&data, "", &[]);
    assert!(message.contains("holds values sealed"), "{message}");
    assert!(message.contains("ARMARIO_MASTER_KEY_FILE"), "{message}");
    assert!(!key_file.exists(), "no key was generated");

    std::fs::rename(dir.path().join("moved.key"), &key_file).unwrap();
    let server = Server::spawn_in(dir, "", &[]);
    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.body["checks"]["master_key"], "ok", "{}", ready.body);
}

#[tokio::test]
async fn a_backup_sealed_with_another_key_stops_the_start() {
    let key_a = random_key();
    let mut server = Server::spawn_in(tempfile::tempdir().unwrap(), &key_a, &[]);
    server.owner().await;
    assert!(server.stop().success());
    let dir = server.take_dir();
    let data = dir.path().join("data");
    let out = run_armario(&data, &key_a, &["backup", "now"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // No sealed values yet: only the backup's manifest tells that the key changed.
    let message = serve_expecting_refusal(&data, &random_key(), &[]);
    assert!(message.contains(&key_id(&key_a)), "{message}");
    assert!(message.contains("newest backup"), "{message}");
}

#[tokio::test]
async fn an_unreachable_backup_target_is_a_warning_not_a_stop() {
    let server = Server::spawn_with(&[
        ("ARMARIO_BACKUP_TARGET", "s3"),
        ("ARMARIO_BACKUP_S3_ENDPOINT", "http://127.0.0.1:9"),
        ("ARMARIO_BACKUP_S3_REGION", "us-east-1"),
        ("ARMARIO_BACKUP_S3_BUCKET", "armario-test"),
        ("ARMARIO_BACKUP_S3_PATH_STYLE", "true"),
        ("ARMARIO_BACKUP_S3_ACCESS_KEY", "test"),
        ("ARMARIO_BACKUP_S3_SECRET_KEY", "test-secret-value"),
    ]);
    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["checks"]["master_key"], "ok", "{}", ready.body);
    let warnings = ready.body["warnings"].to_string();
    assert!(warnings.contains("newest backup"), "{}", ready.body);
    assert!(server.logs().contains("could not be checked"));
}

#[test]
fn commands_other_than_serve_refuse_without_a_key_and_write_no_file() {
    let root = tempfile::tempdir().unwrap();
    // A data directory that does not exist yet, and one holding a database and a backup whose
    // key was moved away.
    let fresh = root.path().join("fresh");
    let used = root.path().join("used");
    let key = random_key();
    let out = run_armario(&used, &key, &["backup", "now"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_key_file = root.path().join("new.key");
    for data in [&fresh, &used] {
        for args in [
            &["backup", "list"][..],
            &["backup", "verify", "latest"],
            &["restore", "latest"],
            &["backup", "now"],
            &["admin", "create", "--email", "dono@exemplo.test"],
            &["admin", "set-password", "--email", "dono@exemplo.test"],
            &["admin", "login-link", "--email", "dono@exemplo.test"],
            &[
                "keys",
                "rotate",
                "--new-key-file",
                new_key_file.to_str().unwrap(),
            ],
        ] {
            let out = run_armario(data, "", args, "");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success(),
                "{args:?} on {}: {stderr}",
                data.display()
            );
            assert!(
                stderr.contains("ARMARIO_MASTER_KEY_FILE"),
                "{args:?}: {stderr}"
            );
            assert!(stderr.contains("master.key"), "{args:?}: {stderr}");
            assert!(
                !data.join("master.key").exists(),
                "{args:?} generated a master.key in {}",
                data.display()
            );
            assert!(!new_key_file.exists(), "{args:?} wrote the new key file");
        }
    }
    assert!(
        !fresh.exists(),
        "a refused command created the data directory"
    );
}

#[tokio::test]
async fn console_commands_refuse_a_key_that_does_not_open_the_data() {
    let key_a = random_key();
    let key_b = random_key();
    let mut server = Server::spawn_in(tempfile::tempdir().unwrap(), &key_a, &[]);
    store_a_secret(&server).await;
    assert!(server.stop().success());
    let dir = server.take_dir();
    let data = dir.path().join("data");
    let as_operator: [&[&str]; 4] = [
        &["admin", "login-link", "--email", "owner@armario.test"],
        &["admin", "reset-mfa", "--email", "owner@armario.test"],
        &["admin", "set-password", "--email", "owner@armario.test"],
        &["mail", "retry"],
    ];
    for args in as_operator {
        let out = run_armario(&data, &key_b, args, "another-long-password\n");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("does not match the data"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(&key_id(&key_a)), "{args:?}: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("arm_link_"));
    }
    // Nothing was done: the owner's password still works, and the right key acts.
    let out = run_armario(&data, &key_a, as_operator[0], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::spawn_in(dir, &key_a, &[]);
    server.login("owner@armario.test", PASSWORD).await;
}
