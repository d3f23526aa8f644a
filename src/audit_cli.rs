//! `armario audit verify [--against BACKUP]`: checks the audit chain from the console (also
//! while the server runs) and, with a backup, that the chain still holds the head the backup
//! recorded, which catches a chain cut short at its end.

use std::path::Path;

use crate::app;
use crate::backup::BackupSelector;
use crate::config::Settings;
use crate::db;
use crate::domain::audit_chain::ChainReport;

pub async fn verify(
    settings: Settings,
    against: Option<&str>,
    key_file: Option<&Path>,
) -> Result<(), String> {
    let state = app::open_state(settings.clone())?;
    let read = state
        .store
        .read(|c| {
            Ok((
                db::audit_chain::verify(c)?,
                db::audit_chain::anchor_event_id(c)?,
            ))
        })
        .await;
    let (report, anchor) = match read {
        Ok(r) => r,
        Err(e) => {
            state.store.close().await;
            return Err(format!("cannot read the audit chain: {e}"));
        }
    };
    if let Some(b) = &report.broken {
        state.store.close().await;
        return Err(format!(
            "audit chain broken at event {} ({}): {}; {} events before it are intact",
            b.event_id,
            b.kind.as_str(),
            b.message,
            report.events_checked
        ));
    }
    let compared = match against {
        Some(which) => {
            let r = against_backup(&state, &settings, which, key_file, &report, anchor).await;
            if r.is_err() {
                state.store.close().await;
            }
            Some(r?)
        }
        None => None,
    };
    state.store.close().await;
    let head = report
        .head
        .as_ref()
        .map(|h| format!("head event {} ({})", h.event_id, &h.hash[..16]))
        .unwrap_or_else(|| "no events".into());
    println!(
        "audit chain intact: {} events checked ({} anonymised), {head}",
        report.events_checked, report.anonymised
    );
    if let Some(line) = compared {
        println!("{line}");
    }
    Ok(())
}

/// Compares the chain with the head a backup's manifest recorded.
async fn against_backup(
    state: &crate::service::AppState,
    settings: &Settings,
    which: &str,
    key_file: Option<&Path>,
    report: &ChainReport,
    anchor: i64,
) -> Result<String, String> {
    let engine = crate::backup_cli::engine_for(settings, key_file)?;
    let checked = engine
        .verify(&BackupSelector::parse(which))
        .await
        .map_err(|e| format!("cannot read the backup: {e}"))?;
    let m = checked.manifest;
    let Some(head) = m.audit_head else {
        return Ok(format!(
            "backup {} records no audit chain head (taken before the chain existed, or with no event): nothing to compare",
            m.id
        ));
    };
    if head.event_id <= anchor {
        return Ok(format!(
            "backup {}'s head (event {}) was pruned by retention since: nothing to compare",
            m.id, head.event_id
        ));
    }
    let id = head.event_id;
    let stored = state
        .store
        .read(move |c| db::audit_chain::link_of(c, id))
        .await
        .map_err(|e| e.to_string())?;
    let last = report.head.as_ref().map(|h| h.event_id).unwrap_or(anchor);
    match stored {
        Some(hash) if hash == head.hash => Ok(format!(
            "matches backup {}: its head, event {id}, is in the chain",
            m.id
        )),
        Some(_) => Err(format!(
            "audit chain differs from backup {} at event {id}: the chain was rewritten since",
            m.id
        )),
        None if id > last => Err(format!(
            "audit chain truncated: backup {} recorded events up to {id}, the store ends at event {last}",
            m.id
        )),
        None => Err(format!(
            "audit chain differs from backup {}: its head, event {id}, is not in the chain",
            m.id
        )),
    }
}
