//! Conversions between the store's Unix milliseconds and the API's RFC 3339 times.

use chrono::{DateTime, Utc};

pub fn ts(ms: i64) -> DateTime<Utc> {
    crate::clock::to_datetime(ms)
}

pub fn opt_ts(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.map(ts)
}
