//! Erasure reaching the backups, as the server runs it. A pass first applies again any erasure
//! the ledger beside the backups holds and this store lacks (a database put back by hand from an
//! older copy), then stores the merged ledger beside the backups and rewrites every retained
//! manifest without the data keys of erased companies. It runs at start, when an erasure rings
//! the bell, and every minute while the last pass failed (the target was unreachable), so an
//! erasure is never left half-way in the backups.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Notify;

use crate::backup::{BackupEngine, ForgetReport};
use crate::clock::now_ms;
use crate::db;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::erasure::{Erasure, ErasureKind};
use crate::error::{DomainError, DomainResult};
use crate::service::directory::KeyWriter;

/// How often a failed pass is tried again, and how often the ledger is looked at anyway (an
/// erasure made by another process over the same store rings no bell here).
const RETRY: Duration = Duration::from_secs(60);
const LOOK_AGAIN: Duration = Duration::from_secs(600);

/// The ledger as stored beside the backups: ids, kinds, pseudonyms and dates, nothing personal.
#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerFile {
    pub format: u32,
    pub erasures: Vec<Erasure>,
}

/// Rings after each erasure so the pass runs at once.
#[derive(Default)]
pub struct Bell(Notify);

impl Bell {
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// One pass. Does nothing while nothing was ever erased, here or beside the backups, and
/// rewrites nothing when the ledger still has the `synced` entries of the last pass (a backup
/// taken since holds no key of an erased company). Sets `synced` when it succeeds.
pub async fn sync(
    keys: &KeyWriter,
    engine: &BackupEngine,
    synced: &mut usize,
) -> DomainResult<Option<ForgetReport>> {
    let store = keys.store();
    let beside = ledger_beside(engine)
        .await
        .map_err(|e| DomainError::internal(std::io::Error::other(e)))?;
    if !beside.is_empty() {
        // Through the key writer: a company erased again loses its links in memory too.
        let missing = keys
            .write(move |tx| db::erasure::reapply(tx, &beside))
            .await?;
        if missing > 0 {
            tracing::warn!(
                erasures = missing,
                "erasures recorded beside the backups were missing here and were applied again"
            );
        }
    }
    let ledger = store.read(db::erasure::ledger).await?;
    if ledger.is_empty() || ledger.len() == *synced {
        return Ok(None);
    }
    let entries = ledger.len();
    let erased: BTreeSet<String> = ledger
        .iter()
        .filter(|e| e.kind == ErasureKind::Company)
        .map(|e| e.company_id.clone())
        .collect();
    let file = LedgerFile {
        format: 1,
        erasures: ledger,
    };
    let bytes = serde_json::to_vec_pretty(&file).map_err(DomainError::internal)?;
    let report = engine
        .forget_companies(&erased, bytes)
        .await
        .map_err(DomainError::internal)?;
    if report.manifests_rewritten > 0 {
        let details = json!({
            "manifests_rewritten": report.manifests_rewritten,
            "keys_removed": report.keys_removed,
            "companies": erased.len(),
        });
        store
            .write(move |tx| {
                let event = NewAuditEvent::new("backup.erasure_applied").details(details.clone());
                db::audit::insert(tx, &AuditCtx::system(), &event, now_ms())
            })
            .await?;
        tracing::info!(
            manifests = report.manifests_rewritten,
            keys = report.keys_removed,
            "erased companies' keys removed from the backups"
        );
    }
    *synced = entries;
    Ok(Some(report))
}

/// The server's task: a pass at start, on every ring, and again after a failure.
pub async fn run(
    keys: KeyWriter,
    engine: Arc<BackupEngine>,
    bell: Arc<Bell>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut synced = 0;
    loop {
        let wait = match sync(&keys, &engine, &mut synced).await {
            Ok(_) => LOOK_AGAIN,
            Err(e) => {
                tracing::warn!(error = %e, "erasures could not reach the backups yet; trying again");
                RETRY
            }
        };
        tokio::select! {
            _ = &mut stop => return,
            _ = bell.0.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// The ledger stored beside the backups, read for a restore; none when there is none or it
/// cannot be read (the restore says so).
pub async fn ledger_beside(engine: &BackupEngine) -> Result<Vec<Erasure>, String> {
    match engine.erasure_ledger().await {
        Ok(None) => Ok(Vec::new()),
        Ok(Some(bytes)) => serde_json::from_slice::<LedgerFile>(&bytes)
            .map(|f| f.erasures)
            .map_err(|e| format!("the erasure ledger beside the backups is unreadable: {e}")),
        Err(e) => Err(format!(
            "the erasure ledger beside the backups could not be read: {e}"
        )),
    }
}
