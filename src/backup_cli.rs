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

/// The backup engine opened with the current key or `key_file`, for other commands.
pub(crate) fn engine_for(
    settings: &Settings,
    key_file: Option<&Path>,
) -> Result<BackupEngine, String> {
    engine(settings, key_file).map(|(e, _)| e)
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

/// Takes a backup and records it in the database (alongside a running server, if any); with
/// `verify`, verifies what it stored and records that too.
pub async fn now(settings: Settings, verify: bool) -> Result<(), String> {
    let state = crate::app::open_state(settings.clone())?;
    let (engine, operator) = engine(&settings, None)?;
    let report = engine.run_backup().await.map_err(|e| e.to_string())?;
    let recorded = backups::record(&state.store, &report, "cli", operator.audit()).await;
    let verified = match (&recorded, verify) {
        (Ok(()), true) => {
            backups::verify_run(
                &engine,
                &state.store,
                &state.metrics,
                &report,
                operator.audit(),
            )
            .await
        }
        _ => Ok(None),
    };
    state.store.close().await;
    recorded.map_err(|e| format!("the backup ran but could not be recorded: {e}"))?;
    let verified =
        verified.map_err(|e| format!("the backup was verified but that was not recorded: {e}"))?;
    match report.status {
        BackupStatus::Succeeded => {
            println!(
                "backup {} stored as {} ({})",
                report.id.as_str(),
                report.object_name.unwrap_or_default(),
                human(report.size.unwrap_or(0))
            );
            match verified {
                Some(backups::Verified::Bad(reason)) => Err(format!(
                    "backup {} failed its verification: {reason}",
                    report.id.as_str()
                )),
                Some(backups::Verified::Good) => {
                    println!(
                        "verified: checksum, decryption, integrity_check and row counts match"
                    );
                    Ok(())
                }
                None => Ok(()),
            }
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
    let (engine, operator) = engine(&settings, key_file)?;
    let selector = BackupSelector::parse(which);
    let id = engine
        .resolve_id(&selector)
        .await
        .map_err(|e| format!("verify failed: {e}"))?;
    let started = std::time::Instant::now();
    let verified = engine.verify(&selector).await;
    // A backup on the target is the run of that id: its record says how it verified. With no
    // database here yet (a new machine checking backups before a restore) there is no record
    // to keep, and none is made.
    let store_here = engine.postgres().is_some() || engine.db_path().exists();
    if let Some(id) = id.filter(|_| store_here) {
        let outcome = match &verified {
            Ok(_) => backups::Verified::Good,
            Err(e) => backups::Verified::Bad(crate::backup::error_chain(e)),
        };
        let state = crate::app::open_state(settings.clone())?;
        let ms = started.elapsed().as_millis() as i64;
        let recorded = backups::record_verification(
            &state.store,
            &state.metrics,
            &id,
            &outcome,
            ms,
            operator.audit(),
        )
        .await;
        state.store.close().await;
        recorded.map_err(|e| format!("the verification could not be recorded: {e}"))?;
    }
    let report = verified.map_err(|e| format!("verify failed: {e}"))?;
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
    let to_url = to
        .and_then(Path::to_str)
        .filter(|t| crate::db::pg::is_url(t));
    if engine.postgres().is_some() && to.is_some() && to_url.is_none() {
        return Err(
            "a PostgreSQL store's backup is restored into a database: give --to a postgres:// URL of an empty one"
                .into(),
        );
    }
    if engine.postgres().is_some() || to_url.is_some() {
        return restore_postgres(&settings, &engine, &operator, which, to_url).await;
    }
    let dest = to.map_or_else(|| settings.db_path(), Path::to_path_buf);
    // Everyone erased so far, from the ledger beside the backups and from the database about
    // to be replaced: the restored copy is older than some of them.
    let mut ledger = crate::service::erasure_backups::ledger_beside(&engine).await?;
    ledger.extend(ledger_of_file(&dest)?);
    ledger.extend(ledger_of_file(&settings.db_path())?);
    ledger.sort_by(|a, b| (a.erased_at, &a.id).cmp(&(b.erased_at, &b.id)));
    ledger.dedup_by(|a, b| a.id == b.id);
    let known = ledger.len();
    let options = RestoreOptions {
        to: to.map(Path::to_path_buf),
        to_database: None,
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
    let newer = if to.is_none() {
        // The store alone: re-applying erasures and the audit event need no key, and the
        // backup may have been opened with `--master-key-file` on a machine with no other key
        // configured.
        let store = crate::db::Store::open(
            &report.restored_to,
            settings.synchronous,
            1,
            crate::db::Batching::OFF,
            None,
        )
        .map_err(|e| format!("restored, but cannot open the restored database: {e}"))?;
        finish_in_place(store, &report, &operator, ledger).await?
    } else {
        finish_elsewhere(&report.restored_to, &ledger)?
    };
    say_restored(&report, known, newer);
    Ok(())
}

fn say_restored(report: &crate::backup::RestoreReport, known: usize, newer: Option<usize>) {
    let unreadable = report.unsealed.unreadable.len();
    match newer {
        Some(newer) => println!(
            "erasure ledger re-applied: {known} erasure(s), {newer} of them newer than the backup; {unreadable} erased company(ies) unreadable in the backup"
        ),
        None => println!(
            "erasure ledger NOT re-applied to this copy ({known} erasure(s); {unreadable} erased company(ies) unreadable in the backup): it is at an older schema version; restore it in place, or start armario on it, to erase them again"
        ),
    }
    if let Some(prev) = &report.previous {
        println!("the database that was there is kept as {}", prev.display());
    }
}

/// A PostgreSQL store's restore: into its own database or the `postgres://` URL given with
/// `--to`, which must be empty; then, as in place, the erasures re-applied and the restore
/// audited in the restored database (migrated to this armario's schema first).
async fn restore_postgres(
    settings: &Settings,
    engine: &BackupEngine,
    operator: &Operator,
    which: &str,
    to_url: Option<&str>,
) -> Result<(), String> {
    let url = match (to_url, &settings.database_url) {
        (Some(url), _) => url.to_string(),
        (None, Some(url)) => url.expose().to_string(),
        (None, None) => return Err("no PostgreSQL database to restore into".into()),
    };
    let database = crate::db::pg::backup::PgDatabase::new(
        &url,
        settings.database_ca_file.as_deref(),
        settings.pg_bin_dir.as_deref(),
    );
    let ledger = crate::service::erasure_backups::ledger_beside(engine).await?;
    let known = ledger.len();
    let options = RestoreOptions {
        to: None,
        to_database: Some(database),
    };
    let report = engine
        .restore(&BackupSelector::parse(which), &options)
        .await
        .map_err(|e| format!("restore failed: {e}"))?;
    println!(
        "restored backup {} to {}",
        report.manifest.id.as_str(),
        report.restored_to.display()
    );
    // With the key the backup was opened with: the store seals under the companies' keys.
    let store = crate::db::Store::open_postgres(
        &url,
        settings.database_ca_file.as_deref(),
        2,
        Some(engine.company_keys.clone()),
    )
    .map_err(|e| format!("restored, but cannot open the restored database: {e}"))?;
    let newer = finish_in_place(store, &report, operator, ledger).await?;
    say_restored(&report, known, newer);
    Ok(())
}

/// In place: the store as the server will open it (migrated), the ledger re-applied and the
/// restore audited in one transaction. Returns how many erasures were newer than the backup.
async fn finish_in_place(
    store: crate::db::Store,
    report: &crate::backup::RestoreReport,
    operator: &crate::access::Operator,
    ledger: Vec<crate::domain::erasure::Erasure>,
) -> Result<Option<usize>, String> {
    let id = report.manifest.id.as_str().to_string();
    let event_ctx = operator.audit();
    let (known, unreadable) = (ledger.len(), report.unsealed.unreadable.len());
    let written = store
        .write(move |tx| {
            let newer = crate::db::erasure::reapply(tx, &ledger)?;
            // The restored database records that it was restored, so its audit trail explains
            // the gap.
            let event = crate::domain::audit::NewAuditEvent::new("backup.restored")
                .target("backup", &id)
                .details(serde_json::json!({
                    "backup_id": id,
                    "erasures_reapplied": known,
                    "erasures_newer_than_backup": newer,
                    "companies_unreadable": unreadable,
                }));
            crate::db::audit::insert(tx, &event_ctx, &event, crate::clock::now_ms())?;
            Ok(newer)
        })
        .await;
    store.close().await;
    written
        .map(Some)
        .map_err(|e| format!("restored, but could not re-apply the erasures: {e}"))
}

/// Elsewhere (`--to`): the copy stays as the backup had it, at its schema version and without
/// a WAL, so the ledger is re-applied only to a copy at this armario's schema version.
fn finish_elsewhere(
    path: &Path,
    ledger: &[crate::domain::erasure::Erasure],
) -> Result<Option<usize>, String> {
    let failed = |e: &dyn std::fmt::Display| {
        format!(
            "restored, but could not re-apply the erasures to {}: {e}",
            path.display()
        )
    };
    let mut conn = rusqlite::Connection::open(path).map_err(|e| failed(&e))?;
    if crate::db::migrate::current_version(&conn).map_err(|e| failed(&e))?
        != crate::db::migrate::latest_version()
    {
        return Ok(None);
    }
    crate::db::company_keys::register(&conn, None).map_err(|e| failed(&e))?;
    let tx = conn.transaction().map_err(|e| failed(&e))?;
    let newer =
        crate::db::erasure::reapply(&crate::db::Db::sqlite(&tx), ledger).map_err(|e| failed(&e))?;
    tx.commit().map_err(|e| failed(&e))?;
    Ok(Some(newer))
}

/// The erasure ledger of the database file at `path`, if it exists and has one.
fn ledger_of_file(path: &Path) -> Result<Vec<crate::domain::erasure::Erasure>, String> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let unreadable = |e: &dyn std::fmt::Display| {
        format!("cannot read the erasure ledger of {}: {e}", path.display())
    };
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| unreadable(&e))?;
    crate::db::erasure::ledger_if_present(&crate::db::Db::sqlite(&conn)).map_err(|e| unreadable(&e))
}
