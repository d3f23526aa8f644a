//! Time: the one place "now" comes from. Code that needs a clock it can move in tests (the
//! backup engine's retention and schedule) holds a [`Clock`]; the store keeps Unix milliseconds.

use chrono::{DateTime, TimeZone, Utc};

/// Where "now" comes from; tests inject a clock they can move.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The same instant as Unix milliseconds, the unit the store keeps.
    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The wall clock's "now" in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemClock.now_ms()
}

pub fn to_datetime(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
