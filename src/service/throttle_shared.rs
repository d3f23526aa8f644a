//! Sign-in throttling shared by replicas: the same rules as [`LoginThrottle`]'s counts in
//! memory, kept in the store (`db::login_failures`), so a lockout earned through one replica
//! holds on every other. Used when the store is PostgreSQL, which several replicas may share.

use std::sync::Arc;
use std::time::Duration;

use super::throttle::{account_key, backoff, ip_key, pair_key, LoginThrottle};
use crate::crypto::company_keys::KeyRing;
use crate::db::login_failures::{self, Window};
use crate::db::Store;
use crate::error::DomainResult;

/// Where shared counts live, and the key their names are hashed under.
pub(super) struct Shared {
    pub store: Store,
    pub ring: Arc<KeyRing>,
}

impl Shared {
    /// A counted name as the table keeps it: a keyed hash, never the e-mail or address.
    fn key(&self, name: &str) -> Vec<u8> {
        self.ring.email_index(&format!("login-failures\u{0}{name}"))
    }

    /// The keys one failure counts under: the (account, address) pair, the address, the
    /// account, in that order.
    fn counted(&self, email: &str, ip: Option<&str>) -> [Vec<u8>; 3] {
        [
            self.key(&pair_key(email, ip)),
            self.key(&ip_key(ip)),
            self.key(&account_key(email)),
        ]
    }
}

/// Seconds until `w`, a window of `window`, ends, when it holds `max` or more.
fn wait(w: Option<Window>, max: u32, window: Duration, now: i64) -> Option<u64> {
    let w = w.filter(|w| w.count >= i64::from(max))?;
    let left_ms = (w.started_at + window.as_millis() as i64 - now).max(0);
    Some(((left_ms as u64) / 1000).max(1))
}

impl LoginThrottle {
    /// Counts in the store instead of in memory, where every replica of it sees them.
    pub fn shared(mut self, store: Store, ring: Arc<KeyRing>) -> Self {
        self.shared = Some(Shared { store, ring });
        self
    }

    /// `Err(seconds)` when this (account, IP) pair or this IP must wait; otherwise the delay
    /// to apply first (see [`LoginThrottle::check_here`]), from the shared counts if any.
    pub async fn check(
        &self,
        email: &str,
        ip: Option<&str>,
    ) -> DomainResult<Result<Duration, u64>> {
        let Some(shared) = &self.shared else {
            return Ok(self.check_here(email, ip));
        };
        let keys = shared.counted(email, ip);
        let now = crate::clock::now_ms();
        let window = self.limits.login_window;
        let since = now - window.as_millis() as i64;
        let [pair, by_ip, account] = shared
            .store
            .read(move |db| {
                Ok([
                    login_failures::live(db, &keys[0], since)?,
                    login_failures::live(db, &keys[1], since)?,
                    login_failures::live(db, &keys[2], since)?,
                ])
            })
            .await?;
        let limits = &self.limits;
        let pair = wait(pair, limits.login_max_failures_per_account_ip, window, now);
        let by_ip = wait(by_ip, limits.login_max_failures_per_ip, window, now);
        if let Some(wait) = pair.max(by_ip) {
            return Ok(Err(wait));
        }
        let failures = account.map_or(0, |w| w.count.clamp(0, i64::from(u32::MAX)) as u32);
        Ok(Ok(backoff(failures, limits.login_backoff_max)))
    }

    pub async fn record_failure(&self, email: &str, ip: Option<&str>) -> DomainResult<()> {
        let Some(shared) = &self.shared else {
            self.record_failure_here(email, ip);
            return Ok(());
        };
        let keys = shared.counted(email, ip);
        let now = crate::clock::now_ms();
        let since = now - self.limits.login_window.as_millis() as i64;
        shared
            .store
            .write(move |db| {
                for key in &keys {
                    login_failures::add(db, key, now, since)?;
                }
                Ok(())
            })
            .await
    }

    pub async fn record_success(&self, email: &str, ip: Option<&str>) -> DomainResult<()> {
        let Some(shared) = &self.shared else {
            self.record_success_here(email, ip);
            return Ok(());
        };
        let keys = [
            shared.key(&pair_key(email, ip)),
            shared.key(&account_key(email)),
        ];
        shared
            .store
            .write(move |db| {
                for key in &keys {
                    login_failures::remove(db, key)?;
                }
                Ok(())
            })
            .await
    }
}
