//! Group commit: batching, a failing write inside a batch, switching it off, and the order
//! of after-commit steps, on a real SQLite file.

use super::*;

fn writer(batching: Batching) -> (Writer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("w.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT NOT NULL);",
    )
    .unwrap();
    let health = Arc::new(StorageHealth::default());
    (Writer::spawn(conn, health, batching, |_| Ok(())), dir)
}

fn insert(n: i64) -> impl FnMut(&crate::db::Db<'_>) -> DomainResult<i64> + Send + 'static {
    move |tx| {
        tx.execute("INSERT INTO t (n, v) VALUES (?1, 'x')", [n])?;
        Ok(n)
    }
}

async fn count(w: &Writer) -> i64 {
    w.run(
        |tx| Ok(tx.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?),
        |_| Ok(()),
    )
    .await
    .unwrap()
}

/// Occupies the writer with a job that waits for the returned sender, so that writes sent
/// meanwhile queue up behind it and meet in batches.
async fn hold(
    w: &Writer,
) -> (
    std::sync::mpsc::Sender<()>,
    tokio::task::JoinHandle<DomainResult<i64>>,
) {
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let w = w.clone();
    let blocker = tokio::spawn(async move {
        w.run(
            move |_| {
                let _ = wait.recv_timeout(std::time::Duration::from_secs(5));
                Ok(0)
            },
            |_| Ok(()),
        )
        .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    (go, blocker)
}

/// Holds the writer busy while `n` jobs queue behind it, so they meet in batches.
async fn burst(w: &Writer, n: i64, failing: i64) -> Vec<DomainResult<i64>> {
    let (go, blocker) = hold(w).await;
    let jobs: Vec<_> = (1..=n)
        .map(|i| {
            let w = w.clone();
            tokio::spawn(async move {
                if i == failing {
                    // Writes a row, then fails: its savepoint must take the row back.
                    w.run(
                        move |tx| {
                            insert(i)(tx)?;
                            Err(DomainError::invalid("v", "refused on purpose"))
                        },
                        |_| Ok(()),
                    )
                    .await
                } else {
                    w.run(insert(i), |_| Ok(())).await
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    go.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    let mut out = Vec::new();
    for j in jobs {
        out.push(j.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_writes_commit_together_and_a_failing_one_rolls_back_alone() {
    let (w, _dir) = writer(Batching::new(64));
    let results = burst(&w, 40, 17).await;
    for (i, r) in results.iter().enumerate() {
        let n = i as i64 + 1;
        match r {
            Ok(v) => assert_eq!(*v, n),
            Err(DomainError::Invalid { field, .. }) if n == 17 => assert_eq!(field, "v"),
            other => panic!("write {n}: {other:?}"),
        }
    }
    assert_eq!(count(&w).await, 39, "the failing write's row stayed");
    // It failed having written a row: its batch was undone and run again, once.
    assert_eq!(w.health().replays(), 1);
    let (batches, jobs) = w.health().batches();
    // The blocker, the 40 writes and the count: 42 jobs, far fewer transactions.
    assert_eq!(jobs, 42);
    assert!(batches <= 4, "{batches} transactions for {jobs} writes");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switched_off_each_write_is_its_own_transaction() {
    let (w, _dir) = writer(Batching::OFF);
    let results = burst(&w, 10, 3).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 9);
    assert_eq!(count(&w).await, 9);
    assert_eq!(w.health().batches(), (12, 12));
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_clash_inside_a_batch_is_that_writes_conflict_only() {
    let (w, _dir) = writer(Batching::new(64));
    // Write 5 twice in one burst: the second is a conflict, the rest commit.
    let (go, blocker) = hold(&w).await;
    let mut jobs = Vec::new();
    for n in [4, 5, 5, 6] {
        let w = w.clone();
        jobs.push(tokio::spawn(
            async move { w.run(insert(n), |_| Ok(())).await },
        ));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    go.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    let mut outcomes = Vec::new();
    for j in jobs {
        outcomes.push(j.await.unwrap());
    }
    assert!(matches!(outcomes[0], Ok(4)));
    assert!(matches!(outcomes[1], Ok(5)));
    assert!(
        matches!(outcomes[2], Err(DomainError::Conflict { .. })),
        "{:?}",
        outcomes[2]
    );
    assert!(matches!(outcomes[3], Ok(6)));
    assert_eq!(count(&w).await, 3);
    // The clashing insert undid itself: the batch went on without being run again.
    assert_eq!(w.health().replays(), 0);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_batch_answers_each_write_with_its_last_run() {
    let (w, _dir) = writer(Batching::new(64));
    let (go, blocker) = hold(&w).await;
    let runs = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let mut jobs = Vec::new();
    for n in 1..=3 {
        let (w, runs) = (w.clone(), runs.clone());
        jobs.push(tokio::spawn(async move {
            w.run(
                move |tx| {
                    let run = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tx.execute("INSERT INTO t (n, v) VALUES (?1, ?2)", (n, run.to_string()))?;
                    if n == 2 {
                        return Err(DomainError::invalid("v", "refused after writing"));
                    }
                    Ok(run)
                },
                |_| Ok(()),
            )
            .await
        }));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    go.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    let mut outcomes = Vec::new();
    for j in jobs {
        outcomes.push(j.await.unwrap());
    }
    // First pass: runs 0 and 1, then the replay: runs 2 (write 1) and 3 (write 2, refused
    // again), and write 3 runs once, as 4.
    assert!(matches!(outcomes[0], Ok(2)), "{:?}", outcomes[0]);
    assert!(matches!(outcomes[1], Err(DomainError::Invalid { .. })));
    assert!(matches!(outcomes[2], Ok(4)), "{:?}", outcomes[2]);
    let rows: Vec<(i64, String)> = w
        .run(
            |tx| {
                let mut stmt = tx.prepare("SELECT n, v FROM t ORDER BY n")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            },
            |_| Ok(()),
        )
        .await
        .unwrap();
    assert_eq!(rows, vec![(1, "2".to_string()), (3, "4".to_string())]);
    assert_eq!(w.health().replays(), 1);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_commit_steps_run_in_commit_order() {
    let (w, _dir) = writer(Batching::new(64));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut jobs = Vec::new();
    for n in 1..=20 {
        let (w, seen) = (w.clone(), seen.clone());
        jobs.push(tokio::spawn(async move {
            w.run(insert(n), move |conn| {
                // The step sees its own write committed.
                let v: i64 = conn.query_row("SELECT n FROM t WHERE n = ?1", [n], |r| r.get(0))?;
                seen.lock().unwrap().push(v);
                Ok(())
            })
            .await
        }));
    }
    for j in jobs {
        j.await.unwrap().unwrap();
    }
    assert_eq!(seen.lock().unwrap().len(), 20);
    w.close().await;
}
