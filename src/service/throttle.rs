//! Sign-in throttling per account and per IP, in memory. A locked account answers exactly as a
//! wrong password would not: with 429, whether or not the e-mail exists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_ACCOUNT: u32 = 5;
pub const MAX_PER_IP: u32 = 30;
const MAX_ENTRIES: usize = 100_000;

struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Window>>,
}

fn keys(email: &str, ip: Option<&str>) -> [(String, u32); 2] {
    [
        (
            format!("account:{}", email.trim().to_lowercase()),
            MAX_PER_ACCOUNT,
        ),
        (format!("ip:{}", ip.unwrap_or("-")), MAX_PER_IP),
    ]
}

impl LoginThrottle {
    /// `Some(seconds)` to wait when either the account or the IP is over its limit.
    pub fn check(&self, email: &str, ip: Option<&str>) -> Option<u64> {
        let entries = self.entries.lock().expect("throttle lock");
        let now = Instant::now();
        keys(email, ip)
            .iter()
            .filter_map(|(key, max)| {
                let w = entries.get(key)?;
                let elapsed = now.duration_since(w.started);
                (elapsed < WINDOW && w.failures >= *max)
                    .then(|| (WINDOW - elapsed).as_secs().max(1))
            })
            .max()
    }

    pub fn record_failure(&self, email: &str, ip: Option<&str>) {
        let mut entries = self.entries.lock().expect("throttle lock");
        let now = Instant::now();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        for (key, _) in keys(email, ip) {
            let w = entries.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= WINDOW {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    pub fn record_success(&self, email: &str) {
        let key = format!("account:{}", email.trim().to_lowercase());
        self.entries.lock().expect("throttle lock").remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_limit_and_success_resets_account() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_PER_ACCOUNT {
            assert!(t.check("a@x.com", Some("1.1.1.1")).is_none());
            t.record_failure("A@x.com", Some("1.1.1.1"));
        }
        assert!(t.check("a@x.com", Some("2.2.2.2")).is_some());
        t.record_success("a@x.com");
        assert!(t.check("a@x.com", Some("2.2.2.2")).is_none());
    }
}
