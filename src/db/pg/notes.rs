//! What one replica's writes tell the others sharing its PostgreSQL database. Each write
//! transaction sends a note on one channel (`pg_notify`, delivered when it commits, never when
//! it rolls back); every replica listens on a connection of its own, and on a note from another
//! replica retires what it keeps in memory (the store's generation) and, when the write
//! changed applications, keys or links, rebuilds its application directory. A note is
//! delivered within milliseconds of the commit; when the listening connection is lost, the
//! replica reconnects and retires everything, since notes sent meanwhile are gone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::store::PgStore;
use crate::db::kept::Generation;
use crate::db::sql::Db;
use crate::error::DomainResult;

/// The channel every replica of a database listens on.
pub const CHANNEL: &str = "armario_changes";

/// What a write changed, as its note says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Rows: what is kept in memory must be read again.
    Rows,
    /// Applications, their keys or their links: the application directory too.
    Directory,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Rows => "rows",
            Change::Directory => "directory",
        }
    }
}

/// The note a write of `replica` sends: `replica:change`.
pub fn note(replica: &str, change: Change) -> String {
    format!("{replica}:{}", change.as_str())
}

/// Rebuilds what a replica keeps of the application directory, from the store.
pub type Rebuild = Arc<dyn Fn(&Db<'_>) -> DomainResult<()> + Send + Sync>;

/// One replica's listener: its name in the notes, the hook that rebuilds its directory and
/// the flag that stops it.
#[derive(Clone)]
pub struct Listener {
    pub replica: Arc<str>,
    directory: Arc<Mutex<Option<Rebuild>>>,
    stop: Arc<AtomicBool>,
}

/// What a note acts on: the store to read, the generation of the rows kept in memory, and the
/// store's wake-up for the senders.
struct Heard<'a> {
    store: &'a PgStore,
    generation: &'a Generation,
    committed: &'a tokio::sync::Notify,
}

/// A new name for this process among the replicas.
pub fn new_replica() -> Arc<str> {
    let name: String = (0..8)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect();
    name.into()
}

impl Listener {
    /// The listener of the replica `replica` (the name its own writes' notes carry).
    pub fn new(replica: Arc<str>) -> Self {
        Self {
            replica,
            directory: Arc::default(),
            stop: Arc::default(),
        }
    }

    /// Sets what rebuilds the application directory when another replica changed it.
    pub fn on_directory_change(&self, rebuild: Rebuild) {
        *self.directory.lock().unwrap_or_else(|p| p.into_inner()) = Some(rebuild);
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Listens on a thread of its own until [`Listener::stop`].
    pub(in crate::db) fn spawn(
        &self,
        url: String,
        ca_file: Option<std::path::PathBuf>,
        store: PgStore,
        generation: Generation,
        committed: Arc<tokio::sync::Notify>,
    ) {
        let this = self.clone();
        let _ = std::thread::Builder::new()
            .name("armario-pg-notes".into())
            .spawn(move || {
                let heard = Heard {
                    store: &store,
                    generation: &generation,
                    committed: &committed,
                };
                this.run(&url, ca_file.as_deref(), &heard)
            });
    }

    fn run(&self, url: &str, ca_file: Option<&std::path::Path>, heard: &Heard<'_>) {
        let mut first = true;
        while !self.stop.load(Ordering::Relaxed) {
            let mut client = match super::connect(url, ca_file) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for other replicas' changes");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            };
            if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")) {
                tracing::warn!(error = %e, "cannot listen for other replicas' changes");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            if !first {
                // Notes sent while no connection listened are lost: retire everything.
                self.apply(Change::Directory, heard);
            }
            first = false;
            self.listen(&mut client, heard);
        }
    }

    /// Applies the notes of one connection until it fails or the listener stops.
    fn listen(&self, client: &mut postgres::Client, heard: &Heard<'_>) {
        while !self.stop.load(Ordering::Relaxed) {
            let mut notes = client.notifications();
            let mut incoming = notes.timeout_iter(Duration::from_millis(200));
            loop {
                let n = match incoming.next() {
                    Ok(Some(n)) => n,
                    Ok(None) => break,
                    Err(e) => {
                        if !self.stop.load(Ordering::Relaxed) {
                            tracing::warn!(error = %e, "lost the connection that hears other replicas");
                        }
                        return;
                    }
                };
                let Some((replica, change)) = n.payload().split_once(':') else {
                    continue;
                };
                if replica == &*self.replica {
                    continue;
                }
                let change = if change == Change::Directory.as_str() {
                    Change::Directory
                } else {
                    Change::Rows
                };
                self.apply(change, heard);
                if self.stop.load(Ordering::Relaxed) {
                    return;
                }
            }
            drop(incoming);
            drop(notes);
            if client.is_closed() {
                return;
            }
        }
    }

    fn apply(&self, change: Change, heard: &Heard<'_>) {
        heard.generation.bump();
        // The senders look for what the other replica queued (a webhook delivery, say).
        heard.committed.notify_one();
        if change != Change::Directory {
            return;
        }
        let rebuild = self
            .directory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(rebuild) = rebuild {
            if let Err(e) = heard.store.read(|db| rebuild(db)) {
                tracing::warn!(error = %e, "could not rebuild the application directory");
            }
        }
    }
}
