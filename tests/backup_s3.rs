//! Backups on two S3 implementations that answer differently: moto (when installed; moto before
//! 5.2.5 names the multipart completion's answer `CompleteMultipartUploadResponse`) and s3s-fs
//! in-process, which checks SigV4 signatures. Objects over 8 MiB go up as multipart uploads.

use std::path::Path;
use std::sync::Arc;

use crate::backup_support::*;
use armario::backup::{BackupEngine, BackupSelector, BackupStatus};

/// A database whose sealed backup is about 12 MiB: random blobs zstd cannot shrink.
fn make_big_db(dir: &Path) {
    let db = make_db(dir, 1_000);
    open_writer(&db)
        .execute_batch(
            "CREATE TABLE attachments(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3072)
             INSERT INTO attachments(data) SELECT randomblob(4096) FROM n;",
        )
        .unwrap();
}

fn s3_engine(dir: &Path, store: &S3Store, prefix: &str, secret: &str) -> BackupEngine {
    let config = store.config_with_secret(prefix, secret);
    BackupEngine::new(dir, config.resolve(dir).unwrap(), &master_key(&KEY)).unwrap()
}

/// The bucket as rust-s3 sees it with the right credentials.
fn bucket(store: &S3Store) -> Box<s3::Bucket> {
    let region = s3::Region::Custom {
        region: "us-east-1".into(),
        endpoint: store.endpoint.clone(),
    };
    let credentials =
        s3::creds::Credentials::new(Some(ACCESS_KEY), Some(SECRET_KEY), None, None, None).unwrap();
    s3::Bucket::new(&store.bucket, region, credentials)
        .unwrap()
        .with_path_style()
}

/// Objects under `prefix`, and multipart uploads still open (moto lists them; s3s-fs keeps
/// them as `.upload*` files beside its buckets).
async fn leftovers(store: &S3Store, prefix: &str) -> (Vec<String>, Vec<String>) {
    let bucket = bucket(store);
    let objects = bucket
        .list(prefix.to_string(), None)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|page| page.contents)
        .map(|o| o.key)
        .collect();
    let uploads = match store.root() {
        Some(root) => std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".upload"))
            .collect(),
        None => bucket
            .list_multiparts_uploads(Some(prefix), None)
            .await
            .unwrap()
            .into_iter()
            .flat_map(|page| page.uploads)
            .map(|u| u.key)
            .collect(),
    };
    (objects, uploads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_over_8_mib_is_stored_whole_on_each_s3_store() {
    let dir = tempfile::tempdir().unwrap();
    make_big_db(dir.path());
    for store in s3_stores().await {
        let kind = store.kind;
        let prefix = format!("big-{kind}/");
        let engine = s3_engine(dir.path(), &store, &prefix, SECRET_KEY);
        let report = engine.run_backup().await.unwrap();
        assert_eq!(report.status, BackupStatus::Succeeded, "{kind}: {report:?}");
        assert!(report.size.unwrap() > 12 << 20, "{kind}: {report:?}");
        let entries = engine.list().await.unwrap();
        assert_eq!(entries.len(), 1, "{kind}: {entries:?}");
        assert!(entries[0].is_complete(), "{kind}: {entries:?}");
        assert_eq!(
            entries[0].object.as_ref().unwrap().size,
            report.size.unwrap()
        );
        let verified = engine.verify(&BackupSelector::Latest).await.unwrap();
        assert_eq!(verified.manifest.id, report.id, "{kind}");
        let (objects, uploads) = leftovers(&store, &prefix).await;
        assert_eq!(objects.len(), 2, "{kind}: {objects:?}");
        assert!(uploads.is_empty(), "{kind}: open uploads {uploads:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_key_fails_with_a_clear_reason_and_leaves_nothing() {
    let store = Arc::new(S3Store::s3s_fs().await);
    for (case, rows_big) in [("multipart", true), ("single request", false)] {
        let dir = tempfile::tempdir().unwrap();
        if rows_big {
            make_big_db(dir.path());
        } else {
            make_db(dir.path(), 100);
        }
        let prefix = format!("wrong-{}/", if rows_big { "big" } else { "small" });
        let engine = s3_engine(dir.path(), &store, &prefix, "not-the-secret");
        let report = engine.run_backup().await.unwrap();
        assert_eq!(report.status, BackupStatus::Failed, "{case}: {report:?}");
        let error = report.error.unwrap();
        for needle in [store.endpoint.as_str(), "403", "SignatureDoesNotMatch"] {
            assert!(error.contains(needle), "{case}: {needle:?} not in {error}");
        }
        assert!(
            !error.contains("not-the-secret"),
            "{case}: the secret is in {error}"
        );
        let (objects, uploads) = leftovers(&store, &prefix).await;
        assert!(objects.is_empty(), "{case}: left {objects:?}");
        assert!(uploads.is_empty(), "{case}: left uploads {uploads:?}");
        // Nothing stays in the data directory's scratch space either.
        let scratch = dir.path().join("scratch");
        let left: Vec<_> = std::fs::read_dir(&scratch)
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{case}: scratch holds {left:?}");
    }
}
