//! Restore: verify a backup completely, then swap it in atomically. Until the final rename the
//! current database is not touched, so any failure leaves it as it was.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::company_seal::{unseal_snapshot, CompanyKeys, Unsealed};
use super::engine::BackupEngine;
use super::error::{BackupError, Result};
use super::manifest::Manifest;
use super::scratch::{create_private, make_owner_only, sync_dir};
use super::threads::blocking;
use super::verify::BackupSelector;
use crate::datadir::{self, DataDirLock, LockError};

/// Where to restore.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Restore to this path instead of the live `<data_dir>/armario.db`.
    pub to: Option<PathBuf>,
    /// On a PostgreSQL store: restore into this empty database instead of the store's own.
    pub to_database: Option<crate::db::pg::backup::PgDatabase>,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub source: String,
    pub restored_to: PathBuf,
    /// The database that was there before, kept as `<name>.before-restore-<timestamp>`.
    pub previous: Option<PathBuf>,
    /// Personal data opened with the companies' keys, and the companies whose keys are gone.
    pub unsealed: Unsealed,
}

impl BackupEngine {
    /// Verifies the selected backup and puts it in place. Refuses while a server holds the data
    /// directory's lock file (unless restoring elsewhere with `to`).
    pub async fn restore(
        &self,
        selector: &BackupSelector,
        options: &RestoreOptions,
    ) -> Result<RestoreReport> {
        if self.postgres.is_some() || options.to_database.is_some() {
            return self
                .restore_postgres(selector, options.to_database.clone())
                .await;
        }
        let live = self.db_path();
        let dest = options.to.clone().unwrap_or_else(|| live.clone());
        // Holding the lock from before the download to after the rename keeps a server from
        // starting on the database half-way through.
        let _lock = if same_file_path(&dest, &live) {
            Some(self.lock_data_dir().await?)
        } else {
            None
        };
        let checked = self.fetch_and_check(selector).await?;
        let keys = self.company_keys_of(&checked.manifest);
        let stamp = self.clock.now();
        let (db, run_dir, dest_for_swap) = (checked.db, checked.run_dir, dest.clone());
        let (previous, unsealed) = blocking(move || {
            // Before anything is moved: a copy that cannot be opened leaves the live file be.
            let unsealed = unseal_snapshot(db.path(), &keys)?;
            let dest_dir = dest_for_swap.parent().filter(|d| !d.as_os_str().is_empty());
            if let Some(dir) = dest_dir {
                fs::create_dir_all(dir)
                    .map_err(BackupError::io(format!("creating {}", dir.display())))?;
            }
            let previous = set_aside(&dest_for_swap, stamp)?;
            move_into_place(db.path(), &dest_for_swap)?;
            db.keep();
            drop(run_dir);
            if let Some(dir) = dest_dir {
                sync_dir(dir).map_err(BackupError::io("syncing the database directory"))?;
            }
            Ok((previous, unsealed))
        })
        .await?;
        tracing::info!(backup_id = %checked.manifest.id, to = %dest.display(), "backup restored");
        Ok(RestoreReport {
            manifest: checked.manifest,
            source: checked.source,
            restored_to: dest,
            previous,
            unsealed,
        })
    }

    /// The companies' data keys a manifest carries, opened with the master key. A key that does
    /// not open is treated as gone: that company's personal data stays unreadable.
    pub(super) fn company_keys_of(&self, manifest: &Manifest) -> CompanyKeys {
        manifest
            .company_keys
            .iter()
            .filter_map(|(company, wrapped)| {
                let key = self
                    .key
                    .unwrap_company_key(manifest.id.as_str(), company, wrapped);
                if key.is_none() {
                    tracing::warn!(company_id = %company, "a company's key in the manifest does not open");
                }
                Some((company.clone(), key?))
            })
            .collect()
    }

    /// Takes the data directory's lock (the one a running server holds), or says that a server
    /// is running.
    async fn lock_data_dir(&self) -> Result<DataDirLock> {
        let dir = self.data_dir.clone();
        blocking(move || {
            fs::create_dir_all(&dir)
                .map_err(BackupError::io(format!("creating {}", dir.display())))?;
            datadir::lock(&dir).map_err(|e| match e {
                LockError::Held { lock_file, .. } => BackupError::ServerRunning(lock_file),
                LockError::Io { what, path, source } => {
                    BackupError::io(format!("{what}ing {}", path.display()))(source)
                }
            })
        })
        .await
    }
}

/// Renames the checked copy (0600, in the data directory's scratch directory) to `dest`. When
/// `dest` is on another filesystem, copies it to an owner-only file beside `dest` first, removed
/// if the copy fails, so that the final step is still one atomic rename.
fn move_into_place(src: &Path, dest: &Path) -> Result<()> {
    let io_err = |what: &str| BackupError::io(format!("{what} {}", dest.display()));
    let part = with_suffix(dest, ".restore-part");
    // A restore killed during its copy left a clear copy of a database here: it goes now.
    // Restores into one destination never run at once (in place, the data directory's lock
    // keeps them apart), so a part found here is a leftover.
    match fs::remove_file(&part) {
        Ok(()) => {
            tracing::info!(file = %part.display(), "removed the leftover of a killed restore")
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err("removing the leftover")(e)),
    }
    match fs::rename(src, dest) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {}
        Err(e) => return Err(io_err("renaming into")(e)),
    }
    let copy = || -> io::Result<()> {
        let mut out = create_private(&part)?;
        io::copy(&mut File::open(src)?, &mut out)?;
        out.sync_all()?;
        fs::rename(&part, dest)
    };
    copy().map_err(|e| {
        let _ = fs::remove_file(&part);
        io_err("copying into")(e)
    })
}

fn same_file_path(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        dir.canonicalize()
            .ok()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    a == b || matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Keeps the current database at `<db>.before-restore-<stamp>` and clears its `-wal`/`-shm`,
/// so that no stale WAL is ever applied to the restored file. Returns the kept path.
fn set_aside(db: &Path, stamp: DateTime<Utc>) -> Result<Option<PathBuf>> {
    if !db.exists() {
        return Ok(None);
    }
    let wal = with_suffix(db, "-wal");
    if wal.exists() {
        // Fold committed WAL frames into the main file; closing the last connection then
        // deletes the WAL. If that fails the WAL is kept beside the set-aside copy below.
        if let Err(e) = checkpoint(db) {
            tracing::warn!(error = %e, "could not checkpoint the old database before restore");
        }
    }
    let base = format!(".before-restore-{}", stamp.format("%Y%m%dT%H%M%SZ"));
    // Two restores within one second must not overwrite the first one's copy.
    let kept = (0..)
        .map(|n| match n {
            0 => with_suffix(db, &base),
            n => with_suffix(db, &format!("{base}-{n}")),
        })
        .find(|p| !p.exists())
        .expect("an unused name");
    let io_err = |what: &str| BackupError::io(format!("{what} {}", db.display()));
    // A hard link keeps the old file without a moment where the database path is missing.
    if fs::hard_link(db, &kept).is_err() {
        fs::copy(db, &kept).map_err(io_err("copying aside"))?;
    }
    // The kept copy is the whole database: owner-only, whatever mode the live file had (with a
    // hard link this also tightens the old inode, which the rename below takes off the path).
    make_owner_only(&kept).map_err(io_err("restricting the copy of"))?;
    for (suffix, keep) in [("-wal", true), ("-journal", true), ("-shm", false)] {
        let side = with_suffix(db, suffix);
        let result = if keep {
            let kept_side = with_suffix(&kept, suffix);
            fs::rename(&side, &kept_side).and_then(|()| make_owner_only(&kept_side))
        } else {
            fs::remove_file(&side)
        };
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&format!("clearing {suffix} of"))(e)),
        }
    }
    Ok(Some(kept))
}

fn checkpoint(db: &Path) -> rusqlite::Result<()> {
    let conn = rusqlite::Connection::open(db)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.close().map_err(|(_, e)| e)
}
