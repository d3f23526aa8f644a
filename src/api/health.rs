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

/// Ready when the store answers and its schema is the one this binary expects.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let checked = state.store.read(db::migrate::current_version).await;
    let expected = db::migrate::latest_version();
    match checked {
        Ok(v) if v == expected => {
            let last = crate::service::backups::last_good(&state.store).await.ok().flatten();
            let age = last.map(|r| (crate::clock::now_ms() - r.finished_at).max(0) / 1000);
            Json(json!({ "status": "ready", "schema_version": v, "last_good_backup_age_secs": age })).into_response()
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
