//! Retention: a sign-in retention below six months stops the start naming the setting, and the
//! run at start prunes what is past its time and audits the counts.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn a_sign_in_retention_below_six_months_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_armario"))
        .args(["serve", "--data-dir"])
        .arg(dir.path().join("data"))
        .current_dir(dir.path())
        .env("ARMARIO_ADDR", "127.0.0.1:0")
        .env("ARMARIO_MASTER_KEY", "5e77196f".repeat(8))
        .env("ARMARIO_RETENTION_SIGNIN_DAYS", "90")
        .env_remove("ARMARIO_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn armario");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("armario started with a sign-in retention of 90 days");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("ARMARIO_RETENTION_SIGNIN_DAYS"), "{stderr}");
    assert!(stderr.contains("183"), "{stderr}");
}

#[tokio::test]
async fn the_run_at_start_prunes_ended_sessions_and_audits_the_counts() {
    let mut server = Server::start();
    let owner = server.owner().await;
    drop(owner);
    assert!(server.stop().success());
    let old = 1_000_000_000_000i64; // 2001: ended long before the 30 days kept.
    server.insert_ended_session("ses_old", old, &[1, 2]);
    let dir = server.take_dir();
    let server = Server::start_in(dir, &server.master_key.clone(), &[]);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let mut events = Vec::new();
    for _ in 0..200 {
        events = audit_events(&owner, "action=retention.pruned").await;
        if !events.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(events.len(), 1, "{events:?}");
    let d = &events[0]["details"];
    assert_eq!(d["sessions"], 1, "{d}");
    assert_eq!(d["audit_events"], 0, "nothing is five years old: {d}");
    assert_eq!(d["signin_records"], 0, "the sign-ins are minutes old: {d}");
}
