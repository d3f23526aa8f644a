//! Typed settings, seen from the real binary: a misspelt key or a bad value stops the start
//! with a message naming it, and a secret can come from a file.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;

const MASTER_KEY: &str = "5e77196f5e77196f5e77196f5e77196f5e77196f5e77196f5e77196f5e77196f";

/// Runs `armario serve` in `dir` with `env`; the start must fail within 30 s. Returns stderr.
fn serve_must_fail(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_armario"));
    cmd.args(["serve", "--data-dir"])
        .arg(dir.join("data"))
        .args(args)
        .current_dir(dir)
        .env("ARMARIO_ADDR", "127.0.0.1:0")
        .env("ARMARIO_MASTER_KEY", MASTER_KEY)
        .env_remove("ARMARIO_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn armario");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("armario started despite {env:?} {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "exit status {status}: {stderr}");
    stderr
}

#[test]
fn a_misspelt_variable_stops_the_start_naming_the_nearest_key() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = serve_must_fail(dir.path(), &[], &[("ARMARIO_BAKUP_S3_BUCKET", "b")]);
    assert!(
        stderr.contains(
            "unknown setting ARMARIO_BAKUP_S3_BUCKET in the environment; \
             did you mean ARMARIO_BACKUP_S3_BUCKET?"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("data").exists(), "nothing is written");
}

#[test]
fn a_misspelt_key_in_the_file_stops_the_start_naming_the_nearest_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("armario.toml");
    std::fs::write(&path, "cookie_secure = true\n[backup]\ns3_bukcet = \"b\"\n").unwrap();
    let stderr = serve_must_fail(dir.path(), &[], &[]);
    assert!(
        stderr.contains("unknown setting backup.s3_bukcet in armario.toml")
            && stderr.contains("did you mean backup.s3_bucket?"),
        "{stderr}"
    );
    let config = path.display().to_string();
    let elsewhere = tempfile::tempdir().unwrap();
    let stderr = serve_must_fail(elsewhere.path(), &["--config", &config], &[]);
    assert!(stderr.contains("backup.s3_bukcet"), "{stderr}");
}

#[test]
fn bad_values_stop_the_start_naming_the_key() {
    for (var, value) in [
        ("ARMARIO_SYNCHRONOUS", "sometimes"),
        ("ARMARIO_TRUST_PROXY", "perhaps"),
        ("ARMARIO_USAGE_FLUSH_SECS", "soon"),
        ("ARMARIO_SIGNUP_MAX_TOTAL", "lots"),
        ("ARMARIO_BACKUP_RETENTION_DAYS", "a month"),
        ("ARMARIO_ADDR", "127.0.0.1:http"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let stderr = serve_must_fail(dir.path(), &[], &[(var, value)]);
        assert!(
            stderr.contains(&format!("setting {var}:")) && stderr.contains(value),
            "{var}={value}: {stderr}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let stderr = serve_must_fail(dir.path(), &["--addr", "127.0.0.1:http"], &[]);
    assert!(stderr.contains("setting --addr:"), "{stderr}");
}

async fn metrics_status(server: &Server, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(server.url("/metrics"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_secret_comes_from_a_file_named_in_the_environment_or_the_file() {
    let token = "metrics-token-from-a-file-0123456789";
    let secrets = tempfile::tempdir().unwrap();
    let token_file = secrets.path().join("metrics_token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let token_path = token_file.display().to_string();

    let server = Server::spawn_with(&[("ARMARIO_METRICS_TOKEN_FILE", &token_path)]);
    assert_eq!(metrics_status(&server, token).await, StatusCode::OK);
    assert_eq!(
        metrics_status(&server, "wrong").await,
        StatusCode::NOT_FOUND
    );
    assert!(!server.logs().contains(token), "the token was logged");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("armario.toml"),
        format!("metrics_token_file = {token_path:?}\n"),
    )
    .unwrap();
    let server = Server::spawn_in(dir, MASTER_KEY, &[]);
    assert_eq!(metrics_status(&server, token).await, StatusCode::OK);
}
