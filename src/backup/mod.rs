//! The backup engine: consistent online snapshots of the SQLite database, compressed with zstd,
//! sealed with AES-256-GCM under a key derived from the master key, stored in a local directory
//! or an S3-compatible bucket with a manifest beside each object; retention, verification,
//! restore and the twice-a-day schedule.
//!
//! It shares the crate's primitives rather than keeping its own: the master key and its id
//! (`crypto::MasterKey`, HKDF label `BACKUP_INFO`), the clock (`crate::clock`) and the names
//! inside the data directory (`crate::datadir`).
//!
//! The engine knows nothing of HTTP or of the application's tables: the server wires
//! [`run_scheduler`] in with a [`RunRecorder`] that writes `backup_runs` and the audit log, and
//! the CLI calls [`BackupEngine::run_backup`], [`BackupEngine::list`],
//! [`BackupEngine::verify`] and [`BackupEngine::restore`].

mod archive;
mod company_seal;
mod crypto;
mod engine;
mod erasure;
mod error;
mod manifest;
mod pg_rows;
mod postgres;
mod progress;
mod restore;
mod retention;
mod schedule;
pub(crate) mod scratch;
mod seal_keys;
mod settings;
mod snapshot;
mod target;
pub(crate) mod threads;
mod verify;

pub use company_seal::Unsealed;
pub use crypto::BackupKey;
pub use engine::{BackupEngine, BackupEntry, BackupReport, BackupStatus};
pub use erasure::{ForgetReport, LEDGER_NAME};
pub(crate) use error::error_chain;
pub use error::{BackupError, Result};
pub use manifest::{BackupId, Manifest};
pub use restore::{RestoreOptions, RestoreReport};
pub use retention::{plan_prune, PruneReport};
pub use schedule::{due_at_start, next_run, run_scheduler, RunRecorder, Turn};
pub use settings::{
    parse_times, parse_timezone, BackupConfig, BackupSettings, S3Settings, Secret, TargetSettings,
};
pub use target::{StoredObject, Target};
pub use verify::{BackupSelector, VerifyReport};
