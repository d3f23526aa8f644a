//! The signing keys' schedule in a running server: every `signing_key_check_secs` it rotates
//! the signing key once it is older than `signing_key_rotation_days` (audited as the system),
//! drops keys past their publication window, and picks up a rotation made from the console in
//! another process. The first check runs at start.

use std::sync::Arc;
use std::time::Duration;

use crate::crypto::Sealer;
use crate::db::Store;
use crate::domain::audit::AuditCtx;
use crate::error::DomainResult;

use super::keys;
use super::Oidc;

pub const DEFAULT_CHECK_SECS: u64 = 30;
pub const DEFAULT_ROTATION_DAYS: u32 = 90;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// When to rotate: `None` never (`signing_key_rotation_days = 0`).
pub fn rotate_after_ms(days: u32) -> Option<i64> {
    (days > 0).then(|| i64::from(days) * DAY_MS)
}

/// One check: rotate when due, then reload the key set if the store's differs from ours.
pub async fn check(
    store: &Store,
    sealer: &Sealer,
    oidc: &Oidc,
    rotate_after_ms: Option<i64>,
) -> DomainResult<()> {
    if let Some(age) = rotate_after_ms {
        // One replica at a time decides and rotates: the other sees the new key afterwards.
        let lead = store.try_lead("signing-key-rotation").await?;
        if lead.is_some() && keys::due(store, age).await? {
            let r = keys::add_signing_key(store, sealer, Some(AuditCtx::system())).await?;
            tracing::info!(
                kid = %r.kid,
                retired = r.retired,
                "rotated the signing key on schedule; the old key stays published until its tokens expire"
            );
        }
    }
    if keys::refresh(store, sealer, oidc).await? {
        tracing::info!(kids = ?oidc.keys.kids(), "loaded the signing keys again");
    }
    Ok(())
}

/// Runs [`check`] every `every` until `stop` resolves.
pub async fn run(
    store: Store,
    sealer: Arc<Sealer>,
    oidc: Arc<Oidc>,
    every: Duration,
    rotate_after_ms: Option<i64>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = ticks.tick() => {}
        }
        if let Err(e) = check(&store, &sealer, &oidc, rotate_after_ms).await {
            tracing::warn!(error = %e, "the signing key check failed; it runs again later");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_days_never_rotates() {
        assert_eq!(rotate_after_ms(0), None);
        assert_eq!(rotate_after_ms(90), Some(90 * 86_400_000));
    }
}
