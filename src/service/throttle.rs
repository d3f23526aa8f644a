//! Throttling in memory: sign-in failures and sign-ups.
//!
//! Sign-in failures lock out only the (account, IP) pair and the IP that made them; failures
//! from elsewhere merely slow the account down by a bounded delay, so nobody can lock an owner
//! out of their own account from another address. A locked pair answers 429 whether or not the
//! e-mail exists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::service::limits::Limits;

const MAX_ENTRIES: usize = 100_000;
/// The delay after an account's first failure; it doubles with each further failure.
const BACKOFF_STEP: Duration = Duration::from_millis(100);

struct Window {
    started: Instant,
    count: u32,
}

/// Fixed windows of counts by key.
struct Counts {
    window: Duration,
    entries: HashMap<String, Window>,
}

impl Counts {
    fn new(window: Duration) -> Self {
        Self {
            window,
            entries: HashMap::new(),
        }
    }

    fn live(&self, key: &str, now: Instant) -> Option<&Window> {
        self.entries
            .get(key)
            .filter(|w| now.duration_since(w.started) < self.window)
    }

    fn count(&self, key: &str, now: Instant) -> u32 {
        self.live(key, now).map_or(0, |w| w.count)
    }

    /// Seconds until the key's window ends, when it has reached `max`.
    fn wait(&self, key: &str, max: u32, now: Instant) -> Option<u64> {
        let w = self.live(key, now).filter(|w| w.count >= max)?;
        Some(
            (self.window - now.duration_since(w.started))
                .as_secs()
                .max(1),
        )
    }

    fn add(&mut self, key: String, now: Instant) {
        if self.entries.len() >= MAX_ENTRIES {
            let window = self.window;
            self.entries
                .retain(|_, w| now.duration_since(w.started) < window);
        }
        let window = self.window;
        let w = self.entries.entry(key).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= window {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count += 1;
    }

    fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

pub(super) fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

pub(super) fn pair_key(email: &str, ip: Option<&str>) -> String {
    format!("pair:{}|{}", email.trim().to_lowercase(), ip.unwrap_or("-"))
}

pub(super) fn ip_key(ip: Option<&str>) -> String {
    format!("ip:{}", ip.unwrap_or("-"))
}

pub struct LoginThrottle {
    pub(super) limits: Limits,
    counts: Mutex<Counts>,
    /// Counts in the store, shared with the other replicas (`throttle_shared`).
    pub(super) shared: Option<super::throttle_shared::Shared>,
}

impl LoginThrottle {
    pub fn new(limits: &Limits) -> Self {
        Self {
            limits: limits.clone(),
            counts: Mutex::new(Counts::new(limits.login_window)),
            shared: None,
        }
    }

    /// `Err(seconds)` when this (account, IP) pair or this IP must wait; otherwise the delay
    /// to apply first, which grows with the account's failures from anywhere and is bounded.
    /// From this server's counts in memory.
    pub fn check_here(&self, email: &str, ip: Option<&str>) -> Result<Duration, u64> {
        let counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        let pair = counts.wait(
            &pair_key(email, ip),
            self.limits.login_max_failures_per_account_ip,
            now,
        );
        let by_ip = counts.wait(&ip_key(ip), self.limits.login_max_failures_per_ip, now);
        if let Some(wait) = pair.max(by_ip) {
            return Err(wait);
        }
        let failures = counts.count(&account_key(email), now);
        Ok(backoff(failures, self.limits.login_backoff_max))
    }

    pub fn record_failure_here(&self, email: &str, ip: Option<&str>) {
        let mut counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        counts.add(pair_key(email, ip), now);
        counts.add(ip_key(ip), now);
        counts.add(account_key(email), now);
    }

    pub fn record_success_here(&self, email: &str, ip: Option<&str>) {
        let mut counts = self.counts.lock().expect("throttle lock");
        counts.remove(&pair_key(email, ip));
        counts.remove(&account_key(email));
    }
}

/// 0 without failures, then 100 ms doubling per failure, never above `max`.
pub(super) fn backoff(failures: u32, max: Duration) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let factor = 1u32 << (failures - 1).min(16);
    (BACKOFF_STEP * factor).min(max)
}

/// Sign-ups per IP and overall, counted when accepted.
pub struct SignupThrottle {
    limits: Limits,
    counts: Mutex<Counts>,
}

impl SignupThrottle {
    pub fn new(limits: &Limits) -> Self {
        Self {
            limits: limits.clone(),
            counts: Mutex::new(Counts::new(limits.signup_window)),
        }
    }

    /// Counts a sign-up, or `Some(seconds)` to wait when the IP or everyone is over the limit.
    pub fn try_acquire(&self, ip: Option<&str>) -> Option<u64> {
        let mut counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        let by_ip = counts.wait(&ip_key(ip), self.limits.signup_max_per_ip, now);
        let total = counts.wait("total", self.limits.signup_max_total, now);
        if let Some(wait) = by_ip.max(total) {
            return Some(wait);
        }
        counts.add(ip_key(ip), now);
        counts.add("total".into(), now);
        None
    }
}

/// Password reset requests: a few per address and a few more per IP an hour, counted whether or
/// not the address belongs to anyone, so the limit reveals nothing either.
pub struct ResetThrottle {
    counts: Mutex<Counts>,
}

impl ResetThrottle {
    pub const PER_EMAIL: u32 = 3;
    pub const PER_IP: u32 = 20;
    const WINDOW: Duration = Duration::from_secs(60 * 60);

    pub fn new() -> Self {
        Self {
            counts: Mutex::new(Counts::new(Self::WINDOW)),
        }
    }

    /// Counts a request, or `Some(seconds)` to wait when the address or the IP is over its limit.
    pub fn try_acquire(&self, email: &str, ip: Option<&str>) -> Option<u64> {
        let mut counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        let by_email = format!("email:{email}");
        let wait = counts
            .wait(&by_email, Self::PER_EMAIL, now)
            .max(counts.wait(&ip_key(ip), Self::PER_IP, now));
        if wait.is_some() {
            return wait;
        }
        counts.add(by_email, now);
        counts.add(ip_key(ip), now);
        None
    }
}

impl Default for ResetThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// Invitation acceptances per IP an hour, counted before the token is looked at, so tokens
/// cannot be guessed at speed (a burst of parallel guesses is counted too). A real invitee
/// needs one or two tries.
pub struct AcceptThrottle {
    counts: Mutex<Counts>,
}

impl AcceptThrottle {
    pub const PER_IP: u32 = 20;
    const WINDOW: Duration = Duration::from_secs(60 * 60);

    pub fn new() -> Self {
        Self {
            counts: Mutex::new(Counts::new(Self::WINDOW)),
        }
    }

    /// Counts an attempt, or `Some(seconds)` to wait when the IP is over its limit.
    pub fn try_acquire(&self, ip: Option<&str>) -> Option<u64> {
        let mut counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        let wait = counts.wait(&ip_key(ip), Self::PER_IP, now);
        if wait.is_none() {
            counts.add(ip_key(ip), now);
        }
        wait
    }
}

impl Default for AcceptThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// Wrong second-factor codes (TOTP or recovery): a few per (user, IP) and a few more per user
/// in the sign-in window, then 429. The first factor already passed, so the user is known and
/// saying so reveals nothing.
pub struct MfaThrottle {
    window: Duration,
    counts: Mutex<Counts>,
}

impl MfaThrottle {
    pub const PER_USER_IP: u32 = 5;
    pub const PER_USER: u32 = 20;

    pub fn new(limits: &Limits) -> Self {
        Self {
            window: limits.login_window,
            counts: Mutex::new(Counts::new(limits.login_window)),
        }
    }

    /// `Some(seconds)` to wait when the user (from this IP, or from anywhere) is over the limit.
    pub fn check(&self, user: &str, ip: Option<&str>) -> Option<u64> {
        let counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        let pair = counts.wait(&pair_key(user, ip), Self::PER_USER_IP, now);
        let all = counts.wait(&account_key(user), Self::PER_USER, now);
        pair.max(all)
    }

    pub fn record_failure(&self, user: &str, ip: Option<&str>) {
        let mut counts = self.counts.lock().expect("throttle lock");
        let now = Instant::now();
        counts.add(pair_key(user, ip), now);
        counts.add(account_key(user), now);
    }

    pub fn record_success(&self, user: &str, ip: Option<&str>) {
        let mut counts = self.counts.lock().expect("throttle lock");
        counts.remove(&pair_key(user, ip));
        counts.remove(&account_key(user));
    }

    pub fn window(&self) -> Duration {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lock_the_pair_and_only_slow_the_account_elsewhere() {
        let limits = Limits::default();
        let t = LoginThrottle::new(&limits);
        for _ in 0..limits.login_max_failures_per_account_ip {
            assert!(t.check_here("a@x.com", Some("1.1.1.1")).is_ok());
            t.record_failure_here("A@x.com", Some("1.1.1.1"));
        }
        assert!(t.check_here("a@x.com", Some("1.1.1.1")).is_err());
        let delay = t.check_here("a@x.com", Some("2.2.2.2")).unwrap();
        assert!(delay > Duration::ZERO && delay <= limits.login_backoff_max);
        t.record_success_here("a@x.com", Some("2.2.2.2"));
        assert_eq!(t.check_here("a@x.com", Some("2.2.2.2")), Ok(Duration::ZERO));
        assert!(t.check_here("a@x.com", Some("1.1.1.1")).is_err());
    }

    #[test]
    fn resets_are_limited_per_address_and_per_ip() {
        let t = ResetThrottle::new();
        for _ in 0..ResetThrottle::PER_EMAIL {
            assert_eq!(t.try_acquire("a@x.com", Some("1.1.1.1")), None);
        }
        assert!(t.try_acquire("a@x.com", Some("2.2.2.2")).is_some());
        assert_eq!(t.try_acquire("b@x.com", Some("1.1.1.1")), None);
    }

    #[test]
    fn acceptances_are_limited_per_ip() {
        let t = AcceptThrottle::new();
        for _ in 0..AcceptThrottle::PER_IP {
            assert_eq!(t.try_acquire(Some("1.1.1.1")), None);
        }
        assert!(t.try_acquire(Some("1.1.1.1")).is_some());
        assert_eq!(t.try_acquire(Some("2.2.2.2")), None);
    }

    #[test]
    fn wrong_codes_lock_the_user_from_that_ip() {
        let t = MfaThrottle::new(&Limits::default());
        for _ in 0..MfaThrottle::PER_USER_IP {
            assert_eq!(t.check("usr_a", Some("1.1.1.1")), None);
            t.record_failure("usr_a", Some("1.1.1.1"));
        }
        assert!(t.check("usr_a", Some("1.1.1.1")).is_some());
        assert_eq!(t.check("usr_a", Some("2.2.2.2")), None);
        assert_eq!(t.check("usr_b", Some("1.1.1.1")), None);
    }

    #[test]
    fn backoff_is_bounded() {
        let max = Duration::from_secs(2);
        assert_eq!(backoff(0, max), Duration::ZERO);
        assert_eq!(backoff(1, max), BACKOFF_STEP);
        assert_eq!(backoff(1000, max), max);
    }

    #[test]
    fn signups_are_limited_per_ip_and_overall() {
        let limits = Limits {
            signup_max_per_ip: 2,
            signup_max_total: 3,
            ..Limits::default()
        };
        let t = SignupThrottle::new(&limits);
        assert!(t.try_acquire(Some("1.1.1.1")).is_none());
        assert!(t.try_acquire(Some("1.1.1.1")).is_none());
        assert!(t.try_acquire(Some("1.1.1.1")).is_some());
        assert!(t.try_acquire(Some("2.2.2.2")).is_none());
        assert!(t.try_acquire(Some("3.3.3.3")).is_some());
    }
}
