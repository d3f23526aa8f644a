//! The errors of the backup engine. Each verification failure has its own variant so the
//! operator (and the tests) can tell exactly which check failed.

use std::path::PathBuf;

/// Everything that can go wrong while backing up, listing, verifying or restoring.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A backup setting is missing or malformed.
    #[error("invalid setting {field}: {reason}")]
    Settings { field: &'static str, reason: String },
    /// Another backup run holds the engine's run lock.
    #[error("another backup is already running")]
    AlreadyRunning,

    #[error("the server stopped during the run; nothing of it counts as a backup")]
    Interrupted,
    /// No backup (with a manifest) matches the requested id.
    #[error("backup not found: {0}")]
    NotFound(String),
    /// The target holds no complete backup at all.
    #[error("no backups found in {0}")]
    NoBackups(String),
    /// The object exists but its manifest does not: the upload never finished.
    #[error("manifest missing for {0}: the backup is incomplete and cannot be trusted")]
    ManifestMissing(String),
    /// The manifest exists but the object it describes does not.
    #[error("object missing for backup {0}: only its manifest exists")]
    ObjectMissing(String),
    /// The manifest is not valid JSON of the expected shape.
    #[error("invalid manifest {name}: {reason}")]
    InvalidManifest { name: String, reason: String },
    /// The stored object is shorter than the manifest says, or ends without its final chunk.
    #[error("truncated object {name}: {detail}")]
    Truncated { name: String, detail: String },
    /// The stored object's SHA-256 differs from the manifest's.
    #[error("checksum mismatch for {name}: stored object has SHA-256 {actual}, manifest says {expected}")]
    ChecksumMismatch {
        name: String,
        expected: String,
        actual: String,
    },
    /// The backup was sealed with another master key.
    #[error("wrong master key (key id {actual}, expected {expected})")]
    WrongKey { expected: String, actual: String },
    /// Authenticated decryption failed although the key id matched: the object was altered.
    #[error("decryption failed for {name}: {detail}")]
    DecryptionFailed { name: String, detail: String },
    /// The decrypted stream is not valid zstd.
    #[error("decompression failed for {name}: {detail}")]
    Decompression { name: String, detail: String },
    /// SQLite's `PRAGMA integrity_check` reported problems.
    #[error("integrity_check failed: {0}")]
    IntegrityCheck(String),
    /// The restored copy's row counts differ from those recorded at backup time.
    #[error("row counts differ: {0}")]
    RowCountsDiffer(String),
    /// The restored copy's schema version differs from the manifest's.
    #[error("schema version differs: manifest says {expected}, restored copy has {actual}")]
    SchemaVersionDiffers { expected: i64, actual: i64 },
    /// A running server holds the data directory's lock file.
    #[error(
        "restore refused: a server is running on this data directory (lock file {0} is held); stop it first or restore elsewhere with --to PATH"
    )]
    ServerRunning(PathBuf),
    /// The storage target failed (unreachable, denied, missing bucket, ...).
    #[error("backup target {target}: {op} failed: {reason}")]
    Target {
        target: String,
        op: String,
        reason: String,
    },
    /// SQLite failed while snapshotting or checking.
    #[error("sqlite error while {context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The PostgreSQL store or its client tools failed (`pg_dump`, `pg_restore`).
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// A local file operation failed.
    #[error("i/o error while {context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl BackupError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
        let context = context.into();
        move |source| BackupError::Io { context, source }
    }

    pub(crate) fn sqlite(
        context: impl Into<String>,
    ) -> impl FnOnce(rusqlite::Error) -> BackupError {
        let context = context.into();
        move |source| BackupError::Sqlite { context, source }
    }
}

/// Renders an error with its chain of causes, so a report says "connection refused" and not
/// only "error sending request".
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;
