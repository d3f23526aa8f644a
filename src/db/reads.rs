//! The store's reads: on a pooled connection off the async runtime, in place for a lookup by
//! key, a company kept in memory between writes, and the long reads the server does for itself.

use super::{aside, companies, Backend, Db, Store};
use crate::domain::Company;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;

impl Store {
    /// Runs `f` with a pooled read-only connection on the blocking thread pool.
    pub async fn read<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { pool, .. } => {
                let pool = pool.clone();
                tokio::task::spawn_blocking(move || {
                    let conn = pool.get()?;
                    f(&Db::sqlite(&conn))
                })
                .await
                .map_err(DomainError::internal)?
            }
            Backend::Postgres { store, .. } => {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.read(f))
                    .await
                    .map_err(DomainError::internal)?
            }
        }
    }

    /// A read of a few rows found by key (a company by its id), run on the calling task's
    /// thread: handing it to the blocking pool costs two thread switches, several times the
    /// read itself. Only for reads bounded by a few lookups by key (a signed-in request's
    /// session and user), so a worker is held for microseconds; when no reader is free at once
    /// it waits on the blocking pool as `read`.
    pub async fn read_point<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { pool, .. } => match pool.try_get() {
                Some(conn) => f(&Db::sqlite(&conn)),
                None => self.read(f).await,
            },
            // The PostgreSQL client blocks on its own runtime: never on the caller's.
            Backend::Postgres { .. } => self.read(f).await,
        }
    }

    /// A company by its id, as `companies::get`, kept in memory until the next write commits.
    /// The same `Arc` comes back until then, so what a caller derives from it can be kept as
    /// long.
    pub async fn company(&self, id: &CompanyId) -> DomainResult<Option<std::sync::Arc<Company>>> {
        let key = id.clone();
        let read = self.read_point(move |c| Ok(companies::get(c, &key)?.map(std::sync::Arc::new)));
        self.companies.get_or_read(id.clone(), read).await
    }

    /// A long read the server does for itself (the audit chain's check over every event), on a
    /// thread of its own that steps aside: nice 10 and the idle I/O class, so requests win the
    /// CPU and the disk while it runs. The thread ends with the read, so no thread of the
    /// shared pool keeps a lowered priority. Dropping the future interrupts the read
    /// (`aside`), so a server that stops does not wait for it.
    pub async fn read_aside<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { pool, .. } => aside::read_aside(pool.clone(), f).await,
            Backend::Postgres { .. } => self.read(f).await,
        }
    }
}
