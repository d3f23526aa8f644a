//! What the store does for replicas sharing one PostgreSQL database: hearing the others'
//! writes ([`pg::notes`]) and leading scheduled jobs one replica at a time. On SQLite (one
//! process) there is nothing to hear and every job is led.

use std::path::Path;

use super::{pg, Backend, Store};
use crate::error::{DomainError, DomainResult};

/// A scheduled job led by this replica ([`Store::try_lead`]), until dropped.
pub struct Lead(#[allow(dead_code)] Option<pg::store::Lead>);

impl Store {
    /// On PostgreSQL, starts hearing the writes of the other replicas sharing the database
    /// (see [`pg::notes`]) until the store closes; nothing to hear on SQLite.
    pub fn listen_for_replicas(&self, url: &str, ca_file: Option<&Path>) {
        if let Backend::Postgres {
            store,
            generation,
            listener,
            ..
        } = &self.backend
        {
            listener.spawn(
                url.to_string(),
                ca_file.map(Path::to_path_buf),
                store.clone(),
                generation.clone(),
                self.committed.clone(),
            );
        }
    }

    /// Whether this replica leads the scheduled job `job` now: always on SQLite (one process);
    /// on PostgreSQL while no other replica runs it (an advisory lock, held until the answer
    /// is dropped). A job that is not led this time is left to the replica that leads it.
    pub async fn try_lead(&self, job: &'static str) -> DomainResult<Option<Lead>> {
        match &self.backend {
            Backend::Sqlite { .. } => Ok(Some(Lead(None))),
            Backend::Postgres { store, .. } => {
                let store = store.clone();
                let lead = tokio::task::spawn_blocking(move || store.try_lead(job))
                    .await
                    .map_err(DomainError::internal)??;
                Ok(lead.map(|l| Lead(Some(l))))
            }
        }
    }

    /// What rebuilds the application directory when another replica changed applications,
    /// keys or links.
    pub fn on_directory_change(&self, rebuild: pg::notes::Rebuild) {
        if let Backend::Postgres { listener, .. } = &self.backend {
            listener.on_directory_change(rebuild);
        }
    }
}
