//! The daily retention run: prunes what the `retention_*` settings say is past its time, in
//! slices, and audits what each slice pruned (counts per kind) in the same transaction. It
//! follows the audit chain's check, whose walk over every event it needs: a broken chain is
//! evidence, and audit events are not pruned until it is looked into. One walk serves both.

use std::time::Duration;

use serde_json::json;

use crate::clock::now_ms;
use crate::config::Settings;
use crate::db::retention::{Policy, Progress, Pruned};
use crate::db::{self, Store};
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::error::DomainResult;

const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

pub fn policy(s: &Settings) -> Policy {
    Policy {
        audit_days: s.retention_audit_days,
        signin_days: s.retention_signin_days,
        usage_days: s.retention_usage_days,
        sessions_days: s.retention_sessions_days,
    }
}

/// The pause after each slice, so requests' writes go between them.
const PAUSE: Duration = Duration::from_millis(10);

/// Prunes by `policy`; audit events only when the chain was just found `intact`. A slice at a
/// time (`db::retention::SLICE_ROWS` rows of each kind), each a write of its own that audits
/// what it pruned in the same transaction; returns the run's totals.
pub async fn run_once(store: &Store, policy: Policy, intact: bool) -> DomainResult<Pruned> {
    if !intact {
        tracing::warn!("the audit chain did not verify: audit events are not pruned");
    }
    let mut total = Pruned::default();
    let mut progress = Progress::default();
    loop {
        let (slice, reached) = store
            .write(move |tx| {
                let mut progress = progress;
                let pruned = db::retention::prune(tx, &policy, now_ms(), intact, &mut progress)?;
                if pruned.any() {
                    let e = NewAuditEvent::new("retention.pruned").details(json!({
                        "audit_events": pruned.audit_events,
                        "signin_records": pruned.signin_records,
                        "usage_rows": pruned.usage_rows,
                        "sessions": pruned.sessions,
                    }));
                    db::audit::insert(tx, &AuditCtx::system(), &e, now_ms())?;
                }
                Ok((pruned, progress))
            })
            .await?;
        total.add(slice);
        progress = reached;
        if !progress.unfinished(&slice) {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Runs at start and daily, each time with the policy in force: the owner's, once saved in the
/// dashboard, else `defaults` (the settings). The chain's check comes first. A stop interrupts
/// whichever is running: the check's walk ends at its next row.
pub async fn run(store: Store, defaults: Policy, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = check_then_prune(&store, defaults) => {}
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

async fn check_then_prune(store: &Store, defaults: Policy) {
    // One replica at a time checks and prunes; another one's turn finds nothing left to do.
    let _lead = match store.try_lead("retention").await {
        Ok(Some(lead)) => lead,
        Ok(None) => {
            tracing::info!("another replica runs the retention now; this one skips its turn");
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not take the retention's turn");
            return;
        }
    };
    let intact = match super::audit_chain::verify_and_record(store).await {
        Ok(intact) => intact,
        Err(e) => {
            tracing::warn!(error = %e, "could not verify the audit chain");
            false
        }
    };
    let result = match super::retention_settings::effective(store, defaults).await {
        Ok(e) => run_once(store, e.policy, intact).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(p) if p.any() => tracing::info!(?p, "retention pruned"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention run failed"),
    }
}
