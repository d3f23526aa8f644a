//! The single writer: a dedicated OS thread owning the writing connection, fed by a channel.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::storage_health::{is_out_of_space, last_error_is_out_of_space, StorageHealth};
use crate::error::{DomainError, DomainResult};

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

#[derive(Clone)]
pub(super) struct Writer {
    jobs: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
    done: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
    health: Arc<StorageHealth>,
}

const QUEUE: usize = 1024;

impl Writer {
    pub(super) fn spawn(mut conn: Connection, health: Arc<StorageHealth>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let (done_tx, done_rx) = oneshot::channel();
        std::thread::Builder::new()
            .name("armario-writer".into())
            .spawn(move || {
                while let Some(job) = rx.blocking_recv() {
                    job(&mut conn);
                }
                if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
                    tracing::warn!(error = %e, "checkpoint at close failed");
                }
                drop(conn);
                let _ = done_tx.send(());
            })
            .expect("spawning the writer thread");
        Self {
            jobs: Arc::new(Mutex::new(Some(tx))),
            done: Arc::new(Mutex::new(Some(done_rx))),
            health,
        }
    }

    /// Runs `f` in one transaction; after a commit, `after` runs on the same thread before
    /// the next job, so whatever it derives from the data follows commit order.
    pub(super) async fn run<T, F, A>(&self, f: F, after: A) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Connection) -> DomainResult<()> + Send + 'static,
    {
        let sender = self
            .jobs
            .lock()
            .expect("writer lock")
            .clone()
            .ok_or_else(|| DomainError::Internal("the store is closed".into()))?;
        let (reply, answer) = oneshot::channel();
        let health = self.health.clone();
        let job: Job = Box::new(move |conn: &mut Connection| {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let value = transact(conn, f)?;
                after(conn)?;
                Ok(value)
            }));
            let result = outcome.unwrap_or_else(|_| {
                Err(DomainError::Internal("a write transaction panicked".into()))
            });
            match &result {
                Ok(_) => health.record_ok(),
                Err(DomainError::StorageFull(detail)) => health.record_full(detail),
                Err(_) => {}
            }
            let _ = reply.send(result);
        });
        sender
            .send(job)
            .await
            .map_err(|_| DomainError::Internal("the store is closed".into()))?;
        answer
            .await
            .map_err(|_| DomainError::Internal("the writer stopped".into()))?
    }

    pub(super) fn health(&self) -> &Arc<StorageHealth> {
        &self.health
    }

    pub(super) async fn close(&self) {
        self.jobs.lock().expect("writer lock").take();
        let done = self.done.lock().expect("writer lock").take();
        if let Some(done) = done {
            let _ = done.await;
        }
    }
}

/// One `BEGIN IMMEDIATE` transaction. A failure for lack of space becomes `StorageFull`
/// whatever the caller turned it into, so every write path answers it the same way.
fn transact<T, F>(conn: &mut Connection, f: F) -> DomainResult<T>
where
    F: FnOnce(&Transaction<'_>) -> DomainResult<T>,
{
    let full = |e: rusqlite::Error, conn: &Connection| {
        if is_out_of_space(conn, &e) {
            DomainError::StorageFull(e.to_string())
        } else {
            DomainError::from(e)
        }
    };
    // BEGIN writes nothing to the file; `From` already turns SQLITE_FULL into `StorageFull`.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = match f(&tx) {
        Ok(value) => value,
        // Read the connection's error while the failed statement is still its last call.
        Err(DomainError::Internal(detail)) if last_error_is_out_of_space(&tx) => {
            return Err(DomainError::StorageFull(detail))
        }
        Err(e) => return Err(e),
    };
    // `commit` consumes the transaction and rolls back on failure: the error value carries the
    // code, and SQLite keeps the errno of the failed I/O for `full` to read.
    match tx.commit() {
        Ok(()) => Ok(value),
        Err(e) => Err(full(e, conn)),
    }
}
