//! A read aside that nobody waits for any more stops, and gives its connection back.

use std::time::Duration;

use super::*;

/// Counts without end: only an interrupt stops it.
const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n";

fn store(dir: &tempfile::TempDir) -> Store {
    // One reader: a read that kept its connection would leave none for the next.
    Store::open(
        &dir.path().join("aside.db"),
        Synchronous::Normal,
        1,
        Batching::OFF,
        None,
    )
    .unwrap()
}

#[tokio::test]
async fn an_abandoned_read_is_interrupted_and_frees_its_connection() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let endless = store.read_aside(|c| Ok(c.query_row(ENDLESS, [], |r| r.get::<_, i64>(0))?));
    // Long enough for the thread to take the connection and start counting.
    let waited = tokio::time::timeout(Duration::from_millis(300), endless).await;
    assert!(waited.is_err(), "the endless read answered");
    let next = tokio::time::timeout(
        Duration::from_secs(20),
        store.read(|c| Ok(c.query_row("SELECT 42", [], |r| r.get::<_, i64>(0))?)),
    )
    .await
    .expect("the abandoned read still holds the only connection");
    assert_eq!(next.unwrap(), 42);
}

#[tokio::test]
async fn a_read_that_answered_leaves_later_reads_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let first = store
        .read_aside(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await
        .unwrap();
    assert_eq!(first, 1);
    // The same connection, now serving an ordinary read of some length: nothing interrupts it.
    let counted = store
        .read(|c| {
            Ok(c.query_row(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
                 SELECT count(*) FROM n",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(counted, 200_000);
}
