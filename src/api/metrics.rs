//! `GET /metrics`, outside the versioned API. Served to a client on this machine (a loopback
//! peer that came through no proxy) or to one that sends `Authorization: Bearer` with
//! `ARMARIO_METRICS_TOKEN`; anyone else gets the same 404 as a path that does not exist.

use poem::error::NotFoundError;
use poem::http::header;
use poem::web::Data;
use poem::{handler, Request, Response};

use crate::crypto::token;
use crate::metrics::{render, Gauges, RouteNames};
use crate::service::{backups, AppState};

/// Headers a reverse proxy adds: a request carrying one came from elsewhere, even though its
/// TCP peer is the proxy on loopback.
const FORWARDING_HEADERS: [&str; 3] = ["X-Forwarded-For", "Forwarded", "X-Real-IP"];

fn allowed(req: &Request, configured: Option<&str>) -> bool {
    if let Some(sent) = req.header(header::AUTHORIZATION) {
        let Some(expected) = configured else {
            return false;
        };
        let Some(sent) = sent
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t)
        else {
            return false;
        };
        // Digests have a fixed length, so the comparison time says nothing about the token.
        return token::constant_time_eq(&token::digest(sent.trim()), &token::digest(expected));
    }
    let loopback = req
        .remote_addr()
        .as_socket_addr()
        .is_some_and(|a| a.ip().to_canonical().is_loopback());
    loopback && FORWARDING_HEADERS.iter().all(|h| req.header(h).is_none())
}

async fn file_size(path: std::path::PathBuf) -> Option<u64> {
    tokio::fs::metadata(path).await.ok().map(|m| m.len())
}

/// The resident set size from `/proc/self/status` (Linux); absent elsewhere.
async fn resident_bytes() -> Option<u64> {
    let status = tokio::fs::read_to_string("/proc/self/status").await.ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The last good backup in `backup_runs`, which also holds runs taken by the CLI or before a
/// restart, in Unix seconds (0 when none).
async fn recorded_backup(state: &AppState) -> i64 {
    match backups::last_good(&state.store).await {
        Ok(run) => run.map_or(0, |r| r.finished_at.div_euclid(1000)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the last backup run for /metrics");
            0
        }
    }
}

#[handler]
pub async fn scrape(req: &Request, state: Data<&AppState>) -> poem::Result<Response> {
    if !allowed(
        req,
        state.settings.metrics_token.as_ref().map(|t| t.expose()),
    ) {
        return Err(NotFoundError.into());
    }
    // The SQLite file and its log; a PostgreSQL store's size as the server counts it.
    let (database_bytes, wal_bytes) = match state.store.path() {
        Some(db) => {
            let mut wal = db.as_os_str().to_owned();
            wal.push("-wal");
            (
                file_size(db.to_path_buf()).await,
                file_size(wal.into()).await,
            )
        }
        None => (
            state
                .store
                .read(crate::db::database_size)
                .await
                .ok()
                .map(|n| n.max(0) as u64),
            None,
        ),
    };
    let gauges = Gauges {
        database_bytes,
        wal_bytes,
        resident_bytes: resident_bytes().await,
        last_backup_unix: state
            .metrics
            .last_backup()
            .max(recorded_backup(&state).await),
        storage_full_total: state.store.storage_health().refused_total(),
        write_batches: state.store.storage_health().batches(),
        write_replays: state.store.storage_health().replays(),
        storage_full: state.store.storage_health().full().is_some(),
        mail: state.store.read(crate::db::outbox::counts).await.ok(),
    };
    Ok(Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(render(
            &state.metrics,
            &gauges,
            req.data::<RouteNames>().unwrap_or(&RouteNames::default()),
        )))
}
