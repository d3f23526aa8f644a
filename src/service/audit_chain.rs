//! The server's check of the audit chain: once in the background at start, then daily, on a
//! thread that steps aside for requests (`Store::read_aside`), just before the retention run
//! (`retention::run`), which prunes audit events only when the chain holds. The result is
//! recorded for `/readyz` and the dashboard; a break is logged as an error.

use crate::clock::now_ms;
use crate::db::{self, Store};
use crate::error::DomainResult;

/// Verifies the chain, records the result and answers whether the chain holds.
pub async fn verify_and_record(store: &Store) -> DomainResult<bool> {
    let report = store.read_aside(db::audit_chain::verify).await?;
    match &report.broken {
        Some(b) => tracing::error!(
            event_id = b.event_id,
            kind = b.kind.as_str(),
            "audit chain broken: {}; run `armario audit verify`",
            b.message
        ),
        None => tracing::info!(events = report.events_checked, "audit chain verified"),
    }
    let intact = report.broken.is_none();
    store
        .write(move |tx| db::audit_chain::record_verification(tx, &report, now_ms()))
        .await?;
    Ok(intact)
}
