//! The backup engine against a real WAL database, on a local directory and on real
//! S3-compatible servers (moto and s3s-fs) on loopback.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::backup_support::*;
use armario::backup::{
    BackupConfig, BackupEngine, BackupSelector, BackupStatus, RestoreOptions, Secret,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_during_writes_restores_every_acknowledged_write() {
    each_target(|place| async move {
        let dir = tempfile::tempdir().unwrap();
        let db = make_db(dir.path(), 60_000);
        // 12 MiB that zstd cannot shrink, so the S3 upload goes up in several parts.
        open_writer(&db)
            .execute_batch(
                "CREATE TABLE attachments(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3072)
                 INSERT INTO attachments(data) SELECT randomblob(4096) FROM n;",
            )
            .unwrap();
        let engine = engine(dir.path(), &place, &KEY);

        let acked = Arc::new(AtomicI64::new(count(&db, "SELECT max(id) FROM events")));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, acked, stop) = (db.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let conn = open_writer(&db);
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    conn.execute("INSERT INTO events(payload) VALUES (?1)", [payload(i)])
                        .unwrap();
                    acked.store(conn.last_insert_rowid(), Ordering::SeqCst);
                    i += 1;
                }
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        let acked_before = acked.load(Ordering::SeqCst);
        let report = engine.run_backup().await.unwrap();
        let acked_after = acked.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        assert_eq!(report.status, BackupStatus::Succeeded, "{report:?}");
        assert!(report.size.unwrap() > 12 << 20, "{report:?}");
        let object_name = report.object_name.clone().unwrap();
        assert!(
            object_name.ends_with(&report.id.object_name()),
            "{object_name}"
        );
        if let Where::S3 { .. } = place {
            assert!(object_name.starts_with("prod/armario/"), "{object_name}");
        }
        assert!(
            acked_after > acked_before,
            "the writer was blocked during the backup ({acked_before} → {acked_after})"
        );

        let verified = engine.verify(&BackupSelector::Latest).await.unwrap();
        assert_eq!(verified.manifest.id, report.id);
        assert_eq!(verified.manifest.schema_version, 3);
        assert_eq!(verified.manifest.key_id, master_key(&KEY).id());
        let in_snapshot = verified.manifest.row_counts["events"] as i64;
        assert!(
            in_snapshot >= acked_before,
            "{in_snapshot} < {acked_before}"
        );

        let restored = dir.path().join("restored.db");
        let options = RestoreOptions {
            to: Some(restored.clone()),
            ..Default::default()
        };
        let done = engine
            .restore(&BackupSelector::Id(report.id.to_string()), &options)
            .await
            .unwrap();
        assert_eq!(done.restored_to, restored);
        let check: String = rusqlite::Connection::open(&restored)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let sql = format!("SELECT count(*) FROM events WHERE id <= {acked_before}");
        assert_eq!(
            count(&restored, &sql),
            acked_before,
            "acknowledged writes lost"
        );
        assert_eq!(count(&restored, "SELECT count(*) FROM events"), in_snapshot);
    })
    .await;
}

/// Breaks the stored backup one way, checks verify and restore name the failure and leave the
/// live database untouched, then puts the original bytes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_backups_fail_verify_and_restore_with_the_reason() {
    each_target(|place| async move {
        let dir = tempfile::tempdir().unwrap();
        let db = make_db(dir.path(), 3_000);
        let engine = engine(dir.path(), &place, &KEY);
        let report = engine.run_backup().await.unwrap();
        assert_eq!(report.status, BackupStatus::Succeeded, "{report:?}");
        let id = report.id.clone();
        let (object, manifest) = (id.object_name(), id.manifest_name());
        let target = engine.target();
        let original = target.get_bytes(&object).await.unwrap().unwrap();
        let original_manifest = target.get_bytes(&manifest).await.unwrap().unwrap();
        // Changes after the backup, so a wrongful restore would be visible.
        open_writer(&db)
            .execute("INSERT INTO companies(name) VALUES ('after')", [])
            .unwrap();
        let before = db_state(&db);

        let mut flipped = original.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x01;
        let truncated = original[..original.len() - 1000].to_vec();
        let wrong_key = engine_with_key(&engine, &place, &OTHER_KEY);
        let damage = |case, object, keep_manifest, engine, expected| Damage {
            case,
            object,
            keep_manifest,
            engine,
            expected,
        };
        let cases = vec![
            damage(
                "flipped byte",
                Some(flipped),
                true,
                &engine,
                "checksum mismatch",
            ),
            damage("missing manifest", None, false, &engine, "manifest missing"),
            damage("wrong key", None, true, &wrong_key, "wrong master key"),
            damage(
                "truncated upload",
                Some(truncated),
                true,
                &engine,
                "truncated object",
            ),
        ];
        for Damage {
            case,
            object: object_bytes,
            keep_manifest,
            engine,
            expected,
        } in cases
        {
            if let Some(bytes) = object_bytes {
                target.put_bytes(&object, bytes).await.unwrap();
            }
            if !keep_manifest {
                target.delete(&manifest).await.unwrap();
            }
            for selector in [BackupSelector::Latest, BackupSelector::Id(id.to_string())] {
                if case == "missing manifest" && selector == BackupSelector::Latest {
                    continue; // without its manifest the backup is not "latest": see below
                }
                let err = engine.verify(&selector).await.unwrap_err().to_string();
                assert!(err.contains(expected), "{case}: verify said {err:?}");
                let err = engine.restore(&selector, &RestoreOptions::default()).await;
                let err = err.unwrap_err().to_string();
                assert!(err.contains(expected), "{case}: restore said {err:?}");
                assert!(db_state(&db) == before, "{case}: the live database changed");
            }
            target.put_bytes(&object, original.clone()).await.unwrap();
            target
                .put_bytes(&manifest, original_manifest.clone())
                .await
                .unwrap();
        }
        // An object without a manifest is not a backup: "latest" finds none.
        target.delete(&manifest).await.unwrap();
        let err = engine
            .verify(&BackupSelector::Latest)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("no backups found"), "{err}");
        target
            .put_bytes(&manifest, original_manifest)
            .await
            .unwrap();
        engine.verify(&BackupSelector::Latest).await.unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with('.') || n.contains("before-restore"))
            .collect();
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    })
    .await;
}

/// One way of damaging a stored backup and the words the failure must contain.
struct Damage<'a> {
    case: &'static str,
    object: Option<Vec<u8>>,
    keep_manifest: bool,
    engine: &'a BackupEngine,
    expected: &'static str,
}

fn engine_with_key(base: &BackupEngine, place: &Where, key: &[u8; 32]) -> BackupEngine {
    let other_dir = tempfile::tempdir().unwrap().keep();
    let config = match place {
        Where::Local => BackupConfig {
            local_dir: Some(base.data_dir().join("backups")),
            ..Default::default()
        },
        Where::S3 { store, prefix } => store.config(prefix),
    };
    BackupEngine::new(
        &other_dir,
        config.resolve(&other_dir).unwrap(),
        &master_key(key),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_file_verifies_only_with_its_manifest_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    make_db(dir.path(), 100);
    let engine = engine(dir.path(), &Where::Local, &KEY);
    let report = engine.run_backup().await.unwrap();
    let object = dir.path().join("backups").join(report.id.object_name());
    let copy = dir.path().join("copy.db.zst.enc");
    std::fs::copy(&object, &copy).unwrap();
    let selector = BackupSelector::parse(copy.to_str().unwrap());
    let err = engine.verify(&selector).await.unwrap_err().to_string();
    assert!(err.contains("manifest missing"), "{err}");
    let manifest = dir.path().join("backups").join(report.id.manifest_name());
    std::fs::copy(manifest, format!("{}.manifest.json", copy.display())).unwrap();
    let verified = engine.verify(&selector).await.unwrap();
    assert_eq!(verified.manifest.id, report.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_fails_the_run_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    make_db(dir.path(), 10);
    // Nothing listens on a port we bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = BackupConfig {
        target: Some("s3".into()),
        s3_endpoint: Some(format!("http://127.0.0.1:{port}")),
        s3_region: Some("us-east-1".into()),
        s3_bucket: Some("nowhere".into()),
        s3_path_style: Some(true),
        s3_access_key: Some("k".into()),
        s3_secret_key: Some(Secret::new("s")),
        ..Default::default()
    };
    let engine = BackupEngine::new(
        dir.path(),
        config.resolve(dir.path()).unwrap(),
        &master_key(&KEY),
    )
    .unwrap();
    let report = engine.run_backup().await.unwrap();
    assert_eq!(report.status, BackupStatus::Failed);
    let error = report.error.unwrap();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(error.to_lowercase().contains("connect"), "{error}");
    assert!(report.size.is_none() && report.object_name.is_none());

    // A local directory that cannot be created: its path runs through a regular file.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();
    let config = BackupConfig {
        local_dir: Some(blocker.join("backups")),
        ..Default::default()
    };
    let engine = BackupEngine::new(
        dir.path(),
        config.resolve(dir.path()).unwrap(),
        &master_key(&KEY),
    )
    .unwrap();
    let report = engine.run_backup().await.unwrap();
    assert_eq!(report.status, BackupStatus::Failed);
    let error = report.error.unwrap();
    assert!(
        error.contains("not-a-dir") && error.contains("ot a directory"),
        "{error}"
    );
    // Nothing half-done stays in the data directory.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().starts_with('.')),
        "{names:?}"
    );
}

/// A manifest of 20,000 company keys (about 1.5 MB): its key id is read from its first bytes,
/// so damage past them does not matter; a manifest whose key id comes after the keys is read
/// whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_id_is_read_from_a_manifests_first_bytes() {
    each_target(|place| async move {
        let dir = tempfile::tempdir().unwrap();
        make_db(dir.path(), 10);
        let engine = engine(dir.path(), &place, &KEY);
        let id = engine.run_backup().await.unwrap().id;
        let key_id = engine.manifest(&id).await.unwrap().key_id;
        let name = id.manifest_name();
        let stored = engine.target().get_bytes(&name).await.unwrap().unwrap();
        let mut fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&stored).unwrap();
        let keys: serde_json::Map<_, _> = (0..20_000)
            .map(|i| (format!("cmp_{i:032x}"), "sealed-key-".repeat(4).into()))
            .collect();
        fields.insert("company_keys".into(), keys.into());
        let mut big = serde_json::to_vec_pretty(&fields).unwrap();
        assert!(big.len() > 1 << 20, "{place}: {}", big.len());
        big.truncate(big.len() - 100);
        engine.target().put_bytes(&name, big).await.unwrap();
        let err = engine.manifest(&id).await.unwrap_err().to_string();
        assert!(err.contains("invalid"), "{place}: {err}");
        assert_eq!(
            engine.manifest_key_id(&id).await.unwrap(),
            key_id,
            "{place}"
        );

        let moved = fields.shift_remove("key_id").unwrap();
        fields.insert("key_id".into(), moved);
        let late = serde_json::to_vec_pretty(&fields).unwrap();
        engine.target().put_bytes(&name, late).await.unwrap();
        assert_eq!(
            engine.manifest_key_id(&id).await.unwrap(),
            key_id,
            "{place}"
        );

        engine.target().delete(&name).await.unwrap();
        let err = engine.manifest_key_id(&id).await.unwrap_err().to_string();
        assert!(err.contains("manifest missing"), "{place}: {err}");
    })
    .await;
}
