//! Erasure that reaches the backups: every retained manifest is rewritten without the data keys
//! of erased companies, and the erasure ledger is kept beside the backups, so a restore of any
//! of them erases again whoever was erased after it was taken.

use std::collections::BTreeSet;

use serde::Serialize;

use super::engine::BackupEngine;
use super::error::Result;

/// The ledger's name beside the backups. It is not a backup name, so listing, retention and
/// verification pass it by.
pub const LEDGER_NAME: &str = "armario-erasures.json";

/// What one pass over the manifests did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ForgetReport {
    pub manifests_checked: usize,
    pub manifests_rewritten: usize,
    pub keys_removed: usize,
    /// Manifests that could not be read (another format): no restore can use them either.
    pub unreadable: Vec<String>,
}

impl BackupEngine {
    /// Stores `ledger` beside the backups, then removes the key of every company in `erased`
    /// from every manifest that still has one. Safe to repeat: a pass that finds nothing to
    /// remove rewrites nothing. Waits for a running backup to write its manifest first.
    pub async fn forget_companies(
        &self,
        erased: &BTreeSet<String>,
        ledger: Vec<u8>,
    ) -> Result<ForgetReport> {
        let _manifests = self.manifest_lock.lock().await;
        self.target.put_bytes(LEDGER_NAME, ledger).await?;
        let mut report = ForgetReport::default();
        for entry in self.list().await? {
            if entry.manifest_name.is_none() {
                continue;
            }
            let mut manifest = match self.manifest(&entry.id).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(backup_id = %entry.id, error = %e, "a manifest could not be read while erasing");
                    report.unreadable.push(entry.id.to_string());
                    continue;
                }
            };
            report.manifests_checked += 1;
            let before = manifest.company_keys.len();
            manifest.company_keys.retain(|c, _| !erased.contains(c));
            let removed = before - manifest.company_keys.len();
            if removed > 0 {
                self.target
                    .put_bytes(&entry.id.manifest_name(), manifest.to_json())
                    .await?;
                report.manifests_rewritten += 1;
                report.keys_removed += removed;
            }
        }
        Ok(report)
    }

    /// The ledger stored beside the backups, if any.
    pub async fn erasure_ledger(&self) -> Result<Option<Vec<u8>>> {
        self.target.get_bytes(LEDGER_NAME).await
    }
}
