//! What `/metrics` reports: HTTP requests by route template and status with latency
//! histograms, sign-ins, application requests by route group, and the time of the last good
//! backup. A small registry of atomics, rendered in the Prometheus text format.
//!
//! Labels come only from bounded sets (matched route patterns, standard methods, status codes,
//! fixed reasons and route groups), so a client cannot grow the registry by sending odd paths.

pub mod histogram;
mod render;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use poem::http::Method;

pub use histogram::Histogram;
pub use render::{render, Gauges, RouteNames};

/// Why a sign-in failed, as the `reason` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignInFailure {
    /// Wrong e-mail or password.
    Credentials,
    /// Too many recent failures for the account or the IP.
    Throttled,
    /// The account or its company is pending, disabled, suspended or cancelled.
    Inactive,
    /// The store failed.
    Error,
}

impl SignInFailure {
    pub const ALL: [Self; 4] = [
        Self::Credentials,
        Self::Throttled,
        Self::Inactive,
        Self::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Throttled => "throttled",
            Self::Inactive => "inactive",
            Self::Error => "error",
        }
    }
}

/// The route groups of the application API, created at zero so rates exist from the start.
pub const APP_ROUTE_GROUPS: [&str; 6] = [
    "companies",
    "secrets",
    "users",
    "sessions",
    "resolve",
    "usage",
];

/// The route and method of a request: the histogram's labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RouteKey {
    /// The matched pattern (`/api/v1/companies/:id`); `None` when no route matched.
    pattern: Option<Arc<str>>,
    method: Method,
}

/// A map from labels to a value, readable without a write lock once the series exists.
struct Family<K, V> {
    map: RwLock<HashMap<K, Arc<V>>>,
}

impl<K: Eq + Hash + Clone + Ord, V: Default> Family<K, V> {
    fn new() -> Self {
        Self {
            map: RwLock::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K) -> Arc<V> {
        if let Some(v) = self.map.read().expect("metrics lock").get(key) {
            return v.clone();
        }
        self.map
            .write()
            .expect("metrics lock")
            .entry(key.clone())
            .or_default()
            .clone()
    }

    /// Every series, sorted by its labels so the output is stable.
    fn sorted(&self) -> Vec<(K, Arc<V>)> {
        let mut all: Vec<(K, Arc<V>)> = self
            .map
            .read()
            .expect("metrics lock")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

impl PartialOrd for RouteKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RouteKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.pattern, self.method.as_str()).cmp(&(&other.pattern, other.method.as_str()))
    }
}

/// The process's counters. One value lives in the application state; nothing is global.
pub struct Metrics {
    started_unix: i64,
    requests: Family<(RouteKey, u16), AtomicU64>,
    latency: Family<RouteKey, Histogram>,
    sign_ins: AtomicU64,
    sign_in_failures: Family<&'static str, AtomicU64>,
    app_requests: Family<&'static str, AtomicU64>,
    last_backup_unix: AtomicI64,
    mail_sent: AtomicU64,
    mail_failed_attempts: AtomicU64,
    oidc: Family<&'static str, AtomicU64>,
}

/// What the OpenID provider counts: `armario_oidc_events_total{event=…}`.
pub const OIDC_EVENTS: [&str; 7] = [
    "sign_in",
    "sign_in_refused",
    "code_exchanged",
    "refreshed",
    "client_credentials",
    "refresh_reused",
    "revoked",
];

impl Default for Metrics {
    fn default() -> Self {
        let m = Self {
            started_unix: chrono::Utc::now().timestamp(),
            requests: Family::new(),
            latency: Family::new(),
            sign_ins: AtomicU64::new(0),
            sign_in_failures: Family::new(),
            app_requests: Family::new(),
            last_backup_unix: AtomicI64::new(0),
            mail_sent: AtomicU64::new(0),
            mail_failed_attempts: AtomicU64::new(0),
            oidc: Family::new(),
        };
        for event in OIDC_EVENTS {
            m.oidc.get(&event);
        }
        for reason in SignInFailure::ALL {
            m.sign_in_failures.get(&reason.as_str());
        }
        for group in APP_ROUTE_GROUPS {
            m.app_requests.get(&group);
        }
        m
    }
}

/// Methods outside the standard set share one label, so they cannot add series.
fn known_method(method: &Method) -> Method {
    match *method {
        Method::GET
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::HEAD
        | Method::OPTIONS => method.clone(),
        _ => Method::from_bytes(b"OTHER").expect("a valid method token"),
    }
}

impl Metrics {
    /// Counts one answered request. `pattern` is the route that matched, if any.
    pub fn observe_request(
        &self,
        pattern: Option<Arc<str>>,
        method: &Method,
        status: u16,
        elapsed: Duration,
    ) {
        let key = RouteKey {
            pattern,
            method: known_method(method),
        };
        self.latency.get(&key).observe(elapsed);
        self.requests
            .get(&(key, status))
            .fetch_add(1, Ordering::Relaxed);
    }

    pub fn sign_in_succeeded(&self) {
        self.sign_ins.fetch_add(1, Ordering::Relaxed);
    }

    pub fn sign_in_failed(&self, reason: SignInFailure) {
        self.sign_in_failures
            .get(&reason.as_str())
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one request of the application API in `route_group`.
    pub fn app_request(&self, route_group: &'static str) {
        self.app_requests
            .get(&route_group)
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Records the end time (Unix seconds) of the last backup that completed and checked good.
    /// Called when the server's scheduler or the API takes one; `/metrics` also reads the
    /// recorded runs, so a backup taken by the CLI or before a restart counts too.
    pub fn set_last_backup(&self, unix_secs: i64) {
        self.last_backup_unix.store(unix_secs, Ordering::Relaxed);
    }

    pub fn last_backup(&self) -> i64 {
        self.last_backup_unix.load(Ordering::Relaxed)
    }

    pub fn mail_sent(&self) {
        self.mail_sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one OpenID provider event (one of [`OIDC_EVENTS`]).
    pub fn oidc(&self, event: &'static str) {
        debug_assert!(OIDC_EVENTS.contains(&event));
        self.oidc.get(&event).fetch_add(1, Ordering::Relaxed);
    }

    pub fn mail_attempt_failed(&self) {
        self.mail_failed_attempts.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_methods_share_one_series() {
        let m = Metrics::default();
        let pattern: Option<Arc<str>> = Some("/x".into());
        for verb in ["FOO", "BAR", "GET"] {
            let method = Method::from_bytes(verb.as_bytes()).unwrap();
            m.observe_request(pattern.clone(), &method, 200, Duration::from_millis(1));
        }
        assert_eq!(m.requests.sorted().len(), 2);
    }
}
