//! Liveness and readiness, outside the versioned API.

use poem::web::Json;
use poem::{handler, http::StatusCode, web::Data, IntoResponse, Response};
use serde_json::json;

use crate::db;
use crate::service::AppState;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// Ready when the store answers and its schema is the one this binary expects. `checks` says
/// how each part fared: `master_key` (the check at start; a wrong key never gets this far) and
/// `storage` (`full` while writes are refused for lack of space), `audit_chain` (the last
/// verification of the audit log's hash chain: `ok`, `broken` or `unchecked`), detailed in
/// `audit_verification`.
///
/// A full disk makes the answer `"status": "degraded"` with a `reasons` list but keeps the
/// status 200: reads still work, and a load balancer that took the only instance out would turn
/// a refused write into a full outage. Alert on `status`, or on `armario_storage_full` in
/// `/metrics`.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let checked = state.store.read(db::schema_version).await;
    let expected = db::migrate::latest_version();
    match checked {
        Ok(v) if v == expected => {
            let last = crate::service::backups::last_good(&state.store)
                .await
                .ok()
                .flatten();
            let age = last.map(|r| (crate::clock::now_ms() - r.finished_at).max(0) / 1000);
            let mut reasons = Vec::new();
            let mut warnings = Vec::new();
            let master_key = match state.key_check.get() {
                Some(report) => {
                    warnings.extend(report.warnings.iter().cloned());
                    "ok"
                }
                None => "unchecked",
            };
            let storage = match state.store.storage_health().full() {
                Some(full) => {
                    let secs = (crate::clock::now_ms() - full.since_ms).max(0) / 1000;
                    reasons.push(format!(
                        "storage full: writes have been refused for lack of disk space for {secs} s; free space on the data directory's disk"
                    ));
                    "full"
                }
                None => "ok",
            };
            // A broken audit chain is a reason to investigate, not to take the instance out of
            // service: readiness stays 200 and the status says "degraded" (see README).
            let audit = state
                .store
                .read(db::audit_chain::last_verification)
                .await
                .ok()
                .flatten();
            let audit_chain = match &audit {
                None => "unchecked",
                Some(v) if v.ok => "ok",
                Some(v) => {
                    reasons.push(format!(
                        "audit chain broken at event {}: {}; run `armario audit verify`",
                        v.broken_event_id.unwrap_or_default(),
                        v.problem.clone().unwrap_or_default()
                    ));
                    "broken"
                }
            };
            let status = if reasons.is_empty() {
                "ready"
            } else {
                "degraded"
            };
            let mut body = json!({
                "status": status,
                "schema_version": v,
                "last_good_backup_age_secs": age,
                "checks": { "master_key": master_key, "storage": storage, "audit_chain": audit_chain },
                "audit_verification": audit,
            });
            if !reasons.is_empty() {
                body["reasons"] = json!(reasons);
            }
            if !warnings.is_empty() {
                body["warnings"] = json!(warnings);
            }
            Json(body).into_response()
        }
        Ok(v) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "reason": format!("schema version {v}, expected {expected}") })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not_ready", "reason": "store unavailable" })))
                .into_response()
        }
    }
}
