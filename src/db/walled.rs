//! Reads opened for one company, from the capability that proved the caller may read it. On
//! PostgreSQL the transaction carries the company and the row-level security policies show it
//! that company's rows only, whatever a query forgets to filter: a second wall behind the
//! storage functions' own filters. The SQLite file has no such wall; there it is a plain read.

use super::{Backend, Store};
use crate::db::sql::Db;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;

/// A capability confined to one company (`access::CompanyScope`, `access::AppCompanyScope`).
pub trait InCompany {
    fn company(&self) -> &CompanyId;
}

impl Store {
    /// Runs `f` as [`Store::read`] does, in a transaction that sees only the rows of the
    /// company `scope` is confined to (on PostgreSQL).
    pub async fn read_in<T, F>(&self, scope: &impl InCompany, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        self.read_for_company(scope.company().clone(), f).await
    }

    /// [`Store::read_in`] when the caller is confined to one company (`scope`), else
    /// [`Store::read`] in the platform's scope.
    pub async fn read_within<T, F>(&self, scope: Option<&impl InCompany>, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        match scope {
            Some(scope) => self.read_in(scope, f).await,
            None => self.read(f).await,
        }
    }

    /// Runs `f` as [`Store::write`] does, in a transaction that may read and write only the
    /// rows of the company `scope` is confined to (on PostgreSQL): a row of another company,
    /// or of no company, is neither seen nor written.
    pub async fn write_in<T, F>(&self, scope: &impl InCompany, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        self.write_for_company(scope.company().clone(), f).await
    }

    /// [`Store::write_directory_then`] opened for `company` when there is one (a write to
    /// links that a company's admin or a linked application makes): the write sees and writes
    /// that company's rows only; `after` (the directory's rebuild) reads the platform's.
    pub async fn write_directory_within<T, F, A>(
        &self,
        company: Option<CompanyId>,
        f: F,
        after: A,
    ) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
    {
        self.write_telling(super::pg::notes::Change::Directory, company, f, after)
            .await
    }

    /// [`Store::write_in`] for a company named by its id (tests, and callers whose capability
    /// was checked elsewhere).
    pub async fn write_for_company<T, F>(&self, company: CompanyId, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        self.write_telling(super::pg::notes::Change::Rows, Some(company), f, |_| Ok(()))
            .await
    }

    /// [`Store::read_in`] for a company named by its id (tests, and callers whose capability
    /// was checked elsewhere).
    pub async fn read_for_company<T, F>(&self, company: CompanyId, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { .. } => self.read(f).await,
            Backend::Postgres { store, .. } => {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.read_company(&company, f))
                    .await
                    .map_err(DomainError::internal)?
            }
        }
    }
}
