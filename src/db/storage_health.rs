//! Whether the disk refused the last write for lack of space. The writer records every refusal
//! and clears the state on the next commit that succeeds, so `/readyz` says "degraded" exactly
//! while writes are failing and `/metrics` counts how often that happened.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::{ffi, Connection, ErrorCode};

/// The last refusal: when it happened (Unix ms) and what SQLite said.
#[derive(Clone, Debug)]
pub struct StorageFull {
    pub since_ms: i64,
    pub detail: String,
}

#[derive(Default)]
pub struct StorageHealth {
    /// Fast path for the writer: most commits find this false and take no lock.
    is_full: AtomicBool,
    full: Mutex<Option<StorageFull>>,
    refused: AtomicU64,
    /// Write transactions committed, and the jobs they carried (group commit puts several
    /// jobs in one transaction).
    batches: AtomicU64,
    batched_jobs: AtomicU64,
    /// Batches run again with a savepoint per job, after a job failed having changed rows.
    replays: AtomicU64,
}

impl StorageHealth {
    pub(super) fn record_full(&self, detail: &str) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        let mut full = self.full.lock().expect("storage health lock");
        if full.is_none() {
            tracing::error!(detail = %detail, "the disk is full: writes are refused until space is freed");
            *full = Some(StorageFull {
                since_ms: crate::clock::now_ms(),
                detail: detail.to_string(),
            });
        }
        self.is_full.store(true, Ordering::Release);
    }

    pub(super) fn record_ok(&self) {
        if self.is_full.swap(false, Ordering::AcqRel) {
            self.full.lock().expect("storage health lock").take();
            tracing::info!("writes succeed again: the disk has space");
        }
    }

    /// The current refusal, while writes are failing for lack of space.
    pub fn full(&self) -> Option<StorageFull> {
        self.full.lock().expect("storage health lock").clone()
    }

    pub(super) fn record_batch(&self, jobs: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.batched_jobs.fetch_add(jobs as u64, Ordering::Relaxed);
    }

    pub(super) fn record_replay(&self) {
        self.replays.fetch_add(1, Ordering::Relaxed);
    }

    /// Batches run again, a savepoint per job, since the process started.
    pub fn replays(&self) -> u64 {
        self.replays.load(Ordering::Relaxed)
    }

    /// Write transactions committed since the process started, and the jobs they carried.
    pub fn batches(&self) -> (u64, u64) {
        (
            self.batches.load(Ordering::Relaxed),
            self.batched_jobs.load(Ordering::Relaxed),
        )
    }

    /// How many writes were refused for lack of space since the process started.
    pub fn refused_total(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Whether `err` means the disk is full: SQLITE_FULL (SQLite's own answer to ENOSPC on a
/// write), or an I/O error whose underlying errno is ENOSPC (a failed fsync, growing the
/// shared-memory file). Read right after the failure, before anything else uses `conn`.
pub(super) fn is_out_of_space(conn: &Connection, err: &rusqlite::Error) -> bool {
    match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => true,
        Some(ErrorCode::SystemIoFailure) => errno_is_enospc(conn),
        _ => false,
    }
}

/// The same question for a failure already turned into a domain error: the connection's last
/// error code says whether the statement that failed was refused for space.
// rusqlite has no safe call for a connection's last extended error code.
#[allow(unsafe_code)]
pub(super) fn last_error_is_out_of_space(conn: &Connection) -> bool {
    // SAFETY: the handle is valid while `conn` is borrowed, and this only reads its error code.
    let code = unsafe { ffi::sqlite3_extended_errcode(conn.handle()) } & 0xff;
    code == ffi::SQLITE_FULL || (code == ffi::SQLITE_IOERR && errno_is_enospc(conn))
}

// rusqlite has no safe call for the errno SQLite kept from its last I/O error.
#[allow(unsafe_code)]
fn errno_is_enospc(conn: &Connection) -> bool {
    // SAFETY: as above; sqlite3_system_errno reads the errno SQLite saved from its last I/O error.
    let errno = unsafe { ffi::sqlite3_system_errno(conn.handle()) };
    std::io::Error::from_raw_os_error(errno).kind() == std::io::ErrorKind::StorageFull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_count_and_clear_on_the_next_success() {
        let health = StorageHealth::default();
        assert!(health.full().is_none());
        health.record_full("database or disk is full");
        health.record_full("database or disk is full");
        assert_eq!(health.refused_total(), 2);
        assert!(health.full().is_some());
        health.record_ok();
        assert!(health.full().is_none());
        assert_eq!(health.refused_total(), 2);
    }
}
