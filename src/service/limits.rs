//! Typed throttling limits, read from the layered settings (`armario.toml` keys or
//! `ARMARIO_*` variables) with the defaults documented in the README.

use std::time::Duration;

use crate::config::Settings;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sign-ups accepted from one IP per window (`signup_max_per_ip`, default 5).
    pub signup_max_per_ip: u32,
    /// Sign-ups accepted from everyone per window (`signup_max_total`, default 100).
    pub signup_max_total: u32,
    /// The sign-up window (`signup_window_secs`, default 3600).
    pub signup_window: Duration,
    /// Wrong passwords for one account from one IP before that pair must wait
    /// (`login_max_failures_per_account_ip`, default 5).
    pub login_max_failures_per_account_ip: u32,
    /// Wrong passwords from one IP, whatever the account, before that IP must wait
    /// (`login_max_failures_per_ip`, default 30).
    pub login_max_failures_per_ip: u32,
    /// How long failures count (`login_window_secs`, default 900).
    pub login_window: Duration,
    /// The longest delay failures from elsewhere add to an account's sign-ins
    /// (`login_backoff_max_ms`, default 2000). They never shut the account out.
    pub login_backoff_max: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            signup_max_per_ip: 5,
            signup_max_total: 100,
            signup_window: Duration::from_secs(3600),
            login_max_failures_per_account_ip: 5,
            login_max_failures_per_ip: 30,
            login_window: Duration::from_secs(15 * 60),
            login_backoff_max: Duration::from_millis(2000),
        }
    }
}

impl Limits {
    /// The limits from the typed settings (each already checked to be at least 1).
    pub fn from_settings(s: &Settings) -> Self {
        Self {
            signup_max_per_ip: s.signup_max_per_ip,
            signup_max_total: s.signup_max_total,
            signup_window: Duration::from_secs(s.signup_window_secs.into()),
            login_max_failures_per_account_ip: s.login_max_failures_per_account_ip,
            login_max_failures_per_ip: s.login_max_failures_per_ip,
            login_window: Duration::from_secs(s.login_window_secs.into()),
            login_backoff_max: Duration::from_millis(s.login_backoff_max_ms.into()),
        }
    }
}
