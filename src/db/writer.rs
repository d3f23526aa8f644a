//! The single writer: a dedicated OS thread owning the writing connection, fed by a channel.
//!
//! Group commit: the thread takes the jobs already waiting in its queue (up to a count, and
//! for at most a short time) and runs them in one `BEGIN IMMEDIATE` transaction, each inside
//! its own savepoint. A job that fails rolls back its savepoint alone and gets its own error;
//! the others commit together, so a burst of writers pays one fsync instead of one each. A
//! job is answered only after its batch has committed. The thread never waits for more jobs
//! to arrive: a lone write commits at once, as without batching.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::kept::Generation;
use super::storage_health::{is_out_of_space, last_error_is_out_of_space, StorageHealth};
use crate::error::{DomainError, DomainResult};

/// What a job leaves for after its batch's commit: given the commit's outcome and the
/// connection, it runs the job's after-commit step and answers the caller.
type Finish = Box<dyn FnOnce(&Connection, Result<(), BatchError>) + Send>;
/// A job runs inside its savepoint in the batch's transaction (or is told why none opened);
/// `Ok` releases the savepoint, `Err` rolls it back.
type Job = Box<dyn FnOnce(Result<&Transaction<'_>, BatchError>) -> Result<Finish, Finish> + Send>;

/// Why a whole batch failed, given to each of its jobs as its own error.
#[derive(Clone, Debug)]
enum BatchError {
    Full(String),
    Other(String),
}

impl BatchError {
    fn from_sqlite(conn: &Connection, e: rusqlite::Error) -> Self {
        if is_out_of_space(conn, &e) {
            return Self::Full(e.to_string());
        }
        match DomainError::from(e) {
            DomainError::StorageFull(detail) => Self::Full(detail),
            other => Self::Other(other.to_string()),
        }
    }

    fn into_domain(self) -> DomainError {
        match self {
            Self::Full(detail) => DomainError::StorageFull(detail),
            Self::Other(detail) => DomainError::Internal(detail),
        }
    }
}

/// How many waiting jobs one transaction takes, and for how long it keeps taking more.
#[derive(Clone, Copy, Debug)]
pub struct Batching {
    pub max_jobs: usize,
    pub max_time: Duration,
}

impl Batching {
    /// One job per transaction: the behaviour without group commit.
    pub const OFF: Batching = Batching {
        max_jobs: 1,
        max_time: Duration::ZERO,
    };

    pub fn new(max_jobs: u32) -> Self {
        Self {
            max_jobs: max_jobs.clamp(1, 1024) as usize,
            max_time: Duration::from_millis(10),
        }
    }
}

#[derive(Clone)]
pub(super) struct Writer {
    jobs: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
    done: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
    health: Arc<StorageHealth>,
    generation: Generation,
}

const QUEUE: usize = 1024;

impl Writer {
    pub(super) fn spawn(conn: Connection, health: Arc<StorageHealth>, batching: Batching) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let (done_tx, done_rx) = oneshot::channel();
        let thread_health = health.clone();
        let generation = Generation::default();
        let commits = generation.clone();
        std::thread::Builder::new()
            .name("armario-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    run_batch(&conn, first, &mut rx, batching, &thread_health, &commits);
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
            generation,
        }
    }

    /// The count of commits, which retires rows kept in memory (`kept`).
    pub(super) fn generation(&self) -> &Generation {
        &self.generation
    }

    /// Runs `f` in the writer's transaction; after the commit, `after` runs on the same
    /// thread before any later job's, so whatever it derives from the data follows commit
    /// order.
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
        let answer_with = move |result: DomainResult<T>| {
            match &result {
                Ok(_) => health.record_ok(),
                Err(DomainError::StorageFull(detail)) => health.record_full(detail),
                Err(_) => {}
            }
            let _ = reply.send(result);
        };
        let job: Job = Box::new(move |tx: Result<&Transaction<'_>, BatchError>| {
            let tx = match tx {
                Ok(tx) => tx,
                Err(e) => {
                    return Err(
                        Box::new(move |_: &Connection, _| answer_with(Err(e.into_domain())))
                            as Finish,
                    )
                }
            };
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match f(tx) {
                Ok(value) => Ok(value),
                // Read the connection's error while the failed statement is still its last
                // call: a failure for lack of space is `StorageFull` whatever the caller turned
                // it into.
                Err(DomainError::Internal(detail)) if last_error_is_out_of_space(tx) => {
                    Err(DomainError::StorageFull(detail))
                }
                Err(e) => Err(e),
            }));
            let result = outcome.unwrap_or_else(|_| {
                Err(DomainError::Internal("a write transaction panicked".into()))
            });
            match result {
                Ok(value) => Ok(Box::new(
                    move |conn: &Connection, committed: Result<(), BatchError>| {
                        let result = committed.map_err(BatchError::into_domain).and_then(|()| {
                            std::panic::catch_unwind(AssertUnwindSafe(|| after(conn)))
                                .unwrap_or_else(|_| {
                                    Err(DomainError::Internal(
                                        "an after-commit step panicked".into(),
                                    ))
                                })
                        });
                        answer_with(result.map(|()| value));
                    },
                ) as Finish),
                Err(e) => Err(Box::new(move |_: &Connection, _| answer_with(Err(e))) as Finish),
            }
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

/// Runs `first` and whatever else is waiting (within `batching`'s bounds) in one transaction,
/// then answers each job with its own outcome once the batch's fate is known.
fn run_batch(
    conn: &Connection,
    first: Job,
    rx: &mut mpsc::Receiver<Job>,
    batching: Batching,
    health: &StorageHealth,
    commits: &Generation,
) {
    // `new_unchecked` borrows the connection shared, so the finish steps can use it after the
    // commit; this thread is its only user, so no other transaction can be open on it.
    let begun = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(|e| e.sqlite_error_code());
    let tx = match begun {
        Ok(tx) => tx,
        Err(code) => {
            // BEGIN writes nothing to the file: only a full disk's own code is `Full` here.
            let error = match code {
                Some(rusqlite::ErrorCode::DiskFull) => {
                    BatchError::Full("database or disk is full".into())
                }
                _ => BatchError::Other(format!("could not begin a write transaction: {code:?}")),
            };
            let (Ok(finish) | Err(finish)) = first(Err(error));
            finish(conn, Ok(()));
            return;
        }
    };
    let started = Instant::now();
    let mut committed: Vec<Finish> = Vec::new();
    let mut failed: Vec<Finish> = Vec::new();
    let mut broken: Option<BatchError> = None;
    let mut next = Some(first);
    while let Some(job) = next.take() {
        if let Err(e) = super::cached_execute(&tx, "SAVEPOINT job", []) {
            broken = Some(BatchError::from_sqlite(&tx, e));
            let (Ok(finish) | Err(finish)) = job(Err(broken.clone().expect("just set")));
            failed.push(finish);
            break;
        }
        let outcome = job(Ok(&tx));
        // After some I/O errors SQLite rolls the whole transaction back by itself: then the
        // jobs before this one are gone too, and must not be answered as committed.
        if tx.is_autocommit() {
            broken = Some(BatchError::Other(
                "the database rolled the write batch back".into(),
            ));
        } else {
            let end: &[&str] = if outcome.is_ok() {
                &["RELEASE job"]
            } else {
                &["ROLLBACK TO job", "RELEASE job"]
            };
            if let Err(e) = end
                .iter()
                .try_for_each(|sql| super::cached_execute(&tx, sql, []).map(drop))
            {
                broken = Some(BatchError::from_sqlite(&tx, e));
            }
        }
        match outcome {
            Ok(finish) => committed.push(finish),
            Err(finish) => failed.push(finish),
        }
        if broken.is_some()
            || committed.len() + failed.len() >= batching.max_jobs
            || started.elapsed() >= batching.max_time
        {
            break;
        }
        next = rx.try_recv().ok();
    }
    let result = match broken {
        Some(error) => {
            drop(tx);
            Err(error)
        }
        // `commit` consumes the transaction and rolls back on failure: the error value carries
        // the code, and SQLite keeps the errno of the failed I/O for `is_out_of_space` to read.
        None => tx.commit().map_err(|e| BatchError::from_sqlite(conn, e)),
    };
    if result.is_ok() {
        health.record_batch(committed.len() + failed.len());
    }
    // Before any job is answered, so a reader told of this commit never gets a row kept from
    // before it. Counted whatever the outcome: a retired row costs one read, nothing more.
    commits.bump();
    for finish in failed {
        finish(conn, Ok(()));
    }
    for finish in committed {
        finish(conn, result.clone());
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
