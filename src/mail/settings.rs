//! The `[smtp]` settings: read as written (`SmtpConfig`), then checked once at start into
//! [`MailSettings`]. Without a host, mail is queued and waits; nothing fails.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::Mailbox;
use serde::Deserialize;

use crate::crypto::SecretString;

/// The `smtp_*` settings as written, before validation. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// The SMTP server's host name; unset keeps mail queued.
    pub host: Option<String>,
    /// Default 587 for `starttls`, 465 for `tls`, 25 for `plain`.
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS) or `plain` (loopback hosts only).
    pub security: Option<String>,
    pub user: Option<String>,
    pub password: Option<SecretString>,
    /// The sender, `Name <address>` or a bare address. Required with a host.
    pub from: Option<String>,
    /// The first retry waits this long; each later one twice the one before (at most an hour).
    pub retry_base_secs: Option<u64>,
    /// Attempts before a message is dead-lettered.
    pub max_attempts: Option<u32>,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Tls,
    Plain,
}

/// A checked SMTP server.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, SecretString)>,
    pub from: Mailbox,
}

/// Checked mail settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `None`: no server configured; messages wait in the outbox.
    pub smtp: Option<Smtp>,
    pub retry_base: Duration,
    pub max_attempts: u32,
}

pub const DEFAULT_RETRY_BASE_SECS: u64 = 30;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60 * 60);

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl MailSettings {
    /// Checks the settings; the error names the setting (`smtp.from`).
    pub fn from_config(c: &SmtpConfig) -> Result<Self, String> {
        let retry_base = Duration::from_secs(c.retry_base_secs.unwrap_or(DEFAULT_RETRY_BASE_SECS));
        let max_attempts = c.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
        if retry_base.is_zero() {
            return Err("setting smtp.retry_base_secs: must be at least 1".into());
        }
        if max_attempts == 0 {
            return Err("setting smtp.max_attempts: must be at least 1".into());
        }
        let host = c.host.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let Some(host) = host else {
            return Ok(Self {
                smtp: None,
                retry_base,
                max_attempts,
            });
        };
        let security = match c.security.as_deref().map(str::trim) {
            None | Some("") | Some("starttls") => Security::StartTls,
            Some("tls") => Security::Tls,
            Some("plain") => Security::Plain,
            Some(other) => {
                return Err(format!(
                    "setting smtp.security: expected starttls, tls or plain, found {other:?}"
                ))
            }
        };
        if security == Security::Plain && !is_loopback(host) {
            return Err(format!(
                "setting smtp.security: plain SMTP sends passwords and links in the clear, so it \
                 is allowed only to a loopback host, not {host}; use starttls or tls"
            ));
        }
        let port = c.port.unwrap_or(match security {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::Plain => 25,
        });
        let from = c
            .from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or("setting smtp.from: required when smtp.host is set")?;
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("setting smtp.from: not an e-mail address ({e})"))?;
        let credentials = match (&c.user, &c.password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            (None, None) => None,
            (Some(_), None) => return Err("setting smtp.password: required with smtp.user".into()),
            (None, Some(_)) => return Err("setting smtp.user: required with smtp.password".into()),
        };
        Ok(Self {
            smtp: Some(Smtp {
                host: host.to_string(),
                port,
                security,
                credentials,
                from,
            }),
            retry_base,
            max_attempts,
        })
    }

    /// How long to wait after the `attempts`-th failed attempt.
    pub fn retry_wait(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(16);
        (self.retry_base * 2u32.pow(doublings)).min(MAX_RETRY_WAIT)
    }

    /// The domain of the sender's address, for `Message-ID`s; `armario.invalid` without one.
    pub fn id_domain(&self) -> String {
        self.smtp
            .as_ref()
            .map(|s| s.from.email.domain().to_string())
            .unwrap_or_else(|| "armario.invalid".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(host: &str, security: &str) -> SmtpConfig {
        SmtpConfig {
            host: Some(host.into()),
            security: Some(security.into()),
            from: Some("Armario <no-reply@example.com>".into()),
            ..SmtpConfig::default()
        }
    }

    #[test]
    fn plain_only_to_loopback() {
        assert!(MailSettings::from_config(&config("127.0.0.1", "plain")).is_ok());
        assert!(MailSettings::from_config(&config("localhost", "plain")).is_ok());
        assert!(MailSettings::from_config(&config("::1", "plain")).is_ok());
        let err = MailSettings::from_config(&config("smtp.example.com", "plain")).unwrap_err();
        assert!(err.contains("smtp.security"), "{err}");
        assert!(MailSettings::from_config(&config("smtp.example.com", "starttls")).is_ok());
    }

    #[test]
    fn host_needs_a_sender_and_user_a_password() {
        let mut c = config("smtp.example.com", "tls");
        c.from = None;
        let err = MailSettings::from_config(&c).unwrap_err();
        assert!(err.contains("smtp.from"), "{err}");
        let mut c = config("smtp.example.com", "tls");
        c.user = Some("u".into());
        let err = MailSettings::from_config(&c).unwrap_err();
        assert!(err.contains("smtp.password"), "{err}");
        assert_eq!(
            MailSettings::from_config(&config("smtp.example.com", "tls"))
                .unwrap()
                .smtp
                .unwrap()
                .port,
            465
        );
    }

    #[test]
    fn no_host_queues_and_backoff_doubles_up_to_an_hour() {
        let s = MailSettings::from_config(&SmtpConfig::default()).unwrap();
        assert!(s.smtp.is_none());
        assert_eq!(s.retry_wait(1), Duration::from_secs(30));
        assert_eq!(s.retry_wait(2), Duration::from_secs(60));
        assert_eq!(s.retry_wait(3), Duration::from_secs(120));
        assert_eq!(s.retry_wait(30), MAX_RETRY_WAIT);
    }
}
