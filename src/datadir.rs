//! The data directory: created with mode 0700, locked by a running server (so `restore` can
//! refuse to pull the database out from under it), and home of the generated master key. The
//! names of what lives in it are defined here, once, for the server, the CLI and backups.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::crypto::MasterKey;

/// The live database.
pub const DB_FILE: &str = "armario.db";
/// Held (exclusive lock) by a running server, `keys rotate` and an in-place restore.
pub const LOCK_FILE: &str = "armario.lock";
/// The master key `serve` generates on a new data directory.
pub const KEY_FILE: &str = "master.key";
/// Private per-run scratch directories of backups and restores.
pub const SCRATCH_DIR: &str = "scratch";

/// Held for as long as the server runs; dropping it releases the lock.
pub struct DataDirLock {
    _file: File,
}

/// Why the data directory could not be locked.
#[derive(Debug)]
pub enum LockError {
    /// Another process (a running server) holds the lock file at this path.
    Held { dir: PathBuf, lock_file: PathBuf },
    /// The lock file could not be opened or locked.
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held { dir, lock_file } => write!(
                f,
                "another armario server is running on {} (it holds {}); stop it first",
                dir.display(),
                lock_file.display()
            ),
            LockError::Io { what, path, source } => {
                write!(f, "cannot {what} {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for LockError {}

impl From<LockError> for String {
    fn from(e: LockError) -> String {
        e.to_string()
    }
}

pub fn ensure(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Takes the exclusive lock of the data directory, or says who holds it.
pub fn lock(dir: &Path) -> Result<DataDirLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path);
    let file = match file {
        Ok(file) => file,
        Err(source) => {
            return Err(LockError::Io {
                what: "open",
                path,
                source,
            })
        }
    };
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Held {
            dir: dir.to_path_buf(),
            lock_file: path,
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(LockError::Io {
            what: "lock",
            path,
            source,
        }),
    }
}

/// How a person passes the key; every refusal repeats it.
pub fn how_to_pass_a_key(settings: &Settings) -> String {
    format!(
        "pass the master key with ARMARIO_MASTER_KEY (64 hex characters or base64 of 32 bytes) or \
         ARMARIO_MASTER_KEY_FILE (a file holding it), or put back the master.key that armario \
         generated in the data directory ({})",
        settings.data_dir.join(KEY_FILE).display()
    )
}

/// The master key: from the settings, else from `<data_dir>/master.key`. Never creates one:
/// only [`generate_key_for_new_data_dir`] may, for `serve` on a data directory without a
/// database.
pub fn master_key(settings: &Settings) -> Result<MasterKey, String> {
    if let Some(text) = &settings.master_key {
        return MasterKey::parse(text.expose()).map_err(|e| format!("ARMARIO_MASTER_KEY: {e}"));
    }
    let path: PathBuf = settings.data_dir.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return MasterKey::parse(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let db = settings.db_path();
    let why = if settings.database_url.is_some() {
        "a PostgreSQL store's master key is never generated: give the key that sealed it (or, \
         for a new store, a new one you keep)"
            .to_string()
    } else if db.exists() {
        format!(
            "the database {} holds values sealed with a master key, and no key is configured",
            db.display()
        )
    } else {
        "no master key is configured".to_string()
    };
    Err(format!(
        "{why}; {}. Only `armario serve` on a data directory without a database generates one.",
        how_to_pass_a_key(settings)
    ))
}

/// For `serve`: on a data directory without a database and without a configured key (and no
/// PostgreSQL store, whose data this directory cannot see), writes a
/// new `master.key` (mode 0600) and says so loudly. Anywhere else it does nothing, so a moved
/// or lost key is never silently replaced.
pub fn generate_key_for_new_data_dir(settings: &Settings) -> Result<(), String> {
    let path: PathBuf = settings.data_dir.join(KEY_FILE);
    if settings.master_key.is_some()
        || path.exists()
        || settings.db_path().exists()
        || settings.database_url.is_some()
    {
        return Ok(());
    }
    MasterKey::write_new_file(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "GENERATED A NEW MASTER KEY at {}. Every sealed secret and every backup depends on it. \
         In production pass ARMARIO_MASTER_KEY or ARMARIO_MASTER_KEY_FILE and keep a copy away from this server.",
        path.display()
    );
    Ok(())
}

/// Previous master keys still accepted for opening sealed values during a rotation.
pub fn previous_keys(settings: &Settings) -> Result<Vec<MasterKey>, String> {
    settings
        .master_key_previous
        .as_ref()
        .map(|v| {
            v.expose()
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|k| {
                    MasterKey::parse(k).map_err(|e| format!("ARMARIO_MASTER_KEY_PREVIOUS: {e}"))
                })
                .collect()
        })
        .unwrap_or(Ok(Vec::new()))
}
