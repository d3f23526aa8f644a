//! Backups as the application sees them: the engine (in `crate::backup`) takes, checks, seals
//! and stores snapshots; this records every run in `backup_runs` and the audit log, and
//! triggers runs for the API and the CLI.

use std::sync::Arc;

use serde_json::json;

use crate::access::Owner;
use crate::backup::{
    BackupEngine, BackupError, BackupId, BackupReport, BackupSelector, BackupSettings,
    BackupStatus, RunRecorder,
};
use crate::clock::now_ms;
use crate::config::Settings;
use crate::crypto::MasterKey;
use crate::db;
use crate::db::backups::BackupRun;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::Page;
use crate::error::{DomainError, DomainResult};
use crate::metrics::Metrics;

/// Validates the `[backup]` settings into the engine's form; errors name the setting.
pub fn settings(s: &Settings) -> Result<BackupSettings, String> {
    s.backup.resolve(&s.data_dir).map_err(|e| e.to_string())
}

/// The backup engine for these settings. The server and every backup command get theirs here,
/// so each of them first sweeps what killed runs left in the scratch directory.
pub fn engine(s: &Settings, key: &MasterKey) -> Result<BackupEngine, String> {
    let engine = BackupEngine::new(&s.data_dir, settings(s)?, key)
        .map_err(|e| e.to_string())?
        .with_previous_keys(key, &crate::datadir::previous_keys(s)?);
    let engine = match &s.database_url {
        Some(url) => engine.with_postgres(crate::db::pg::backup::PgDatabase::new(
            url.expose(),
            s.database_ca_file.as_deref(),
            s.pg_bin_dir.as_deref(),
        )),
        None => engine,
    };
    engine.sweep_scratch();
    Ok(engine)
}

fn run_of(report: &BackupReport, trigger: &str) -> BackupRun {
    BackupRun {
        id: report.id.as_str().to_string(),
        started_at: report.started_at.timestamp_millis(),
        finished_at: report.finished_at.timestamp_millis(),
        succeeded: report.status == BackupStatus::Succeeded,
        size: report.size.map(|s| s as i64),
        object_name: report.object_name.clone(),
        error: report.error.clone(),
        trigger: trigger.to_string(),
    }
}

/// Records a run and its audit event in one transaction, and logs a failure as an error.
pub async fn record(
    store: &Store,
    report: &BackupReport,
    trigger: &'static str,
    ctx: AuditCtx,
) -> DomainResult<()> {
    let run = run_of(report, trigger);
    if run.succeeded {
        tracing::info!(backup_id = %run.id, size = run.size, object = ?run.object_name, trigger, "backup succeeded");
    } else {
        tracing::error!(backup_id = %run.id, reason = ?run.error, trigger, "backup failed");
    }
    for w in &report.warnings {
        tracing::warn!(backup_id = %run.id, warning = %w, "backup warning");
    }
    let pruned: Vec<String> = report
        .pruned
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    store
        .write(move |tx| {
            db::backups::insert(tx, &run)?;
            let action = if run.succeeded {
                "backup.succeeded"
            } else {
                "backup.failed"
            };
            let event = NewAuditEvent::new(action)
                .target("backup", &run.id)
                .details(json!({
                    "trigger": run.trigger, "size": run.size, "object_name": run.object_name,
                    "error": run.error, "pruned": pruned,
                }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await
}

/// Moves the metrics' last-good-backup gauge when `report` is a success.
fn note_success(metrics: &Metrics, report: &BackupReport) {
    if report.status == BackupStatus::Succeeded {
        metrics.set_last_backup(report.finished_at.timestamp());
    }
}

/// Whether a stored backup passed the verification that follows its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    Good,
    Bad(String),
}

/// Verifies the backup a successful run stored, as `armario backup verify` does: downloads it,
/// checks its SHA-256, opens it, runs `integrity_check` on the copy and compares its row counts
/// with the manifest; then records the outcome ([`record_verification`]). Nothing to do for a
/// failed run.
pub async fn verify_run(
    engine: &BackupEngine,
    store: &Store,
    metrics: &Metrics,
    report: &BackupReport,
    ctx: AuditCtx,
) -> DomainResult<Option<Verified>> {
    if report.status != BackupStatus::Succeeded {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let outcome = match engine
        .verify(&BackupSelector::Id(report.id.as_str().into()))
        .await
    {
        Ok(_) => Verified::Good,
        Err(e) => Verified::Bad(crate::backup::error_chain(&e)),
    };
    let ms = started.elapsed().as_millis() as i64;
    record_verification(store, metrics, &report.id, &outcome, ms, ctx).await?;
    Ok(Some(outcome))
}

/// Logs and audits a verification's outcome (`backup.verified`, `backup.verification_failed`).
/// A backup that failed no longer counts as good: its run is recorded as failed with the
/// reason, so the dashboard, the `backup_failed` alert and `/readyz` see it.
pub async fn record_verification(
    store: &Store,
    metrics: &Metrics,
    id: &BackupId,
    outcome: &Verified,
    ms: i64,
    ctx: AuditCtx,
) -> DomainResult<()> {
    let (recorded, run) = (outcome.clone(), id.as_str().to_string());
    store
        .write(move |tx| {
            let (action, details) = match &recorded {
                Verified::Good => ("backup.verified", json!({ "duration_ms": ms })),
                Verified::Bad(reason) => {
                    db::backups::mark_failed(tx, &run, &format!("verification failed: {reason}"))?;
                    (
                        "backup.verification_failed",
                        json!({ "duration_ms": ms, "error": reason }),
                    )
                }
            };
            let event = NewAuditEvent::new(action)
                .target("backup", &run)
                .details(details);
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    match outcome {
        Verified::Good => tracing::info!(backup_id = %id, ms, "backup verified"),
        Verified::Bad(reason) => {
            tracing::error!(backup_id = %id, reason = %reason, "backup failed its verification and no longer counts as good");
            let good = last_good(store).await?;
            metrics.set_last_backup(good.map_or(0, |run| run.finished_at / 1000));
        }
    }
    Ok(())
}

/// The scheduler's recorder.
pub struct SchedulerRecorder {
    pub engine: Arc<BackupEngine>,
    pub store: Store,
    pub metrics: Arc<Metrics>,
}

impl RunRecorder for SchedulerRecorder {
    async fn take_turn(&self, since: chrono::DateTime<chrono::Utc>) -> Option<crate::backup::Turn> {
        let lead = match self.store.try_lead("backup").await {
            Ok(lead) => lead?,
            Err(e) => {
                tracing::error!(error = %e, "could not take the backup's turn");
                return None;
            }
        };
        if self.store.path().is_some() {
            // One server on the file: its own schedule is the only one.
            return Some(Box::new(lead));
        }
        let since_ms = since.timestamp_millis();
        match self
            .store
            .read(move |db| crate::db::backups::started_since(db, since_ms))
            .await
        {
            Ok(false) => Some(Box::new(lead)),
            Ok(true) => None,
            Err(e) => {
                tracing::error!(error = %e, "could not read the last backup runs");
                None
            }
        }
    }

    async fn record(&self, report: &BackupReport) {
        note_success(&self.metrics, report);
        if let Err(e) = record(&self.store, report, "scheduler", AuditCtx::system()).await {
            tracing::error!(error = %e, "could not record a backup run");
        }
    }

    async fn verify(&self, report: &BackupReport) {
        let verified = verify_run(
            &self.engine,
            &self.store,
            &self.metrics,
            report,
            AuditCtx::system(),
        );
        if let Err(e) = verified.await {
            tracing::error!(error = %e, "could not record a backup's verification");
        }
    }
}

/// Takes a backup now for the owner and answers once it is stored; 409 while another runs.
/// Its verification follows in the background.
pub async fn take_now(
    engine: &Arc<BackupEngine>,
    metrics: &Arc<Metrics>,
    store: &Store,
    owner: &Owner,
) -> DomainResult<BackupReport> {
    let report = match engine.run_backup().await {
        Ok(r) => r,
        Err(BackupError::AlreadyRunning) => {
            return Err(DomainError::conflict(
                "backup",
                "a backup is already running",
            ))
        }
        Err(e) => return Err(DomainError::internal(e)),
    };
    note_success(metrics, &report);
    record(store, &report, "api", owner.audit()).await?;
    // The verification is the server's own work, as after a scheduled run: audited as the
    // system's, not as the owner's request.
    let (engine, metrics, store) = (engine.clone(), metrics.clone(), store.clone());
    let stored = report.clone();
    tokio::spawn(async move {
        let verified = verify_run(&engine, &store, &metrics, &stored, AuditCtx::system());
        if let Err(e) = verified.await {
            tracing::error!(error = %e, "could not record a backup's verification");
        }
    });
    Ok(report)
}

/// A page of backup runs, newest first.
pub async fn recent(
    store: &Store,
    _owner: &Owner,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<BackupRun>> {
    let before = crate::domain::cursor::open_as(cursor, |key| {
        let (at, id) = key.split_once(':')?;
        Some((at.parse::<i64>().ok()?, id.to_string()))
    })?;
    store
        .read(move |c| db::backups::recent(c, before.as_ref(), limit))
        .await
}

pub async fn last_good(store: &Store) -> DomainResult<Option<BackupRun>> {
    store.read(db::backups::last_good).await
}

/// Where backups go, for display (never with credentials).
pub fn describe_target(engine: &Arc<BackupEngine>) -> String {
    engine.target().describe()
}
