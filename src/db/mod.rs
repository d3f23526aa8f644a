//! The store: one SQLite file in WAL mode, one writer thread that owns the only writing
//! connection (every write is a `BEGIN IMMEDIATE` transaction), and an r2d2 pool of read-only
//! connections. Callers hand closures over; no SQLite call ever runs on the async runtime.
//! All SQL lives in this module's files.

pub mod alerts;
pub mod app_roles;
pub mod applications;
mod aside;
#[cfg(test)]
mod aside_tests;
pub mod audit;
pub mod audit_chain;
#[cfg(test)]
mod audit_chain_tests;
pub mod backups;
mod cell_functions;
pub mod companies;
pub mod company_keys;
#[cfg(test)]
mod company_keys_tests;
pub mod company_list;
pub mod configs;
pub mod email_tokens;
pub mod engine;
pub mod erasure;
pub mod export;
pub mod invitations;
mod kept;
pub mod links;
pub mod login_failures;
pub mod login_links;
pub mod magic_links;
pub mod mfa;
pub mod migrate;
pub mod oidc;
pub mod outbox;
pub mod password_resets;
pub mod personal_columns;
mod personal_indexes;
mod personal_rows;
pub mod pg;
pub mod plans;
pub mod privacy;
pub mod provisioning;
mod queries;
#[cfg(test)]
mod query_plans_tests;
mod reads;
mod replicas;
pub mod reports;
pub mod retention;
pub mod retention_settings;
pub mod sealed;
mod search_page;
pub mod search_terms;
pub mod search_upkeep;
pub mod secrets;
pub mod session_list;
pub mod sessions;
pub mod signing_keys;
pub mod signups;
pub mod sql;
pub mod storage_health;
pub mod store_move;
pub mod usage;
pub mod users;
mod walled;
pub mod webhooks;
#[cfg(test)]
mod webhooks_tests;
mod writer;

pub(crate) use queries::{
    cached_execute, cached_row, has_table, keyset, keyset_page, like_pattern, skip_locked,
};
pub use queries::{database_size, in_snapshot, schema_version};
pub use replicas::Lead;
pub use sql::Db;
pub use walled::InCompany;
pub use writer::Batching;

use std::path::{Path, PathBuf};
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use crate::domain::Company;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
pub use storage_health::{StorageFull, StorageHealth};
use writer::Writer;

/// How hard a commit waits for the disk. FULL survives power loss; NORMAL may lose the last
/// commits on power loss (never on a process crash).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    Full,
    Normal,
}

#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Told after every committed write: the webhook sender looks for new deliveries.
    committed: std::sync::Arc<tokio::sync::Notify>,
    /// Companies read by id, kept until the next commit: applications read theirs on every
    /// call.
    companies: std::sync::Arc<kept::Kept<CompanyId, std::sync::Arc<Company>>>,
    /// How many companies hold each trigram of the search index, for searches.
    search_terms: std::sync::Arc<search_terms::SearchTerms>,
}

/// The store's two kinds: the SQLite file (one writer thread, a pool of readers) or a
/// PostgreSQL server (a pool of connections; see [`pg::store`]).
#[derive(Clone)]
enum Backend {
    Sqlite {
        writer: Writer,
        pool: Pool<SqliteConnectionManager>,
        path: PathBuf,
    },
    Postgres {
        store: pg::store::PgStore,
        /// Bumped after each commit, as the SQLite writer does, for what is kept in memory.
        generation: kept::Generation,
        health: std::sync::Arc<StorageHealth>,
        /// Hears the other replicas' writes, once [`Store::listen_for_replicas`] started it.
        listener: pg::notes::Listener,
    },
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Page cache of each read-only connection, in KiB (SQLite's default is 2,000). A search by
/// name on a million companies reads some 600 pages (the index's lists, its few hundred
/// matches, the page's rows): in 2,000 KiB they pushed one another out on every run, and a
/// quarter of the server's time went to reading them again from the OS. With 4 MiB the search
/// answered 1,760 requests/s instead of 1,090 at 16 connections, p99 19.6 ms instead of 35.4; at
/// most 32 MiB with the default 8 readers, filled only as reads need it.
pub const READER_CACHE_KIB: i64 = 4096;

fn configure(conn: &Connection, sync: Synchronous, read_only: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(256);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let level = match sync {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", level)?;
    // Plans never depend on bound values. Without this a statement with `LIKE ?` (the company
    // and user searches) is compiled again on every run, since a new pattern might allow an
    // index on a prefix: 14% of the server's time in a search under load, for a pattern that
    // always begins with `%`.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    search_terms::attach(conn)?;
    if read_only {
        conn.pragma_update(None, "query_only", "ON")?;
        conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    } else {
        // What a write deletes or replaces is overwritten with zeros, in the page and in pages
        // given back to the free list, so an erasure leaves no old bytes in the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
    }
    Ok(())
}

/// Creates the database file owner-only (0600) before SQLite opens it, and narrows one left
/// wider by an older armario or a copy. SQLite gives the `-wal` and `-shm` files the mode of
/// the database file, so the whole store stays private whatever the process umask is.
fn make_private(path: &Path) -> DomainResult<()> {
    use crate::backup::scratch::{create_private, make_owner_only};
    use std::io::ErrorKind;
    let io = |e: std::io::Error| DomainError::Internal(format!("{}: {e}", path.display()));
    match create_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
                match make_owner_only(&file) {
                    Err(e) if e.kind() != ErrorKind::NotFound => return Err(io(e)),
                    _ => {}
                }
            }
            Ok(())
        }
        Err(e) => Err(io(e)),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applies pending migrations and
    /// refuses a database made by a newer armario.
    pub fn open(
        path: &Path,
        sync: Synchronous,
        readers: u32,
        batching: Batching,
        keys: Option<std::sync::Arc<crate::crypto::company_keys::KeyRing>>,
    ) -> DomainResult<Self> {
        make_private(path)?;
        let mut conn = Connection::open(path)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DomainError::Internal(format!(
                "could not switch {} to WAL mode (got {mode})",
                path.display()
            )));
        }
        configure(&conn, sync, false)?;
        migrate::apply_keyed(&mut conn, keys.clone())?;
        // What another program's writes left for the search index (the writer hands over its
        // own at each commit).
        let tx = conn.transaction()?;
        let queued = search_upkeep::index_pending(&Db::sqlite(&tx))?;
        tx.commit()?;
        if queued {
            tracing::info!("company search index: changes made outside armario indexed");
        }

        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(move |c| {
                configure(c, sync, true)?;
                company_keys::register(c, keys.clone())
            });
        // Connections are local files that do not go stale: skip the check on every checkout.
        let pool = Pool::builder()
            .test_on_check_out(false)
            .max_size(readers.max(1))
            .min_idle(Some(1))
            .build(manager)?;
        let writer = Writer::spawn(
            conn,
            std::sync::Arc::new(StorageHealth::default()),
            batching,
            |c| search_upkeep::index_pending(&Db::sqlite(c)).map(drop),
        );
        Ok(Self {
            companies: std::sync::Arc::new(kept::Kept::new(writer.generation().clone())),
            search_terms: std::sync::Arc::default(),
            backend: Backend::Sqlite {
                writer,
                pool,
                path: path.to_path_buf(),
            },
            committed: Default::default(),
        })
    }

    /// Connects to the PostgreSQL server `url` names (TLS checked against the webpki roots
    /// and `ca_file`), brings its schema to this binary's version, refusing a newer one, and
    /// keeps a pool of `connections`.
    pub fn open_postgres(
        url: &str,
        ca_file: Option<&Path>,
        connections: u32,
        keys: Option<std::sync::Arc<crate::crypto::company_keys::KeyRing>>,
    ) -> DomainResult<Self> {
        let store = pg::store::PgStore::open(url, ca_file, connections, keys)?;
        let generation = kept::Generation::default();
        let listener = pg::notes::Listener::new(store.replica());
        Ok(Self {
            companies: std::sync::Arc::new(kept::Kept::new(generation.clone())),
            search_terms: std::sync::Arc::default(),
            backend: Backend::Postgres {
                store,
                generation,
                health: std::sync::Arc::default(),
                listener,
            },
            committed: Default::default(),
        })
    }

    /// The SQLite file, or `None` on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite { path, .. } => Some(path),
            Backend::Postgres { .. } => None,
        }
    }

    /// The trigram counts a company search picks its index lookup with (`search_terms`).
    pub fn search_terms(&self) -> std::sync::Arc<search_terms::SearchTerms> {
        self.search_terms.clone()
    }

    /// Whether writes are being refused for lack of space, and how often they were.
    pub fn storage_health(&self) -> &StorageHealth {
        match &self.backend {
            Backend::Sqlite { writer, .. } => writer.health(),
            Backend::Postgres { health, .. } => health,
        }
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction on the writer thread; commits when it
    /// returns `Ok`, rolls back its changes otherwise. `f` may run twice (when a write batched
    /// with it fails, see `writer`), so it writes rows and nothing else; only its last run's
    /// outcome is answered.
    pub async fn write<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
    {
        self.write_then(f, |_| Ok(())).await
    }

    /// Resolves after a write commits (at once when one committed since the last call).
    pub async fn committed(&self) {
        self.committed.notified().await
    }

    /// As [`Store::write`]; after the commit, `after` runs on the writer thread with the
    /// connection, before any other write: for caches that must follow commit order.
    pub async fn write_then<T, F, A>(&self, f: F, after: A) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
    {
        self.write_telling(pg::notes::Change::Rows, None, f, after)
            .await
    }

    /// As [`Store::write_then`], for a write to applications, keys or links: on PostgreSQL the
    /// other replicas rebuild their application directory when it commits.
    pub async fn write_directory_then<T, F, A>(&self, f: F, after: A) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
    {
        self.write_telling(pg::notes::Change::Directory, None, f, after)
            .await
    }

    pub(super) async fn write_telling<T, F, A>(
        &self,
        change: pg::notes::Change,
        company: Option<CompanyId>,
        f: F,
        after: A,
    ) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static,
        A: FnOnce(&Db<'_>) -> DomainResult<()> + Send + 'static,
    {
        let out = match &self.backend {
            Backend::Sqlite { writer, .. } => writer.run(f, after).await,
            Backend::Postgres {
                store, generation, ..
            } => {
                let (store, generation) = (store.clone(), generation.clone());
                tokio::task::spawn_blocking(move || {
                    let value = store.write_grouped(change, company, f)?;
                    generation.bump();
                    store.read(after)?;
                    Ok(value)
                })
                .await
                .map_err(DomainError::internal)?
            }
        };
        self.committed.notify_one();
        out
    }

    /// Copies the write-ahead log into the database file and empties the log, on the writer
    /// thread after the writes queued before it: the log's older frames (earlier versions of
    /// pages) are gone from the file. Readers still on an older snapshot can leave it partly
    /// done; SQLite then reuses the log from its start after the next checkpoint.
    pub async fn checkpoint(&self) -> DomainResult<()> {
        let Backend::Sqlite { writer, .. } = &self.backend else {
            return Ok(());
        };
        writer
            .run(
                |_| Ok(()),
                |c| {
                    let busy: i64 =
                        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
                    if busy != 0 {
                        tracing::info!("checkpoint left part of the log for readers");
                    }
                    Ok(())
                },
            )
            .await
    }

    /// Seals what is still in clear under the companies' keys (after an upgrade or a restore),
    /// on the writer thread; see [`company_keys::seal_pending`].
    pub async fn seal_pending(&self) -> DomainResult<company_keys::SealReport> {
        let Backend::Sqlite { writer, .. } = &self.backend else {
            let indexes_recomputed = self.write(company_keys::reindex_pending).await?;
            return Ok(company_keys::SealReport {
                indexes_recomputed,
                ..Default::default()
            });
        };
        let report = std::sync::Arc::new(std::sync::Mutex::new(None));
        let out = report.clone();
        writer
            .run(
                |_| Ok(()),
                move |c| {
                    let done = company_keys::seal_pending(c, crate::clock::now_ms())?;
                    *out.lock().unwrap_or_else(|p| p.into_inner()) = Some(done);
                    Ok(())
                },
            )
            .await?;
        let done = report.lock().unwrap_or_else(|p| p.into_inner()).take();
        Ok(done.unwrap_or_default())
    }

    /// Finishes queued writes, checkpoints the WAL and closes the writer connection.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { writer, .. } => writer.close().await,
            Backend::Postgres { listener, .. } => listener.stop(),
        }
    }
}
