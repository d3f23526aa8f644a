//! The operator's backup commands: `backup now|list|verify` and `restore`.

use std::io::IsTerminal;
use std::path::Path;

use crate::access::Operator;
use crate::backup::{BackupEngine, BackupSelector, BackupStatus, RestoreOptions};
use crate::config::Settings;
use crate::crypto::MasterKey;
use crate::datadir;
use crate::service::backups;

/// The backup engine, and the operator who holds the key it opens backups with.
fn engine(
    settings: &Settings,
    key_file: Option<&Path>,
) -> Result<(BackupEngine, Operator), String> {
    // The key first: without one the command stops before creating anything.
    let key = match key_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            MasterKey::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => datadir::master_key(settings)?,
    };
    datadir::ensure(&settings.data_dir)?;
    let engine =
        backups::engine(settings, &key)?.with_terminal_progress(std::io::stderr().is_terminal());
    Ok((engine, Operator::holding(&key)))
}

fn human(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", units[i])
}

/// Takes a backup and records it in the database (alongside a running server, if any).
pub async fn now(settings: Settings) -> Result<(), String> {
    let state = crate::app::open_state(settings.clone())?;
    let (engine, operator) = engine(&settings, None)?;
    let report = engine.run_backup().await.map_err(|e| e.to_string())?;
    let recorded = backups::record(&state.store, &report, "cli", operator.audit()).await;
    state.store.close().await;
    recorded.map_err(|e| format!("the backup ran but could not be recorded: {e}"))?;
    match report.status {
        BackupStatus::Succeeded => {
            println!(
                "backup {} stored as {} ({})",
                report.id.as_str(),
                report.object_name.unwrap_or_default(),
                human(report.size.unwrap_or(0))
            );
            Ok(())
        }
        BackupStatus::Failed => Err(format!(
            "backup {} failed: {}",
            report.id.as_str(),
            report.error.unwrap_or_default()
        )),
    }
}

pub async fn list(settings: Settings) -> Result<(), String> {
    let (engine, _) = engine(&settings, None)?;
    let entries = engine.list().await.map_err(|e| e.to_string())?;
    println!("target: {}", engine.target().describe());
    if entries.is_empty() {
        println!("no backups");
    }
    for e in entries {
        let size = e
            .object
            .as_ref()
            .map(|o| human(o.size))
            .unwrap_or_else(|| "-".into());
        let state = if e.is_complete() {
            "ok"
        } else {
            "incomplete (no manifest or no object)"
        };
        println!(
            "{}  {}  {:>10}  {}",
            e.id.as_str(),
            e.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            size,
            state
        );
    }
    Ok(())
}

pub async fn verify(
    settings: Settings,
    which: &str,
    key_file: Option<&Path>,
) -> Result<(), String> {
    let (engine, _) = engine(&settings, key_file)?;
    let report = engine
        .verify(&BackupSelector::parse(which))
        .await
        .map_err(|e| format!("verify failed: {e}"))?;
    let m = &report.manifest;
    println!(
        "backup {} is good: checksum, decryption, integrity_check and row counts match ({} tables, schema {})",
        m.id.as_str(),
        m.row_counts.len(),
        m.schema_version
    );
    Ok(())
}

pub async fn restore(
    settings: Settings,
    which: &str,
    to: Option<&Path>,
    key_file: Option<&Path>,
) -> Result<(), String> {
    let (engine, operator) = engine(&settings, key_file)?;
    let options = RestoreOptions {
        to: to.map(Path::to_path_buf),
    };
    let report = engine
        .restore(&BackupSelector::parse(which), &options)
        .await
        .map_err(|e| format!("restore failed, the current database is untouched: {e}"))?;
    println!(
        "restored backup {} to {}",
        report.manifest.id.as_str(),
        report.restored_to.display()
    );
    if to.is_none() {
        // The restored database records that it was restored, so its audit trail explains the gap.
        // The store alone: the audit event needs no key, and the backup may have been opened
        // with `--master-key-file` on a machine that has no other key configured.
        let store = crate::db::Store::open(
            &settings.db_path(),
            settings.synchronous,
            1,
            crate::db::Batching::OFF,
        )
        .map_err(|e| format!("restored, but cannot open the restored database: {e}"))?;
        let id = report.manifest.id.as_str().to_string();
        let event_ctx = operator.audit();
        let written = store
            .write(move |tx| {
                let event = crate::domain::audit::NewAuditEvent::new("backup.restored")
                    .target("backup", &id)
                    .details(serde_json::json!({ "backup_id": id }));
                crate::db::audit::insert(tx, &event_ctx, &event, crate::clock::now_ms())
            })
            .await;
        store.close().await;
        written.map_err(|e| format!("restored, but could not audit the restore: {e}"))?;
    }
    if let Some(prev) = &report.previous {
        println!("the database that was there is kept as {}", prev.display());
    }
    Ok(())
}
