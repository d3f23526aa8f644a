//! The single writer: a dedicated OS thread owning the writing connection, fed by a channel.
//!
//! Group commit: the thread takes the jobs already waiting in its queue (up to a count, and
//! for at most a short time) and runs them in one `BEGIN IMMEDIATE` transaction, so a burst
//! of writers pays one fsync instead of one each. A job is answered only after its batch has
//! committed. The thread never waits for more jobs to arrive: a lone write commits at once,
//! as without batching.
//!
//! A job that fails rolls back alone and gets its own error; the others commit. Jobs run
//! without a savepoint of their own at first, since a savepoint per job makes SQLite copy
//! every page the job changes into a statement journal, and makes the company search index
//! write out a segment per job. A job that fails having changed nothing (SQLite counts every
//! row a statement or its triggers changed, and a failed statement undoes its own changes)
//! leaves the batch as it was. Only when a job fails after changing rows is the transaction
//! rolled back and the batch run again from its start, each job in its own savepoint: jobs
//! are closures that may run twice, and only the last run's outcome is answered.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::kept::Generation;
use super::sql::Db;
use super::storage_health::{is_out_of_space, last_error_is_out_of_space, StorageHealth};
use crate::error::{DomainError, DomainResult};

/// One queued write: run in a batch's transaction (twice when its batch is replayed), then
/// answered once the batch's fate is known.
trait Job: Send {
    /// Runs the write; `true` when it succeeded. A later run replaces an earlier outcome.
    fn run(&mut self, tx: &Transaction<'_>) -> bool;
    /// Answers the caller: a failed write with its own error; a successful one with the
    /// commit's outcome (then its after-commit step); one that never ran with the batch's.
    fn finish(self: Box<Self>, conn: &Connection, committed: Result<(), BatchError>);
}

/// Where queued jobs go; `None` once the store is closed.
type Queue = Arc<Mutex<Option<mpsc::Sender<Box<dyn Job>>>>>;

/// A write, its after-commit step, the outcome of its last run and where to answer.
struct Write<T, F, A> {
    write: F,
    after: A,
    outcome: Option<DomainResult<T>>,
    reply: oneshot::Sender<DomainResult<T>>,
    health: Arc<StorageHealth>,
}

impl<T, F, A> Job for Write<T, F, A>
where
    T: Send + 'static,
    F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
{
    fn run(&mut self, tx: &Transaction<'_>) -> bool {
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| match (self.write)(&Db::sqlite(tx)) {
                Ok(value) => Ok(value),
                // Read the connection's error while the failed statement is still its last call:
                // a failure for lack of space is `StorageFull` whatever the caller turned it into.
                Err(DomainError::Internal(detail)) if last_error_is_out_of_space(tx) => {
                    Err(DomainError::StorageFull(detail))
                }
                Err(e) => Err(e),
            }))
            .unwrap_or_else(|_| Err(DomainError::Internal("a write transaction panicked".into())));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, conn: &Connection, committed: Result<(), BatchError>) {
        let Write {
            after,
            outcome,
            reply,
            health,
            ..
        } = *self;
        let result = match outcome {
            Some(Err(e)) => Err(e),
            Some(Ok(value)) => committed
                .map_err(BatchError::into_domain)
                .and_then(|()| {
                    std::panic::catch_unwind(AssertUnwindSafe(|| after(&Db::sqlite(conn))))
                        .unwrap_or_else(|_| {
                            Err(DomainError::Internal(
                                "an after-commit step panicked".into(),
                            ))
                        })
                })
                .map(|()| value),
            None => Err(committed.err().map_or_else(
                || DomainError::Internal("the write was not run".into()),
                BatchError::into_domain,
            )),
        };
        match &result {
            Ok(_) => health.record_ok(),
            Err(DomainError::StorageFull(detail)) => health.record_full(detail),
            Err(_) => {}
        }
        let _ = reply.send(result);
    }
}

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

    fn rolled_back() -> Self {
        Self::Other("the database rolled the write batch back".into())
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
    jobs: Queue,
    done: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
    health: Arc<StorageHealth>,
    generation: Generation,
}

const QUEUE: usize = 1024;

/// What the writer runs inside each batch's transaction just before its commit, for work the
/// batch's writes queued (the company search index, `search_upkeep::index_pending`).
pub(super) type BeforeCommit = fn(&Connection) -> rusqlite::Result<()>;

/// How the writer thread forms and closes its batches.
#[derive(Clone, Copy)]
struct Rules {
    batching: Batching,
    before_commit: BeforeCommit,
}

impl Writer {
    pub(super) fn spawn(
        conn: Connection,
        health: Arc<StorageHealth>,
        batching: Batching,
        before_commit: BeforeCommit,
    ) -> Self {
        let (tx, mut rx) = mpsc::channel::<Box<dyn Job>>(QUEUE);
        let (done_tx, done_rx) = oneshot::channel();
        let thread_health = health.clone();
        let generation = Generation::default();
        let commits = generation.clone();
        std::thread::Builder::new()
            .name("armario-writer".into())
            .spawn(move || {
                let rules = Rules {
                    batching,
                    before_commit,
                };
                while let Some(first) = rx.blocking_recv() {
                    run_batch(&conn, first, &mut rx, rules, &thread_health, &commits);
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

    /// Runs `write` in the writer's transaction (again from the start, should its batch be
    /// replayed: it must leave nothing but its rows behind); after the commit, `after` runs on
    /// the same thread before any later job's, so whatever it derives from the data follows
    /// commit order.
    pub(super) async fn run<T, F, A>(&self, write: F, after: A) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
    {
        let sender = self
            .jobs
            .lock()
            .expect("writer lock")
            .clone()
            .ok_or_else(|| DomainError::Internal("the store is closed".into()))?;
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Write {
            write,
            after,
            outcome: None,
            reply,
            health: self.health.clone(),
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
/// then answers each job, in the order they ran, once the batch's fate is known.
fn run_batch(
    conn: &Connection,
    first: Box<dyn Job>,
    rx: &mut mpsc::Receiver<Box<dyn Job>>,
    rules: Rules,
    health: &StorageHealth,
    commits: &Generation,
) {
    let mut jobs = vec![first];
    let result = commit_batch(conn, &mut jobs, rx, rules, health);
    if result.is_ok() {
        health.record_batch(jobs.len());
    }
    // Before any job is answered, so a reader told of this commit never gets a row kept from
    // before it. Counted whatever the outcome: a retired row costs one read, nothing more.
    commits.bump();
    for job in jobs {
        job.finish(conn, result.clone());
    }
}

/// Opens the batch's transaction. BEGIN writes nothing to the file: only a full disk's own
/// code is `Full` here.
fn begin(conn: &Connection) -> Result<Transaction<'_>, BatchError> {
    // `new_unchecked` borrows the connection shared, so the finish steps can use it after the
    // commit; this thread is its only user, so no other transaction can be open on it.
    Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(|e| {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => {
                BatchError::Full("database or disk is full".into())
            }
            code => BatchError::Other(format!("could not begin a write transaction: {code:?}")),
        }
    })
}

/// Runs the batch's jobs, taking waiting ones into `jobs` while the bounds allow, and commits.
fn commit_batch(
    conn: &Connection,
    jobs: &mut Vec<Box<dyn Job>>,
    rx: &mut mpsc::Receiver<Box<dyn Job>>,
    Rules {
        batching,
        before_commit,
    }: Rules,
    health: &StorageHealth,
) -> Result<(), BatchError> {
    let tx = begin(conn)?;
    let started = Instant::now();
    loop {
        let job = jobs.last_mut().expect("a batch holds its first job");
        let before = tx.total_changes();
        let ok = job.run(&tx);
        // After some I/O errors SQLite rolls the whole transaction back by itself: then the
        // jobs before this one are gone too, and must not be answered as committed.
        if tx.is_autocommit() {
            return Err(BatchError::rolled_back());
        }
        if !ok && tx.total_changes() != before {
            // The failed job's rows are mixed with the others': undo the batch and run it
            // again with a savepoint per job, up to and including this one.
            tx.rollback()
                .map_err(|e| BatchError::from_sqlite(conn, e))?;
            health.record_replay();
            return replay(conn, jobs, before_commit);
        }
        if jobs.len() >= batching.max_jobs || started.elapsed() >= batching.max_time {
            break;
        }
        match rx.try_recv() {
            Ok(next) => jobs.push(next),
            Err(_) => break,
        }
    }
    commit(conn, tx, before_commit)
}

/// Runs `before_commit` in the batch's transaction, then commits.
fn commit(
    conn: &Connection,
    tx: Transaction<'_>,
    before_commit: BeforeCommit,
) -> Result<(), BatchError> {
    before_commit(&tx).map_err(|e| BatchError::from_sqlite(&tx, e))?;
    // `commit` consumes the transaction and rolls back on failure: the error value carries
    // the code, and SQLite keeps the errno of the failed I/O for `is_out_of_space` to read.
    tx.commit().map_err(|e| BatchError::from_sqlite(conn, e))
}

/// Runs `jobs` again in a new transaction, each inside its own savepoint: a job that fails
/// rolls back alone. A job the batch's failure stops before it runs keeps its first outcome,
/// and is answered with the batch's error.
fn replay(
    conn: &Connection,
    jobs: &mut [Box<dyn Job>],
    before_commit: BeforeCommit,
) -> Result<(), BatchError> {
    let tx = begin(conn)?;
    for job in jobs.iter_mut() {
        super::cached_execute(&Db::sqlite(&tx), "SAVEPOINT job", [])
            .map_err(|e| BatchError::from_sqlite(&tx, e))?;
        let ok = job.run(&tx);
        if tx.is_autocommit() {
            return Err(BatchError::rolled_back());
        }
        let end: &[&str] = if ok {
            &["RELEASE job"]
        } else {
            &["ROLLBACK TO job", "RELEASE job"]
        };
        end.iter()
            .try_for_each(|sql| super::cached_execute(&Db::sqlite(&tx), sql, []).map(drop))
            .map_err(|e| BatchError::from_sqlite(&tx, e))?;
    }
    commit(conn, tx, before_commit)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
