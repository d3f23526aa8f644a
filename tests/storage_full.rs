//! A full disk: the data directory lives on a small tmpfs that a filler file fills up. Writes
//! answer 507 `storage_full`, `/readyz` says degraded, `/metrics` counts the refusals, and once
//! the filler is gone writes work again and the degraded state clears.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

/// A mounted tmpfs, unmounted on drop (after the server that used it has stopped).
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts an 8 MiB tmpfs on `dir`, or says why it cannot.
    fn mount(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Self(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Writes `path` until the filesystem says ENOSPC, in ever smaller pieces, so not one free
/// block is left.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let mut chunk = 1 << 20;
    while chunk >= 1 {
        let buf = vec![0xa5u8; chunk];
        loop {
            match file.write_all(&buf).and_then(|()| file.sync_all()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        chunk /= 4;
    }
}

async fn metric(server: &Server, name: &str) -> f64 {
    let r = server.anon().get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    r.text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_full_disk_answers_507_degrades_readyz_and_recovers_when_space_is_freed() {
    if crate::common::sqlite_only("a full disk under the data directory") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let mount = match Tmpfs::mount(&dir.path().join("data")) {
        Ok(m) => m,
        Err(why) => {
            assert!(
                !in_ci(),
                "CI=true but a tmpfs cannot be mounted (the test needs root): {why}"
            );
            eprintln!("skipped: cannot mount a tmpfs to fill (needs root): {why}");
            return;
        }
    };
    let filler = mount.0.join("filler");
    // Backups go elsewhere, so a scheduled one neither fills the small disk nor frees it.
    let backup_dir = backups.path().to_str().unwrap().to_string();
    let server = Server::start_in(
        dir,
        &"ab".repeat(32),
        &[("ARMARIO_BACKUP_LOCAL_DIR", backup_dir.as_str())],
    );
    let owner = server.owner().await;
    company(&owner, "Antes Ltda", 1).await;

    fill(&filler);
    // Freed WAL pages are reused before the file must grow, so a few writes may still fit.
    let mut refused = None;
    for seed in 2..400 {
        let r = owner
            .post(
                "/api/v1/companies",
                json!({"legal_name": format!("Cheia {seed} Ltda"), "cnpj": cnpj(seed)}),
            )
            .await;
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
        if r.status != StatusCode::CREATED {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the full disk never refused a write");
    assert_error(&r, StatusCode::INSUFFICIENT_STORAGE, "storage_full", None);
    assert!(r.text.contains("disk is full"), "{}", r.text);

    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "degraded", "{}", ready.body);
    assert_eq!(ready.body["checks"]["storage"], "full", "{}", ready.body);
    assert!(
        ready.body["reasons"].to_string().contains("storage full"),
        "{}",
        ready.body
    );
    assert!(metric(&server, "armario_storage_full_total").await >= 1.0);
    assert_eq!(metric(&server, "armario_storage_full").await, 1.0);
    // Reads still work while writes are refused.
    assert_eq!(owner.get("/api/v1/companies").await.status, StatusCode::OK);

    std::fs::remove_file(&filler).unwrap();
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Depois Ltda", "cnpj": cnpj(999)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.body["status"], "ready", "{}", ready.body);
    assert_eq!(ready.body["checks"]["storage"], "ok", "{}", ready.body);
    assert_eq!(metric(&server, "armario_storage_full").await, 0.0);
    drop(server);
    drop(mount);
}
