//! The threads backup work runs on, so that no blocking step runs on the async runtime: heavy
//! work (snapshot, compression, encryption) on a thread of its own that steps aside for the
//! server, light file work on the runtime's blocking pool. A run is one async pipeline that
//! awaits these steps; nothing here ever blocks on a future.

use std::sync::atomic::{AtomicBool, Ordering};

use super::error::{BackupError, Result};

/// Nice value of the backup thread: the server's writer and readers win the CPU.
const BACKUP_NICE: i32 = 10;

/// Runs heavy blocking work on a thread of its own at a lower CPU priority and in the idle I/O
/// class, so on a small machine requests win the CPU and the disk while a backup runs. Threads
/// it starts inherit both; the thread ends with the work, so the shared blocking pool never
/// keeps a lowered priority.
pub(crate) async fn on_backup_thread<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("armario-backup".into())
        .spawn(move || {
            step_aside();
            let _ = tx.send(f());
        })
        .map_err(|e| BackupError::Io {
            context: "starting the backup thread".into(),
            source: e,
        })?;
    rx.await.map_err(|_| BackupError::Io {
        context: "running the backup thread".into(),
        source: std::io::Error::other("the backup thread stopped"),
    })?
}

/// Runs blocking file work off the async runtime.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BackupError::Io {
            context: "running a blocking task".into(),
            source: std::io::Error::other(e.to_string()),
        })?
}

/// Lowers the calling thread's priorities, saying once per process when it cannot (a seccomp
/// filter that forbids `setpriority` or `ioprio_set`, for one): backups still run, only
/// without stepping aside, and the operator should know why requests slow down meanwhile.
fn step_aside() {
    // Process-wide on purpose: the warning is about the host, not about one engine.
    static WARNED: AtomicBool = AtomicBool::new(false);
    warn_once_if_failed(lower_priority(), &WARNED);
}

/// Logs `result`'s error unless `warned` says it was logged already; true when it logged.
fn warn_once_if_failed(result: std::io::Result<()>, warned: &AtomicBool) -> bool {
    let Err(e) = result else {
        return false;
    };
    if warned.swap(true, Ordering::Relaxed) {
        return false;
    }
    tracing::warn!(error = %e, "could not lower the backup thread's priority; backups will compete with requests for CPU and disk");
    true
}

/// Nice 10 and the idle I/O class for the calling thread (on Linux, `setpriority` and
/// `ioprio_set` with who = 0 name the calling thread).
#[cfg(target_os = "linux")]
// Two system calls the libc crate exposes only as unsafe functions; no safe wrapper exists.
#[allow(unsafe_code)]
pub(crate) fn lower_priority() -> std::io::Result<()> {
    // SAFETY: both calls take plain integers and touch no memory of ours.
    let nice = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BACKUP_NICE) };
    if nice != 0 {
        let e = std::io::Error::last_os_error();
        return Err(std::io::Error::new(e.kind(), format!("setpriority: {e}")));
    }
    // SAFETY: as above.
    let io = unsafe { libc::syscall(libc::SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_IDLE) };
    if io != 0 {
        let e = std::io::Error::last_os_error();
        return Err(std::io::Error::new(e.kind(), format!("ioprio_set: {e}")));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn lower_priority() -> std::io::Result<()> {
    let _ = BACKUP_NICE;
    Ok(())
}

/// From linux/ioprio.h, which the libc crate does not carry.
#[cfg(target_os = "linux")]
const IOPRIO_WHO_PROCESS: libc::c_int = 1;
#[cfg(target_os = "linux")]
const IOPRIO_CLASS_IDLE: libc::c_int = 3;
#[cfg(target_os = "linux")]
const IOPRIO_CLASS_SHIFT: libc::c_int = 13;
#[cfg(target_os = "linux")]
const IOPRIO_IDLE: libc::c_int = IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT;

#[cfg(all(test, target_os = "linux"))]
// Reads the thread's priorities back through the same system calls.
#[allow(unsafe_code)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_backup_thread_runs_at_nice_10_in_the_idle_io_class() {
        let (nice, ioprio) = on_backup_thread(|| {
            // SAFETY: plain integer system calls about the calling thread.
            let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
            let ioprio = unsafe { libc::syscall(libc::SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) };
            Ok((nice, ioprio))
        })
        .await
        .unwrap();
        assert_eq!(nice, BACKUP_NICE);
        assert_eq!(
            ioprio as libc::c_int >> IOPRIO_CLASS_SHIFT,
            IOPRIO_CLASS_IDLE
        );
    }

    #[test]
    fn a_refused_priority_change_is_logged_once() {
        let warned = AtomicBool::new(false);
        let refused = || Err(std::io::Error::from_raw_os_error(libc::EPERM));
        assert!(!warn_once_if_failed(Ok(()), &warned));
        assert!(warn_once_if_failed(refused(), &warned));
        assert!(!warn_once_if_failed(refused(), &warned));
    }
}
