//! The PostgreSQL store behind [`crate::db::Store`]: a pool of connections, each write a
//! transaction that first takes one advisory lock, so writes follow one another as on SQLite's
//! single writer (what a write checks before it writes, a free seat or a free name, still
//! holds when it commits, across every replica), and reads on any free connection.
//!
//! Every transaction is opened for the platform (`armario.scope`), the company wall's widest
//! side: the services check the capability before they reach the store.

use std::path::Path;
use std::sync::Arc;

use crate::crypto::company_keys::KeyRing;

use super::notes;
use crate::db::sql::pg::Session;
use crate::db::sql::Db;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;

/// The advisory lock every write holds until it commits (a key of its own, apart from the
/// migrations' lock).
pub(super) const WRITE_LOCK: i64 = 0x6172_6d61_7269_6f57; // "armarioW"

/// Opens connections for the pool, each checked against the server's certificate.
pub struct Manager {
    url: String,
    ca_file: Option<std::path::PathBuf>,
    /// The companies' keys, for the cells each connection seals and opens.
    keys: Option<Arc<KeyRing>>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = DomainError;

    fn connect(&self) -> Result<Session, DomainError> {
        let client =
            super::connect(&self.url, self.ca_file.as_deref()).map_err(DomainError::Internal)?;
        let session = Session::new(client, self.keys.clone());
        // Statements that wait on a lock give up rather than hold a request forever.
        session.batch("SET lock_timeout = '5s'; SET armario.scope = 'platform'")?;
        Ok(session)
    }

    fn is_valid(&self, conn: &mut Session) -> Result<(), DomainError> {
        Ok(conn.batch("")?)
    }

    fn has_broken(&self, conn: &mut Session) -> bool {
        conn.is_closed()
    }
}

#[derive(Clone)]
pub struct PgStore {
    pool: r2d2::Pool<Manager>,
    /// This process's name in the notes its writes send the other replicas.
    replica: Arc<str>,
    /// The writes waiting for the next batch.
    group: Arc<super::group::Group>,
}

impl PgStore {
    /// Connects, brings the schema to this binary's version (refusing a newer one) and opens
    /// a pool of `size` connections.
    pub fn open(
        url: &str,
        ca_file: Option<&Path>,
        size: u32,
        keys: Option<Arc<KeyRing>>,
    ) -> DomainResult<Self> {
        // The client blocks on a runtime of its own, which cannot start on a thread already
        // driving one (the server opens its store from its own).
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut client = super::connect(url, ca_file)?;
                super::migrate::apply(&mut client)?;
                crate::db::sql::pg::learn_unique_columns(&mut client)
                    .map_err(|e| format!("cannot read the schema's unique keys: {e}"))
            })
            .join()
            .unwrap_or_else(|_| Err("the schema migration panicked".into()))
        })
        .map_err(DomainError::Internal)?;
        let manager = Manager {
            url: url.to_string(),
            ca_file: ca_file.map(Path::to_path_buf),
            keys,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size.max(2))
            .min_idle(Some(1))
            .test_on_check_out(false)
            .build(manager)?;
        Ok(Self {
            pool,
            replica: notes::new_replica(),
            group: Arc::default(),
        })
    }

    /// This process's name in its notes.
    pub fn replica(&self) -> Arc<str> {
        self.replica.clone()
    }

    /// The writes waiting for the next batch (`group`).
    pub(super) fn group(&self) -> &super::group::Group {
        &self.group
    }

    /// A connection of the pool.
    pub(super) fn session(&self) -> DomainResult<r2d2::PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` on a free connection, outside any transaction (each statement sees the store
    /// as it is when it runs; `in_snapshot` gives several statements one view).
    pub fn read<T>(&self, f: impl FnOnce(&Db<'_>) -> DomainResult<T>) -> DomainResult<T> {
        let session = self.pool.get()?;
        f(&Db::postgres(&session))
    }

    /// Runs `f` in a read-only transaction opened for `company`: the row-level security
    /// policies show it that company's rows only, whatever its queries forget to filter. Its
    /// statements share one snapshot.
    pub fn read_company<T>(
        &self,
        company: &CompanyId,
        f: impl FnOnce(&Db<'_>) -> DomainResult<T>,
    ) -> DomainResult<T> {
        let session = self.pool.get()?;
        // The transaction and its company in one round trip.
        let ran = session
            .begin_with(
                "ISOLATION LEVEL REPEATABLE READ READ ONLY",
                &format!(
                    "SELECT set_config('armario.company_id', {}, true), \
                            set_config('armario.scope', '', true)",
                    super::literal(company.as_str())
                ),
            )
            .map_err(DomainError::from)
            .and_then(|()| f(&Db::postgres(&session)));
        session.rollback()?;
        ran
    }

    /// Takes the advisory lock of the scheduled job `job` for as long as the answer is kept,
    /// or `None` when another replica holds it: a job runs on one replica at a time. The lock
    /// is the session's, so it ends with the connection should the process die.
    pub fn try_lead(&self, job: &str) -> DomainResult<Option<Lead>> {
        let session = self.pool.get()?;
        let key = job_key(job);
        let taken: bool = session
            .query("SELECT pg_try_advisory_lock(?1)", &[key.into()])
            .map_err(DomainError::from)?
            .rows
            .first()
            .and_then(|r| r.first())
            .is_some_and(|v| matches!(v, rusqlite::types::Value::Integer(1)));
        Ok(taken.then(|| Lead {
            session: Some(session),
            key,
        }))
    }

    pub fn pool(&self) -> &r2d2::Pool<Manager> {
        &self.pool
    }
}

/// A scheduled job's advisory lock, held until dropped.
pub struct Lead {
    session: Option<r2d2::PooledConnection<Manager>>,
    key: i64,
}

impl Drop for Lead {
    /// Lets the lock go on a thread of its own (the client blocks on a runtime of its own),
    /// then gives the connection back to the pool.
    fn drop(&mut self) {
        let (Some(session), key) = (self.session.take(), self.key) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("armario-pg-lead".into())
            .spawn(move || {
                // A connection that fails here is broken, and the pool drops it, lock and all.
                let _ = session.execute("SELECT pg_advisory_unlock(?1)", &[key.into()]);
            });
    }
}

/// The advisory lock key of a scheduled job: the first eight bytes of its name's SHA-256, apart
/// from the write lock's key.
fn job_key(job: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("armario job {job}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}
