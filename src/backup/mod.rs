//! The backup engine: consistent online snapshots of the SQLite database, compressed with zstd,
//! sealed with AES-256-GCM under a key derived from the master key, stored in a local directory
//! or an S3-compatible bucket with a manifest beside each object; retention, verification,
//! restore and the twice-a-day schedule.
//!
//! The engine knows nothing of HTTP or of the application's tables: the server wires
//! [`run_scheduler`] in with a [`RunRecorder`] that writes `backup_runs` and the audit log, and
//! the CLI calls [`BackupEngine::run_backup`], [`BackupEngine::list`],
//! [`BackupEngine::verify`] and [`BackupEngine::restore`].

mod archive;
mod crypto;
mod error;
mod manifest;
mod progress;
mod scratch;
mod settings;
mod snapshot;
mod target;

pub use error::{BackupError, Result};
pub use settings::{parse_times, parse_timezone, BackupConfig, BackupSettings, S3Settings, Secret, TargetSettings};

/// File name of the live database inside the data directory.
pub const DB_FILE_NAME: &str = "armario.db";
