//! The engine value the server and the CLI hold, and one backup run from snapshot to manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Mutex;

use super::archive::{seal_file, SealedFile};
use super::company_seal::{seal_snapshot, CompanyKeys};
use super::crypto::BackupKey;
use super::error::{error_chain, BackupError, Result};
use super::manifest::{self, parse_stored_name, BackupId, Manifest, StoredName};
use super::progress::step;
use super::scratch::{self, ScratchDir};
use super::settings::BackupSettings;
use super::snapshot::{take_snapshot, DbFacts};
use super::target::{StoredObject, Target};
use super::threads::on_backup_thread;
use crate::clock::{Clock, SystemClock};
use crate::crypto::company_keys::KeyRing;
use crate::crypto::MasterKey;
use crate::datadir;

/// The sealed object's name inside a run's scratch directory.
const SEALED_FILE: &str = "sealed.enc";

/// How long an interrupted run may spend deleting its partial object.
const INTERRUPTED_CLEANUP: std::time::Duration = std::time::Duration::from_secs(3);

/// Outcome of one backup run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupStatus {
    Succeeded,
    Failed,
}

/// What one run did, for the `backup_runs` table, the audit log and the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub id: BackupId,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: BackupStatus,
    /// Size of the stored object in bytes (succeeded runs).
    pub size: Option<u64>,
    /// Where the object is: its key in the bucket (`prefix/armario-<id>.db.zst.enc`) or its
    /// path in the local directory.
    pub object_name: Option<String>,
    /// Why the run failed, with the underlying cause.
    pub error: Option<String>,
    /// Backups deleted by retention after this run.
    pub pruned: Vec<BackupId>,
    /// Problems that did not fail the run (a failed prune).
    pub warnings: Vec<String>,
}

/// One backup as found on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    pub id: BackupId,
    pub created_at: DateTime<Utc>,
    pub object: Option<StoredObject>,
    pub manifest_name: Option<String>,
}

impl BackupEntry {
    /// Object and manifest are both there: this counts as a backup.
    pub fn is_complete(&self) -> bool {
        self.object.is_some() && self.manifest_name.is_some()
    }
}

/// Takes, checks, seals, uploads, lists, prunes, verifies and restores backups.
pub struct BackupEngine {
    pub(crate) data_dir: PathBuf,
    pub(crate) target: Target,
    pub(crate) key: BackupKey,
    /// Opens the store's company keys, which the manifest carries.
    pub(crate) company_keys: Arc<KeyRing>,
    pub(crate) settings: BackupSettings,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) quiet: bool,
    /// The PostgreSQL database backed up instead of the SQLite file (`with_postgres`).
    pub(crate) postgres: Option<crate::db::pg::backup::PgDatabase>,
    run_lock: Mutex<()>,
    /// Held from a run's snapshot to its manifest, and while erasures rewrite manifests: a
    /// company erased during a run is taken out of that run's manifest too.
    pub(crate) manifest_lock: Mutex<()>,
}

impl BackupEngine {
    /// An engine for the database `<data_dir>/armario.db`, sealing under a key derived from
    /// `master_key`. Builds the target client but makes no network call.
    pub fn new(data_dir: &Path, settings: BackupSettings, master_key: &MasterKey) -> Result<Self> {
        Ok(BackupEngine {
            data_dir: data_dir.to_path_buf(),
            target: Target::from_settings(&settings.target)?,
            key: BackupKey::derive(master_key),
            company_keys: Arc::new(KeyRing::new(master_key, &[])),
            settings,
            clock: Arc::new(SystemClock),
            quiet: true,
            postgres: None,
            run_lock: Mutex::new(()),
            manifest_lock: Mutex::new(()),
        })
    }

    /// Replaces the wall clock (tests, simulations).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens the store's company keys with the previous master keys too (a server started
    /// with a new key before `keys rotate` re-sealed them).
    pub fn with_previous_keys(mut self, current: &MasterKey, previous: &[MasterKey]) -> Self {
        self.company_keys = Arc::new(KeyRing::new(current, previous));
        self
    }

    /// Shows progress lines on stderr when it is a terminal (the CLI); the default is quiet.
    pub fn with_terminal_progress(mut self, on: bool) -> Self {
        self.quiet = !on;
        self
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(datadir::DB_FILE)
    }

    pub fn settings(&self) -> &BackupSettings {
        &self.settings
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Key id of the master key this engine seals with.
    pub fn key_id(&self) -> &str {
        self.key.key_id()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs one backup now, then applies retention. Only one run at a time: a second call while
    /// one is running returns `Err(AlreadyRunning)` at once. Any other failure is reported in
    /// the returned report with status `Failed`, never as a success.
    pub async fn run_backup(&self) -> Result<BackupReport> {
        self.run_backup_until(std::future::pending()).await
    }

    /// [`Self::run_backup`], given up when `stop` resolves first: the report then says the run
    /// was interrupted, and a partly written object is deleted when the target allows it
    /// within a few seconds (otherwise retention removes it, as any object without a
    /// manifest). Snapshot work already under way finishes on its own thread and is thrown
    /// away; its scratch directory is swept at the next start.
    pub async fn run_backup_until(
        &self,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<BackupReport> {
        let _guard = self
            .run_lock
            .try_lock()
            .map_err(|_| BackupError::AlreadyRunning)?;
        let started_at = self.clock.now();
        let id = BackupId::generate(started_at);
        tracing::info!(backup_id = %id, target = %self.target.describe(), "backup started");
        let mut report = BackupReport {
            id: id.clone(),
            started_at,
            finished_at: started_at,
            status: BackupStatus::Failed,
            size: None,
            object_name: None,
            error: None,
            pruned: Vec::new(),
            warnings: Vec::new(),
        };
        let outcome = tokio::select! {
            outcome = self.backup_once(&id, started_at) => outcome,
            () = stop => {
                self.forget_interrupted(&id).await;
                Err(BackupError::Interrupted)
            }
        };
        match outcome {
            Ok(manifest) => {
                report.status = BackupStatus::Succeeded;
                report.size = Some(manifest.encrypted_size);
                report.object_name = Some(self.target.full_name(&manifest.object));
                match self.prune(self.clock.now()).await {
                    Ok(pruned) => report.pruned = pruned.deleted,
                    Err(e) => report.warnings.push(format!("retention failed: {e}")),
                }
                tracing::info!(backup_id = %id, size = manifest.encrypted_size, "backup succeeded");
            }
            Err(e) => {
                let reason = error_chain(&e);
                tracing::error!(backup_id = %id, error = %reason, "backup failed");
                report.error = Some(reason);
            }
        }
        report.finished_at = self.clock.now();
        Ok(report)
    }

    /// Deletes what an interrupted run may have stored, giving up after a few seconds: the
    /// server is stopping, and retention removes any leftover later.
    async fn forget_interrupted(&self, id: &BackupId) {
        let object = id.object_name();
        let deleted = tokio::time::timeout(INTERRUPTED_CLEANUP, self.target.delete(&object)).await;
        if !matches!(deleted, Ok(Ok(_))) {
            tracing::warn!(backup_id = %id, "an interrupted backup's object could not be deleted now; retention removes it later");
        }
    }

    async fn backup_once(&self, id: &BackupId, created_at: DateTime<Utc>) -> Result<Manifest> {
        let _manifests = self.manifest_lock.lock().await;
        let (facts, sealed, company_keys, run_dir) = self.snapshot_and_seal().await?;
        let object = id.object_name();
        step(
            &format!("uploading to {}", self.target.describe()),
            self.quiet,
        );
        self.target
            .put_file(&object, &run_dir.path().join(SEALED_FILE), self.quiet)
            .await?;
        drop(run_dir);
        let manifest = Manifest {
            format: manifest::MANIFEST_FORMAT,
            id: id.clone(),
            created_at,
            schema_version: facts.schema_version,
            plaintext_size: sealed.plaintext_size,
            encrypted_size: sealed.encrypted_size,
            sha256: sealed.sha256,
            row_counts: facts.row_counts,
            key_id: self.key.key_id().to_string(),
            armario_version: env!("CARGO_PKG_VERSION").to_string(),
            object: object.clone(),
            compression: manifest::COMPRESSION.into(),
            encryption: manifest::ENCRYPTION.into(),
            audit_head: facts.audit_head,
            company_keys: company_keys
                .iter()
                .map(|(company, key)| {
                    let wrapped = self.key.wrap_company_key(id.as_str(), company, key);
                    (company.clone(), wrapped)
                })
                .collect(),
        };
        // The manifest goes last: without it the object does not count as a backup.
        if let Err(e) = self
            .target
            .put_bytes(&id.manifest_name(), manifest.to_json())
            .await
        {
            let _ = self.target.delete(&object).await;
            return Err(e);
        }
        Ok(manifest)
    }

    /// Removes what interrupted runs left in the scratch directory; runs still going on (in
    /// this process or another) are spared. The server and every backup command call it at
    /// start; each run calls it again before it begins.
    pub fn sweep_scratch(&self) {
        scratch::sweep(&self.data_dir);
    }

    /// Snapshot, check and seal, off the async runtime, in a private scratch directory. The
    /// clear-text snapshot is removed before this returns; the sealed file
    /// (`<run dir>/sealed.enc`) goes with the returned directory when it drops.
    async fn snapshot_and_seal(&self) -> Result<(DbFacts, SealedFile, CompanyKeys, ScratchDir)> {
        let (data_dir, db, key, quiet, live, postgres) = (
            self.data_dir.clone(),
            self.db_path(),
            self.key.clone(),
            self.quiet,
            self.company_keys.clone(),
            self.postgres.clone(),
        );
        on_backup_thread(move || {
            scratch::sweep(&data_dir);
            if let Some(pg) = postgres {
                let run_dir = ScratchDir::create(&data_dir)
                    .map_err(BackupError::io("creating the backup scratch directory"))?;
                let dump = run_dir.file("snapshot", "dump");
                // Owner-only before pg_dump writes the whole database into it in clear (it
                // would make it with the umask's mode).
                scratch::create_private(dump.path())
                    .map_err(BackupError::io("creating the snapshot file"))?;
                step("taking snapshot (pg_dump)", quiet);
                let (facts, keys) = super::postgres::dump(&pg, dump.path(), &live)?;
                let sealed =
                    seal_file(dump.path(), &run_dir.path().join(SEALED_FILE), &key, quiet)?;
                drop(dump);
                return Ok((facts, sealed, keys, run_dir));
            }
            if !db.exists() {
                return Err(BackupError::Io {
                    context: format!("opening {}", db.display()),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                });
            }
            let run_dir = ScratchDir::create(&data_dir)
                .map_err(BackupError::io("creating the backup scratch directory"))?;
            let snapshot = run_dir.file("snapshot", "db");
            let started = std::time::Instant::now();
            step("taking snapshot", quiet);
            take_snapshot(&db, snapshot.path())?;
            let snapshot_ms = started.elapsed().as_millis();
            step("sealing personal data per company", quiet);
            let sealed_copy = seal_snapshot(snapshot.path(), &live)?;
            let seal_ms = started.elapsed().as_millis() - snapshot_ms;
            let sealed_path = run_dir.path().join(SEALED_FILE);
            let sealed = seal_file(snapshot.path(), &sealed_path, &key, quiet)?;
            drop(snapshot);
            tracing::info!(
                snapshot_ms,
                seal_ms,
                rest_ms = started.elapsed().as_millis() - snapshot_ms - seal_ms,
                "backup steps timed"
            );
            Ok((sealed_copy.facts, sealed, sealed_copy.keys, run_dir))
        })
        .await
    }

    /// Every backup-looking name on the target, grouped by id, oldest first.
    pub async fn list(&self) -> Result<Vec<BackupEntry>> {
        let mut entries: Vec<BackupEntry> = Vec::new();
        for object in self.target.list().await? {
            let (id, is_manifest) = match parse_stored_name(&object.name) {
                Some(StoredName::Object(id)) => (id, false),
                Some(StoredName::Manifest(id)) => (id, true),
                None => continue,
            };
            let pos = match entries.iter().position(|e| e.id == id) {
                Some(pos) => pos,
                None => {
                    entries.push(BackupEntry {
                        created_at: id.time(),
                        id,
                        object: None,
                        manifest_name: None,
                    });
                    entries.len() - 1
                }
            };
            if is_manifest {
                entries[pos].manifest_name = Some(object.name);
            } else {
                entries[pos].object = Some(object);
            }
        }
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(entries)
    }

    /// The newest complete backup, if any.
    pub async fn latest_good(&self) -> Result<Option<BackupEntry>> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .rev()
            .find(BackupEntry::is_complete))
    }

    /// The master key id in the manifest of `id`, read from the manifest's first bytes; the
    /// whole manifest is read only when they do not hold it.
    pub async fn manifest_key_id(&self, id: &BackupId) -> Result<String> {
        let name = id.manifest_name();
        let head = self
            .target
            .get_prefix(&name, manifest::HEAD_BYTES)
            .await?
            .ok_or_else(|| BackupError::ManifestMissing(id.object_name()))?;
        if let Some(key_id) = Manifest::key_id_from_head(&name, &head)? {
            return Ok(key_id);
        }
        let (name, bytes) = if (head.len() as u64) < manifest::HEAD_BYTES {
            (name, head)
        } else {
            self.manifest_bytes(id).await?
        };
        Manifest::key_id_from_json(&name, &bytes)
    }

    /// Reads and parses the manifest of `id`.
    pub async fn manifest(&self, id: &BackupId) -> Result<Manifest> {
        let (name, bytes) = self.manifest_bytes(id).await?;
        Manifest::from_json(&name, &bytes)
    }

    /// The name and stored bytes of the manifest of `id`.
    async fn manifest_bytes(&self, id: &BackupId) -> Result<(String, Vec<u8>)> {
        let name = id.manifest_name();
        let bytes = self
            .target
            .get_bytes(&name)
            .await?
            .ok_or_else(|| BackupError::ManifestMissing(id.object_name()))?;
        Ok((name, bytes))
    }
}
