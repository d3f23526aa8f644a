//! Retention, the server lock, one run at a time and the scheduler, on real databases.

use std::fs::OpenOptions;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::backup_support::*;
use armario::backup::{
    BackupError, BackupReport, BackupSelector, BackupStatus, RestoreOptions, RunRecorder,
};
use armario::datadir::LOCK_FILE;
use chrono::TimeZone;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_with_an_injected_clock_keeps_exactly_what_it_should() {
    each_target(|place| async move {
        let dir = tempfile::tempdir().unwrap();
        make_db(dir.path(), 10);
        let day0 = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 3, 0, 0).unwrap();
        let day = |n: i64| day0 + chrono::Duration::days(n);
        let clock = ManualClock::at(day0);
        let engine = engine(dir.path(), &place, &KEY).with_clock(clock.clone());
        let mut ids = Vec::new();
        for n in [0, 10, 20, 35] {
            clock.set(day(n));
            let report = engine.run_backup().await.unwrap();
            assert_eq!(report.status, BackupStatus::Succeeded, "{report:?}");
            ids.push(report.id.clone());
            if n == 35 {
                // At day 35 with 30 days' retention, day 0 goes and nothing else.
                assert_eq!(report.pruned, vec![ids[0].clone()]);
            } else {
                assert!(report.pruned.is_empty());
            }
        }
        let listed = |entries: Vec<armario::backup::BackupEntry>| {
            entries.into_iter().map(|e| e.id).collect::<Vec<_>>()
        };
        assert_eq!(listed(engine.list().await.unwrap()), ids[1..].to_vec());

        // Long after: everything is past retention, but the newest good backup stays.
        let pruned = engine.prune(day(100)).await.unwrap();
        assert_eq!(pruned.deleted, ids[1..3].to_vec());
        assert_eq!(listed(engine.list().await.unwrap()), vec![ids[3].clone()]);

        // A newer but incomplete backup (an upload cut before its manifest) does not count as
        // the newest good one, and goes once past retention.
        let broken = armario::backup::BackupId::generate(day(101));
        let stray = b"half an upload".to_vec();
        engine
            .target()
            .put_bytes(&broken.object_name(), stray)
            .await
            .unwrap();
        let pruned = engine.prune(day(200)).await.unwrap();
        assert_eq!(pruned.deleted, vec![broken]);
        assert_eq!(listed(engine.list().await.unwrap()), vec![ids[3].clone()]);
        engine.verify(&BackupSelector::Latest).await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_while_a_server_holds_the_lock_and_swaps_in_place_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(dir.path(), 500);
    let engine = engine(dir.path(), &Where::Local, &KEY);
    engine.run_backup().await.unwrap();
    let writer = open_writer(&db);
    writer
        .execute(
            "INSERT INTO companies(name) VALUES ('after the backup')",
            [],
        )
        .unwrap();

    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join(LOCK_FILE))
        .unwrap();
    lock.try_lock().unwrap();
    let before = db_state(&db);
    let err = engine
        .restore(&BackupSelector::Latest, &RestoreOptions::default())
        .await;
    let err = err.unwrap_err().to_string();
    assert!(
        err.contains("server is running") && err.contains(LOCK_FILE),
        "{err}"
    );
    assert!(db_state(&db) == before, "the live database changed");
    drop(lock);

    drop(writer); // the "server" stopped
    let done = engine
        .restore(&BackupSelector::Latest, &RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(done.restored_to, db);
    // No WAL or shared memory of the old database is left to be replayed onto the new one.
    assert!(!dir.path().join("armario.db-wal").exists());
    assert!(!dir.path().join("armario.db-shm").exists());
    assert_eq!(count(&db, "SELECT count(*) FROM companies"), 2);
    let previous = done.previous.expect("the old database is kept");
    assert!(previous
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("armario.db.before-restore-"));
    assert_eq!(count(&previous, "SELECT count(*) FROM companies"), 3);
    // A second restore right after keeps both earlier databases.
    let again = engine
        .restore(&BackupSelector::Latest, &RestoreOptions::default())
        .await;
    let again = again.unwrap().previous.unwrap();
    assert_ne!(again, previous);
    assert_eq!(count(&previous, "SELECT count(*) FROM companies"), 3);
    assert_eq!(count(&again, "SELECT count(*) FROM companies"), 2);
}

/// The runs recorded, and the ones the scheduler then asked to verify.
struct Recorded(Mutex<Vec<BackupReport>>, Mutex<Vec<BackupReport>>);

impl RunRecorder for Recorded {
    async fn take_turn(
        &self,
        _since: chrono::DateTime<chrono::Utc>,
    ) -> Option<armario::backup::Turn> {
        Some(Box::new(()))
    }

    async fn record(&self, report: &BackupReport) {
        self.0.lock().unwrap().push(report.clone());
    }

    async fn verify(&self, report: &BackupReport) {
        self.1.lock().unwrap().push(report.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_catches_up_at_start_and_records_the_run() {
    let dir = tempfile::tempdir().unwrap();
    make_db(dir.path(), 10);
    let engine = Arc::new(engine(dir.path(), &Where::Local, &KEY));
    let recorded = Arc::new(Recorded(Mutex::new(Vec::new()), Mutex::new(Vec::new())));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(armario::backup::run_scheduler(
        engine.clone(),
        recorded.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    for _ in 0..200 {
        if !recorded.1.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(()).unwrap();
    task.await.unwrap();
    let runs = recorded.0.lock().unwrap().clone();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, BackupStatus::Succeeded);
    // The run it recorded is the one it then verified.
    let verified = recorded.1.lock().unwrap().clone();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].id, runs[0].id);
    // A second engine call while none runs works; the catch-up made a complete backup.
    assert!(engine.latest_good().await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_backup_runs_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    make_db(dir.path(), 1_000);
    let engine = engine(dir.path(), &Where::Local, &KEY);
    let (first, second) = tokio::join!(engine.run_backup(), engine.run_backup());
    assert_eq!(first.unwrap().status, BackupStatus::Succeeded);
    assert!(
        matches!(second, Err(BackupError::AlreadyRunning)),
        "{second:?}"
    );
    // Once the first is done, the next one runs.
    assert_eq!(
        engine.run_backup().await.unwrap().status,
        BackupStatus::Succeeded
    );
}
