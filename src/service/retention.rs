//! The daily retention run: prunes what the `retention_*` settings say is past its time and
//! audits what it pruned (counts per kind) in the same transaction.

use std::time::Duration;

use serde_json::json;

use crate::clock::now_ms;
use crate::config::Settings;
use crate::db::retention::{Policy, Pruned};
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

pub async fn run_once(store: &Store, policy: Policy) -> DomainResult<Pruned> {
    // A broken chain is evidence: audit events are not pruned until it is looked into.
    let intact = store
        .read_aside(db::audit_chain::verify)
        .await?
        .broken
        .is_none();
    if !intact {
        tracing::warn!("the audit chain does not verify: audit events are not pruned");
    }
    store
        .write(move |tx| {
            let pruned = db::retention::prune(tx, &policy, now_ms(), intact)?;
            if pruned.any() {
                let e = NewAuditEvent::new("retention.pruned").details(json!({
                    "audit_events": pruned.audit_events,
                    "signin_records": pruned.signin_records,
                    "usage_rows": pruned.usage_rows,
                    "sessions": pruned.sessions,
                }));
                db::audit::insert(tx, &AuditCtx::system(), &e, now_ms())?;
            }
            Ok(pruned)
        })
        .await
}

/// Runs at start and daily, each time with the policy in force: the owner's, once saved in the
/// dashboard, else `defaults` (the settings).
pub async fn run(store: Store, defaults: Policy, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let result = match super::retention_settings::effective(&store, defaults).await {
            Ok(e) => run_once(&store, e.policy).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(p) if p.any() => tracing::info!(?p, "retention pruned"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention run failed"),
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
