//! What killed backups leave behind, and the modes of what backups and restores write: the
//! clear-text snapshot is the whole database, so it must never be readable by others nor
//! outlive its run for longer than the next start.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            found.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    found
}

/// The permission bits in octal, as `ls` and `chmod` write them.
fn mode(path: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    )
}

/// Grows the store by about 96 MiB, so a backup runs long enough to be killed mid-run.
fn grow(dir: &tempfile::TempDir) {
    with_store_in(dir, |db| match db.as_sqlite() {
        Some(conn) => conn
            .execute_batch(
                "CREATE TABLE ballast(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24576)
                 INSERT INTO ballast(data) SELECT randomblob(4096) FROM n;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .unwrap(),
        // The dump writes values as they are, uncompressed: repeated bytes weigh as much.
        None => db
            .execute_batch(
                "CREATE TABLE ballast(id BIGSERIAL PRIMARY KEY, data BYTEA NOT NULL);
                 INSERT INTO ballast(data)
                 SELECT convert_to(repeat('x', 4096), 'UTF8') FROM generate_series(1, 24576);",
            )
            .unwrap(),
    });
}

/// What a command over `data` needs to find its store: the PostgreSQL database the server's
/// directory names, when the run is on one.
fn store_env(data: &Path) -> Vec<(&'static str, String)> {
    match std::fs::read_to_string(data.parent().unwrap().join("database_url")) {
        Ok(url) => vec![
            ("ARMARIO_DATABASE_URL", url),
            (
                "ARMARIO_PG_BIN_DIR",
                crate::common::postgres::bin_dir().display().to_string(),
            ),
        ],
        Err(_) => Vec::new(),
    }
}

/// What a run may add to the data directory that is not scratch: the live database's side
/// files and lock (opened to record the run), and the backups themselves.
fn is_live(path: &Path) -> bool {
    path.starts_with("backups")
        || [
            "armario.db",
            "armario.db-wal",
            "armario.db-shm",
            "armario.lock",
        ]
        .iter()
        .any(|n| path == Path::new(n))
}

/// Starts `armario backup now` and SIGKILLs it once a scratch file outside `baseline` holds
/// data (the snapshot being written). Returns the paths the killed run left.
fn kill_a_backup_mid_run(data: &Path, key: &str, baseline: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_armario"))
        .arg("--data-dir")
        .arg(data)
        .args(["backup", "now"])
        .env("ARMARIO_MASTER_KEY", key)
        .envs(store_env(data))
        .env_remove("ARMARIO_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let started = tree(data).difference(baseline).any(|p| {
            let meta = std::fs::metadata(data.join(p));
            !is_live(p) && meta.is_ok_and(|m| m.is_file() && m.len() > 0)
        });
        if started {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the backup ended ({status}) before it could be killed");
        }
        assert!(Instant::now() < deadline, "no scratch file appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    tree(data)
        .difference(baseline)
        .filter(|p| !is_live(p))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_killed_backup_leaves_only_private_scratch_that_the_next_start_sweeps() {
    let mut server = Server::spawn();
    server.owner().await;
    assert!(server.stop().success());
    let dir = server.take_dir();
    let key = server.master_key.clone();
    let data = dir.path().join("data");
    grow(&dir);
    let baseline = tree(&data);

    for restart in ["backup list", "serve"] {
        let left = kill_a_backup_mid_run(&data, &key, &baseline);
        assert!(!left.is_empty(), "the killed run left nothing to check");
        for path in &left {
            let full = data.join(path);
            assert!(
                path.starts_with("scratch"),
                "{} lies outside the scratch directory (mode {})",
                path.display(),
                mode(&full)
            );
            let want = if full.is_dir() { "700" } else { "600" };
            assert_eq!(mode(&full), want, "{}", path.display());
        }
        assert_eq!(mode(&data.join("scratch")), "700");

        let gone = |what: &str| {
            let now = tree(&data);
            let still: Vec<_> = left
                .iter()
                .filter(|p| now.contains(*p) && **p != Path::new("scratch"))
                .collect();
            assert!(still.is_empty(), "after {what}, still there: {still:?}");
        };
        if restart == "serve" {
            let server = Server::spawn_in(dir, &key, &[]);
            gone("the server started");
            let mut server = server;
            // A request first: SIGTERM right after "listening" may beat the signal handler.
            server.anon().get("/readyz").await;
            let status = server.stop();
            assert!(status.success(), "{status}: {}", server.logs());
            return;
        }
        let out = run_armario(&data, &key, &["backup", "list"], "");
        assert!(out.status.success(), "{out:?}");
        gone("backup list");
    }
}

#[tokio::test]
async fn restore_outputs_and_the_kept_database_are_owner_only() {
    if crate::common::sqlite_only(
        "the files a restore writes (a restored copy, the database set aside)",
    ) {
        return;
    }
    let mut server = Server::spawn();
    server.owner().await;
    assert!(server.stop().success());
    let data = server.data_dir();
    let key = server.master_key.clone();
    let out = run_armario(&data, &key, &["backup", "now"], "");
    assert!(out.status.success(), "{out:?}");

    let elsewhere = server.dir.path().join("copies").join("restored.db");
    let out = run_armario(
        &data,
        &key,
        &["restore", "latest", "--to", elsewhere.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&elsewhere), "600", "restore --to");

    // Onto another filesystem (tmpfs), where the copy cannot simply be renamed into place.
    let shm = Path::new("/dev/shm");
    let other_fs = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).is_ok_and(|m| m.dev() != std::fs::metadata(&data).unwrap().dev())
    };
    if other_fs(shm) {
        let far = tempfile::tempdir_in(shm).unwrap();
        let target = far.path().join("restored.db");
        let out = run_armario(
            &data,
            &key,
            &["restore", "latest", "--to", target.to_str().unwrap()],
            "",
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(mode(&target), "600", "restore --to another filesystem");
        assert_eq!(tree(far.path()).len(), 1, "{:?}", tree(far.path()));
    } else {
        eprintln!("no second filesystem at /dev/shm: restoring across filesystems not checked");
    }

    let out = run_armario(&data, &key, &["restore", "latest"], "");
    assert!(out.status.success(), "{out:?}");
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".before-restore-"))
        .collect();
    assert!(!kept.is_empty(), "no kept copy in {:?}", tree(&data));
    for path in kept {
        assert_eq!(mode(&path), "600", "{}", path.display());
    }
    assert_eq!(mode(&data.join("armario.db")), "600", "restored in place");
    // Nothing of the runs stays behind.
    let scratch: Vec<_> = tree(&data)
        .into_iter()
        .filter(|p| p.starts_with("scratch") && *p != Path::new("scratch"))
        .collect();
    assert!(scratch.is_empty(), "{scratch:?}");
}

/// A killed local upload leaves `<name>.part` in the backups folder, and a restore killed
/// during its copy leaves `<dest>.restore-part`, a clear copy of a database. The next backup
/// sweeps stale parts (a fresh one, maybe another process's live upload, stays), and the next
/// restore to the same place removes its leftover instead of failing on it.
#[tokio::test]
async fn leftover_parts_of_killed_uploads_and_restores_are_swept() {
    let mut server = Server::spawn();
    server.owner().await;
    assert!(server.stop().success());
    let data = server.data_dir();
    let key = server.master_key.clone();
    let out = run_armario(&data, &key, &["backup", "now"], "");
    assert!(out.status.success(), "{out:?}");

    let backups = data.join("backups");
    let stale = backups.join("armario-20260101T000000000Z.bak.part");
    let fresh = backups.join("armario-20260101T000000001Z.bak.part");
    for part in [&stale, &fresh] {
        std::fs::write(part, b"sealed bytes of a killed upload").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let out = run_armario(&data, &key, &["backup", "now"], "");
    assert!(out.status.success(), "{out:?}");
    assert!(
        !stale.exists(),
        "the stale part stayed: {:?}",
        tree(&backups)
    );
    assert!(
        fresh.exists(),
        "a fresh part, maybe a live upload, was removed"
    );
    if server.database_url().is_some() {
        // A PostgreSQL store is restored into a database: no file of a restore to leave.
        return;
    }

    let dest = server.dir.path().join("copies").join("restored.db");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let leftover = server
        .dir
        .path()
        .join("copies")
        .join("restored.db.restore-part");
    std::fs::write(
        &leftover,
        b"SQLite format 3\0 clear copy of a killed restore",
    )
    .unwrap();
    let out = run_armario(
        &data,
        &key,
        &["restore", "latest", "--to", dest.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    assert!(dest.exists());
    assert!(!leftover.exists(), "the killed restore's copy stayed");
}
