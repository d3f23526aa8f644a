//! The master key check at start: every key id the stored data and the newest backup were
//! sealed with must be the current key, a previous key (`ARMARIO_MASTER_KEY_PREVIOUS`), or (for
//! the backup) a key this database was rotated away from. Otherwise armario was started with
//! the wrong key, or without its key, and refusing to start is the only safe answer: serving
//! would answer 500 on every secret and seal new data and backups under a stray key.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::backup::BackupEngine;
use crate::crypto::Sealer;
use crate::db::{self, Store};

/// How long the backup target may take to show its newest manifest before the check goes on
/// without it.
const BACKUP_LOOKUP_TIMEOUT: Duration = Duration::from_secs(15);

/// What the check found, for `/readyz`.
#[derive(Clone, Debug, Default)]
pub struct KeyCheck {
    /// The key ids found in sealed columns.
    pub stored_key_ids: Vec<String>,
    /// The key id of the newest backup's manifest, when there is one and it could be read.
    pub backup_key_id: Option<String>,
    /// Why the newest backup could not be checked (target unreachable): a warning, not a stop.
    pub warnings: Vec<String>,
}

/// The sealed values alone, without the backup target: every key id in use is the current key
/// or a previous one. A console command runs it before it acts as the operator, so a key that
/// does not open this data does not act on it either.
pub async fn check_sealed(store: &Store, sealer: &Sealer, how_to_pass: &str) -> Result<(), String> {
    let in_use = store
        .read(db::sealed::key_ids_in_use)
        .await
        .map_err(|e| format!("cannot read the key ids of the sealed values: {e}"))?;
    let current = sealer.current_key_id().to_string();
    let known: BTreeSet<&str> = std::iter::once(current.as_str())
        .chain(sealer.previous_key_ids())
        .collect();
    let unknown: Vec<String> = in_use
        .iter()
        .filter(|(id, _)| !known.contains(id.as_str()))
        .map(|(id, table)| format!("{id} (sealed values in {table})"))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(format!(
        "refusing to act: the master key given (key id {current}) does not match the data. \
         Unknown key ids: {}. Use the key that sealed them: {how_to_pass}.",
        unknown.join(", ")
    ))
}

/// Runs the check; `Err` carries the message that stops the start.
pub async fn check(
    store: &Store,
    sealer: &Sealer,
    backups: &BackupEngine,
    how_to_pass: &str,
) -> Result<KeyCheck, String> {
    let in_use = store
        .read(db::sealed::key_ids_in_use)
        .await
        .map_err(|e| format!("cannot read the key ids of the sealed values: {e}"))?;
    let retired = store
        .read(db::sealed::retired_key_ids)
        .await
        .map_err(|e| format!("cannot read past key rotations: {e}"))?;
    let current = sealer.current_key_id().to_string();
    let known: BTreeSet<&str> = std::iter::once(current.as_str())
        .chain(sealer.previous_key_ids())
        .collect();

    let mut report = KeyCheck::default();
    let mut unknown: Vec<String> = Vec::new();
    for (id, table) in &in_use {
        report.stored_key_ids.push(id.clone());
        if !known.contains(id.as_str()) {
            unknown.push(format!("{id} (sealed values in {table})"));
        }
    }
    match newest_backup_key_id(backups).await {
        Ok(Some(id)) => {
            let legit = known.contains(id.as_str()) || retired.contains(&id);
            if !legit {
                unknown.push(format!(
                    "{id} (the newest backup on {})",
                    backups.target().describe()
                ));
            }
            report.backup_key_id = Some(id);
        }
        Ok(None) => {}
        Err(why) => {
            tracing::warn!(reason = %why, "the newest backup's key id could not be checked");
            report.warnings.push(why);
        }
    }
    if unknown.is_empty() {
        tracing::info!(key_id = %current, "master key check passed");
        return Ok(report);
    }
    Err(format!(
        "refusing to start: the master key in use (key id {current}) does not match the data. \
         Unknown key ids: {}. Start with the key that sealed them: {how_to_pass}; during a \
         rotation give older keys in ARMARIO_MASTER_KEY_PREVIOUS (comma-separated).",
        unknown.join(", ")
    ))
}

/// The key id in the newest complete backup's manifest; `Err` when the target cannot be read.
async fn newest_backup_key_id(backups: &BackupEngine) -> Result<Option<String>, String> {
    let lookup = async {
        let none: Result<Option<String>, String> = Ok(None);
        let Some(entry) = backups.latest_good().await.map_err(|e| e.to_string())? else {
            return none;
        };
        let key_id = backups
            .manifest_key_id(&entry.id)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Some(key_id))
    };
    match tokio::time::timeout(BACKUP_LOOKUP_TIMEOUT, lookup).await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(e)) => Err(format!(
            "the newest backup on {} could not be read: {e}",
            backups.target().describe()
        )),
        Err(_) => Err(format!(
            "{} did not answer within {} s",
            backups.target().describe(),
            BACKUP_LOOKUP_TIMEOUT.as_secs()
        )),
    }
}
