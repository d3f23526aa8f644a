//! A long read the server does for itself, on a thread of its own that steps aside for
//! requests, and that stops when nobody waits for it any more: a server told to stop does not
//! wait for a walk over ten million audit events to end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, InterruptHandle};

use crate::error::{DomainError, DomainResult};

/// Shared by the waiting future and the reading thread.
#[derive(Default)]
struct Abandon {
    abandoned: AtomicBool,
    /// The connection the read runs on, once it has one.
    handle: Mutex<Option<InterruptHandle>>,
}

impl Abandon {
    /// Interrupts the read, now or as soon as it has a connection.
    fn abandon(&self) {
        self.abandoned.store(true, Ordering::SeqCst);
        if let Some(h) = &*self.handle.lock().unwrap_or_else(|e| e.into_inner()) {
            h.interrupt();
        }
    }

    /// Registers the read's connection; false when the read was abandoned before it began.
    fn begin(&self, conn: &Connection) -> bool {
        *self.handle.lock().unwrap_or_else(|e| e.into_inner()) = Some(conn.get_interrupt_handle());
        !self.abandoned.load(Ordering::SeqCst)
    }

    /// Forgets the connection before it goes back to the pool, where an interrupt would stop
    /// somebody else's read.
    fn end(&self) {
        *self.handle.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Interrupts the read when the future waiting for it is dropped before it answered.
struct AbandonOnDrop {
    read: Arc<Abandon>,
    answered: bool,
}

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        if !self.answered {
            self.read.abandon();
        }
    }
}

/// Runs `f` on a new thread at lowered priority (nice 10, idle I/O class) with a connection of
/// `pool`. Dropping the returned future interrupts the read (SQLite's `sqlite3_interrupt`): its
/// statement fails at its next step and the connection goes back to the pool.
pub(super) async fn read_aside<T, F>(pool: Pool<SqliteConnectionManager>, f: F) -> DomainResult<T>
where
    T: Send + 'static,
    F: FnOnce(&super::Db<'_>) -> DomainResult<T> + Send + 'static,
{
    let abandon = Arc::new(Abandon::default());
    let mut guard = AbandonOnDrop {
        read: abandon.clone(),
        answered: false,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("armario-aside".into())
        .spawn(move || {
            if let Err(e) = crate::backup::threads::lower_priority() {
                tracing::debug!(error = %e, "a long read runs at the usual priority");
            }
            let result = pool.get().map_err(DomainError::from).and_then(|c| {
                let out = if abandon.begin(&c) {
                    f(&super::Db::sqlite(&c))
                } else {
                    Err(DomainError::Internal("the read was abandoned".into()))
                };
                abandon.end();
                out
            });
            let _ = tx.send(result);
        })
        .map_err(DomainError::internal)?;
    let out = rx.await.map_err(DomainError::internal)?;
    guard.answered = true;
    out
}
