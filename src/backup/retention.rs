//! Retention: delete what is older than the configured number of days, but never the newest
//! complete backup, so a server whose backups have been failing for weeks still keeps one.

use chrono::{DateTime, Duration, Utc};

use super::engine::{BackupEngine, BackupEntry};
use super::error::Result;
use super::manifest::BackupId;

/// What a prune deleted and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub deleted: Vec<BackupId>,
    pub kept: Vec<BackupId>,
}

/// Chooses the entries to delete at `now`: every entry (complete or not) created before
/// `now - retention_days`, except the newest complete one. `entries` may be in any order.
pub fn plan_prune(
    entries: &[BackupEntry],
    now: DateTime<Utc>,
    retention_days: u32,
) -> Vec<&BackupEntry> {
    let cutoff = now - Duration::days(i64::from(retention_days));
    let newest_good = entries
        .iter()
        .filter(|e| e.is_complete())
        .max_by(|a, b| a.id.cmp(&b.id))
        .map(|e| &e.id);
    entries
        .iter()
        .filter(|e| e.created_at < cutoff && Some(&e.id) != newest_good)
        .collect()
}

impl BackupEngine {
    /// Applies retention as of `now` (injected, so tests can move time).
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<PruneReport> {
        let entries = self.list().await?;
        let doomed: Vec<BackupId> = plan_prune(&entries, now, self.settings.retention_days)
            .into_iter()
            .map(|e| e.id.clone())
            .collect();
        for entry in entries.iter().filter(|e| doomed.contains(&e.id)) {
            // Manifest first: from then on the backup no longer counts, even if deleting the
            // object fails half-way.
            if let Some(manifest) = &entry.manifest_name {
                self.target.delete(manifest).await?;
            }
            if let Some(object) = &entry.object {
                self.target.delete(&object.name).await?;
            }
            tracing::info!(backup_id = %entry.id, "backup deleted by retention");
        }
        let kept = entries
            .iter()
            .filter(|e| !doomed.contains(&e.id))
            .map(|e| e.id.clone())
            .collect();
        Ok(PruneReport {
            deleted: doomed,
            kept,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::target::StoredObject;
    use chrono::TimeZone;

    fn entry(day: u32, complete: bool) -> BackupEntry {
        let id = BackupId::generate(Utc.with_ymd_and_hms(2026, 1, day, 3, 0, 0).unwrap());
        BackupEntry {
            created_at: id.time(),
            object: Some(StoredObject {
                name: id.object_name(),
                size: 1,
            }),
            manifest_name: complete.then(|| id.manifest_name()),
            id,
        }
    }

    #[test]
    fn deletes_old_ones_and_keeps_recent_ones() {
        let entries = vec![entry(1, true), entry(5, true), entry(20, true)];
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap();
        let doomed = plan_prune(&entries, now, 10);
        assert_eq!(doomed, vec![&entries[0], &entries[1]]);
    }

    #[test]
    fn never_deletes_the_newest_complete_backup() {
        let entries = vec![entry(1, true), entry(2, true), entry(3, false)];
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let doomed = plan_prune(&entries, now, 30);
        // Day 2 is the newest complete one; the incomplete day 3 goes.
        assert_eq!(doomed, vec![&entries[0], &entries[2]]);
    }

    #[test]
    fn boundary_is_exclusive() {
        let entries = vec![entry(1, true), entry(2, true)];
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 3, 0, 0).unwrap();
        assert!(plan_prune(&entries, now, 30).is_empty());
    }
}
