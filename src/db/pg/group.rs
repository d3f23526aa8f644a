//! Group commit for the PostgreSQL store: writes that arrive while another batch is being
//! written wait in a queue, and the next batch runs all of them in one transaction (one write
//! lock, one commit, one WAL flush), each in a savepoint of its own. A lone write commits at
//! once, as without batching.
//!
//! No thread of its own: the first caller to find no batch running leads one; when its batch
//! has committed, the first write still waiting is told to lead the next. A write that fails
//! rolls back to its savepoint and gets its own error; the others commit. A write is answered
//! only once its batch's commit is known: a failed commit fails every write of the batch.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};

use super::literal;
use super::notes::{self, Change};
use super::store::{PgStore, WRITE_LOCK};
use crate::db::sql::Db;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;

/// The most writes one transaction takes: a burst past it is written in several.
const MAX_BATCH: usize = 64;

/// What a queued write is told.
enum Answer {
    /// Its batch is done: `Ok` once committed (its own outcome is in its slot).
    Done(Result<(), DomainError>),
    /// Lead the next batch (this write is in it).
    Lead,
}

/// One queued write, type-erased: it runs, keeps its outcome, and says whether it succeeded.
struct Job {
    change: Change,
    company: Option<CompanyId>,
    run: Box<dyn FnMut(&Db<'_>) -> bool + Send>,
    answer: Sender<Answer>,
}

/// The writes waiting for a batch, and whether one is being written.
#[derive(Default)]
pub struct Group {
    queue: Mutex<(Vec<Job>, bool)>,
}

impl PgStore {
    /// Runs `f` in a write transaction shared with the writes waiting beside it, in a
    /// savepoint of its own; answers once that transaction has committed, whose note tells the
    /// other replicas what changed. With `company` the write sees and writes that company's
    /// rows only.
    pub fn write_grouped<T, F>(
        &self,
        change: Change,
        company: Option<CompanyId>,
        mut f: F,
    ) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        let slot: Arc<Mutex<Option<DomainResult<T>>>> = Arc::default();
        let (answer, answers) = channel();
        let kept = slot.clone();
        let job = Job {
            change,
            company,
            run: Box::new(move |db| {
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(db)))
                    .unwrap_or_else(|_| Err(DomainError::internal("a write panicked")));
                let ok = outcome.is_ok();
                *kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
                ok
            }),
            answer,
        };
        let lead = {
            let mut queue = self.group().queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.0.push(job);
            !std::mem::replace(&mut queue.1, true)
        };
        if lead {
            self.lead_batch();
        }
        loop {
            match answers.recv() {
                Ok(Answer::Lead) => self.lead_batch(),
                Ok(Answer::Done(Ok(()))) => {
                    return slot
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .take()
                        .unwrap_or_else(|| Err(DomainError::internal("a write was not run")))
                }
                Ok(Answer::Done(Err(e))) => return Err(e),
                Err(_) => return Err(DomainError::internal("a write batch was abandoned")),
            }
        }
    }

    /// Writes the waiting writes in one transaction, answers them, then hands the lead to the
    /// first write still waiting, or gives it up.
    fn lead_batch(&self) {
        let mut batch: Vec<Job> = {
            let mut queue = self.group().queue.lock().unwrap_or_else(|e| e.into_inner());
            let n = queue.0.len().min(MAX_BATCH);
            queue.0.drain(..n).collect()
        };
        let committed = self.write_batch(&mut batch);
        let words = committed.as_ref().err().map(ToString::to_string);
        let mut own = Some(committed);
        for job in batch {
            // The first write gets the batch's own error; the others a copy of its words.
            let answer = own.take().unwrap_or_else(|| match &words {
                None => Ok(()),
                Some(words) => Err(DomainError::internal(format!(
                    "the transaction of a batch of writes did not commit: {words}"
                ))),
            });
            let _ = job.answer.send(Answer::Done(answer));
        }
        let mut queue = self.group().queue.lock().unwrap_or_else(|e| e.into_inner());
        match queue.0.first() {
            Some(next) => {
                let _ = next.answer.send(Answer::Lead);
            }
            None => queue.1 = false,
        }
    }

    /// One transaction for the batch: the write lock, then each write in a savepoint (none for
    /// a lone write) with its note and its company set, then the commit. Rolled back whole when
    /// anything but a write's own failure goes wrong.
    fn write_batch(&self, batch: &mut [Job]) -> Result<(), DomainError> {
        if batch.is_empty() {
            return Ok(());
        }
        let session = self.session()?;
        let written = write_jobs(&session, &self.replica(), batch);
        match written {
            Ok(true) => session.commit()?,
            Ok(false) => session.rollback()?,
            Err(e) => {
                // Whatever the transaction got to, none of it stays (a ROLLBACK with none open
                // is only a warning).
                let _ = session.rollback();
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Runs the batch's writes in one transaction, left open; `true` when any of them is to be
/// committed. What comes before each write (the transaction's start and the write lock for
/// the first; the previous savepoint's release and a new one; the note; the company) goes in
/// one round trip, so a write costs one round trip more than its own statements.
fn write_jobs(
    session: &crate::db::sql::pg::Session,
    replica: &str,
    batch: &mut [Job],
) -> Result<bool, DomainError> {
    let db = Db::postgres(session);
    let alone = batch.len() == 1;
    let mut any = false;
    for (i, job) in batch.iter_mut().enumerate() {
        let mut before = String::new();
        if i > 0 {
            before.push_str("RELEASE SAVEPOINT armario_write; ");
        }
        if !alone {
            before.push_str("SAVEPOINT armario_write; ");
        }
        let note = literal(&notes::note(replica, job.change));
        let (company, scope) = match &job.company {
            None => ("''".to_string(), "'platform'"),
            Some(company) => (literal(company.as_str()), "''"),
        };
        before.push_str(&format!(
            "SELECT pg_notify({channel}, {note}), set_config('armario.company_id', {company}, true), \
                    set_config('armario.scope', {scope}, true)",
            channel = literal(notes::CHANNEL),
        ));
        if i == 0 {
            session.begin_with(
                "",
                &format!("SELECT pg_advisory_xact_lock({WRITE_LOCK}); {before}"),
            )?;
        } else {
            session.batch(&before)?;
        }
        if (job.run)(&db) {
            any = true;
        } else if alone {
            return Ok(false);
        } else {
            session.batch("ROLLBACK TO SAVEPOINT armario_write")?;
        }
    }
    Ok(any)
}
