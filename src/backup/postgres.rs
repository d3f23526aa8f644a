//! Backups of a PostgreSQL store: the same run, object, manifest, retention, verification and
//! restore as the SQLite file's, with `pg_dump`'s custom format as the snapshot
//! (`db::pg::backup` takes it and checks it) and `pg_restore` into an empty database.

use std::path::PathBuf;

use super::company_seal::CompanyKeys;
use super::company_seal::Unsealed;
use super::engine::BackupEngine;
use super::error::{BackupError, Result};
use super::pg_rows::{Opener, Writer};
use super::restore::RestoreReport;
use super::snapshot::DbFacts;
use super::threads::blocking;
use super::verify::BackupSelector;
use crate::crypto::company_keys::KeyRing;
use crate::db::pg::backup::{Facts, PgDatabase, SealedKey};

impl From<Facts> for DbFacts {
    fn from(f: Facts) -> Self {
        DbFacts {
            schema_version: f.schema_version,
            row_counts: f.row_counts,
            audit_head: f.audit_head,
        }
    }
}

impl BackupEngine {
    /// Backs up the PostgreSQL database `db` instead of the SQLite file.
    pub fn with_postgres(mut self, db: PgDatabase) -> Self {
        self.postgres = Some(db);
        self
    }

    /// The PostgreSQL database this engine backs up, if it is not the SQLite file.
    pub fn postgres(&self) -> Option<&PgDatabase> {
        self.postgres.as_ref()
    }

    /// Verifies the selected backup of a PostgreSQL store and restores it into `to` (the
    /// store's own database when `None`), which must be empty: checked before anything is
    /// downloaded, and again by the restore itself.
    pub(super) async fn restore_postgres(
        &self,
        selector: &BackupSelector,
        to: Option<PgDatabase>,
    ) -> Result<RestoreReport> {
        let target = match to.or_else(|| self.postgres.clone()) {
            Some(t) => t,
            None => {
                return Err(BackupError::Postgres(
                    "no PostgreSQL database to restore into".into(),
                ))
            }
        };
        let probe = target.clone();
        let tables = blocking(move || probe.table_count().map_err(BackupError::Postgres)).await?;
        if tables > 0 {
            return Err(BackupError::Postgres(format!(
                "{} is not empty ({tables} tables): a backup is restored into an empty database; \
                 create one (CREATE DATABASE … OWNER …) and restore into it",
                target.describe()
            )));
        }
        let checked = self
            .fetch_and_check_on(selector, Some(target.clone()))
            .await?;
        let keys = self.company_keys_of(&checked.manifest);
        let sealed = seal_keys(&keys, &self.company_keys);
        let (db, run_dir, into) = (checked.db, checked.run_dir, target.clone());
        let unsealed = blocking(move || {
            let restored = Opener::new(db.path(), &keys).and_then(|mut rows| {
                let restored = into
                    .restore(db.path(), &mut rows, &sealed)
                    .map_err(BackupError::Postgres)?;
                let mut unreadable = rows.unreadable;
                unreadable.extend(restored.without_key);
                Ok(Unsealed {
                    opened: rows.opened,
                    unreadable,
                })
            });
            drop(run_dir);
            restored
        })
        .await?;
        tracing::info!(backup_id = %checked.manifest.id, to = %target.describe(), "backup restored");
        Ok(RestoreReport {
            manifest: checked.manifest,
            source: checked.source,
            restored_to: PathBuf::from(target.describe()),
            previous: None,
            unsealed,
        })
    }
}

/// The manifest's keys sealed under the current master key, as the store keeps them.
fn seal_keys(keys: &CompanyKeys, ring: &KeyRing) -> Vec<SealedKey> {
    keys.iter()
        .map(|(company, key)| {
            let sealed = ring.seal_company_key(company, key);
            SealedKey {
                company: company.clone(),
                sealed: sealed.bytes,
                key_id: sealed.key_id,
            }
        })
        .collect()
}

/// Dumps `db` into `dest`, with the rows the dump leaves out sealed per company after it
/// (`pg_rows`), and returns what the manifest records and the companies' keys, opened with
/// `live`. A key that does not open stops the run: what it seals would be lost.
pub(super) fn dump(
    db: &PgDatabase,
    dest: &std::path::Path,
    live: &KeyRing,
) -> Result<(DbFacts, CompanyKeys)> {
    let mut writer = Writer::new(dest, live);
    let facts = db.dump(dest, &mut writer);
    let keys = writer.finish()?;
    Ok((facts.map_err(BackupError::Postgres)?.into(), keys))
}
