//! Backups taken by earlier versions must keep verifying and restoring: `tests/fixtures/backup-v1`
//! holds one, taken with the master key `07…07` (32 bytes of 7) before the backup engine shared
//! the crate's master key, key ids and data-directory names. Its key id and HKDF label are
//! pinned here on purpose: change either and every backup in the field becomes unreadable.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::backup_support::*;
use armario::backup::{BackupSelector, RestoreOptions};

/// The key id `armario/key-id/v1` gives the fixture's master key (`[7; 32]`).
const FIXTURE_KEY_ID: &str = "86edbb24";
/// Rows the fixture database holds (`make_db(.., 20)`).
const FIXTURE_EVENTS: i64 = 20;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backup-v1")
}

/// A data directory whose local backup target holds a copy of the fixture.
fn data_dir_with_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    for entry in std::fs::read_dir(fixture_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), backups.join(entry.file_name())).unwrap();
    }
    dir
}

/// The master key of the fixture, as an operator passes it.
fn fixture_key_hex() -> String {
    hex::encode(KEY)
}

#[tokio::test]
async fn a_backup_from_before_still_verifies_and_restores() {
    let dir = data_dir_with_fixture();
    let engine = engine(dir.path(), &Where::Local, &KEY);
    assert_eq!(engine.key_id(), FIXTURE_KEY_ID);

    let verified = engine.verify(&BackupSelector::Latest).await.unwrap();
    assert_eq!(verified.manifest.key_id, FIXTURE_KEY_ID);
    assert_eq!(
        verified.manifest.row_counts["events"],
        FIXTURE_EVENTS as u64
    );

    let to = dir.path().join("restored.db");
    let options = RestoreOptions {
        to: Some(to.clone()),
        ..Default::default()
    };
    let restored = engine
        .restore(&BackupSelector::Latest, &options)
        .await
        .unwrap();
    assert_eq!(restored.restored_to, to);
    assert_eq!(count(&to, "SELECT count(*) FROM events"), FIXTURE_EVENTS);
    let name: String = rusqlite::Connection::open(&to)
        .unwrap()
        .query_row("SELECT name FROM companies WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Oficina do Zé");
}

#[test]
fn the_cli_verifies_and_restores_a_backup_from_before_with_the_master_key() {
    let dir = data_dir_with_fixture();
    let armario = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_armario"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("ARMARIO_MASTER_KEY", fixture_key_hex())
            .env_remove("ARMARIO_CONFIG")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "armario {args:?}: {text}");
        text
    };
    let verified = armario(&["backup", "verify", "latest"]);
    assert!(verified.contains("is good"), "{verified}");
    // Verifying on a machine with no database yet records nothing and creates none.
    assert!(!dir.path().join("armario.db").exists());
    // Restored beside the data directory: the fixture's toy schema has no audit table for the
    // event a restore in place records.
    let db = dir.path().join("restored.db");
    armario(&["restore", "latest", "--to", db.to_str().unwrap()]);
    assert_eq!(count(&db, "SELECT count(*) FROM events"), FIXTURE_EVENTS);
}
