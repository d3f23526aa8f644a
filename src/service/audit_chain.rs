//! The server's check of the audit chain: once in the background at start, then daily, on a
//! thread that steps aside for requests (`Store::read_aside`). The
//! result is recorded for `/readyz` and the dashboard; a break is logged as an error.

use std::time::Duration;

use crate::clock::now_ms;
use crate::db::{self, Store};
use crate::error::DomainResult;

const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Verifies the chain and records the result.
pub async fn verify_and_record(store: &Store) -> DomainResult<()> {
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
    store
        .write(move |tx| db::audit_chain::record_verification(tx, &report, now_ms()))
        .await
}

pub async fn run(store: Store, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        if let Err(e) = verify_and_record(&store).await {
            tracing::warn!(error = %e, "could not verify the audit chain");
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
