//! The single writer: a dedicated OS thread owning the writing connection, fed by a channel.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use crate::error::{DomainError, DomainResult};

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

#[derive(Clone)]
pub(super) struct Writer {
    jobs: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
    done: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
}

const QUEUE: usize = 1024;

impl Writer {
    pub(super) fn spawn(mut conn: Connection) -> Self {
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
        }
    }

    pub(super) async fn run<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> DomainResult<T> + Send + 'static,
    {
        let sender = self
            .jobs
            .lock()
            .expect("writer lock")
            .clone()
            .ok_or_else(|| DomainError::Internal("the store is closed".into()))?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn: &mut Connection| {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            }));
            let result = outcome.unwrap_or_else(|_| {
                Err(DomainError::Internal("a write transaction panicked".into()))
            });
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

    pub(super) async fn close(&self) {
        self.jobs.lock().expect("writer lock").take();
        let done = self.done.lock().expect("writer lock").take();
        if let Some(done) = done {
            let _ = done.await;
        }
    }
}
