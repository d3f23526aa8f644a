//! Layered settings: defaults, then `armario.toml`, then `ARMARIO_*` environment variables,
//! then command-line flags, merged by figment into one typed [`Settings`]. Any key `k` may
//! instead be read from a file named by `k_file` (`ARMARIO_MASTER_KEY_FILE=/run/secrets/key`).
//! TOML tables flatten with `_`: `[backup] s3_bucket = "x"` is `ARMARIO_BACKUP_S3_BUCKET`.
//! An unknown key, or a value of the wrong kind, stops the start with a message naming it.

mod fields;
mod layers;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::Figment;
use serde::Deserialize;

use crate::backup::BackupConfig;
use crate::crypto::SecretString;
use crate::db::Synchronous;
use crate::mail::SmtpConfig;
use layers::Layer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting, typed. Secrets are [`SecretString`]: `Debug` prints `<redacted>` and the
/// memory is wiped on drop. Field names are the keys (`ARMARIO_` + the name in capitals).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `host:port` to listen on.
    #[serde(deserialize_with = "values::listen_addr")]
    pub addr: String,
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the SQLite file in `data_dir`: `postgres://user@host:5432/armario`
    /// with `?sslmode=require` (or `disable`; `prefer`, the default, takes TLS when offered).
    /// A secret: the password may be in it. `ARMARIO_DATABASE_URL_FILE` reads it from a file.
    pub database_url: Option<SecretString>,
    /// A CA certificate (PEM) the PostgreSQL server's may chain to, besides the webpki roots.
    pub database_ca_file: Option<PathBuf>,
    /// Where the PostgreSQL client tools a backup of that store runs (`pg_dump`,
    /// `pg_restore`) are, when not on the `PATH`: `/usr/lib/postgresql/15/bin` on Debian.
    pub pg_bin_dir: Option<PathBuf>,
    /// Base URL people use to reach armario (for links printed in logs).
    pub public_url: Option<String>,
    #[serde(deserialize_with = "values::log_format")]
    pub log_format: LogFormat,
    pub master_key: Option<SecretString>,
    /// Comma-separated older master keys still accepted to open sealed values.
    pub master_key_previous: Option<SecretString>,
    #[serde(deserialize_with = "values::synchronous")]
    pub synchronous: Synchronous,
    #[serde(deserialize_with = "values::positive")]
    pub session_ttl_secs: u64,
    /// Marks the session cookie `Secure`; set when armario is served behind TLS.
    pub cookie_secure: bool,
    /// Takes the client IP from `X-Forwarded-For`; set behind a reverse proxy only.
    pub trust_proxy: bool,
    #[serde(deserialize_with = "values::positive")]
    pub read_pool_size: u32,
    /// Most password hashes (argon2id) computed at once; by default one less than the cores, so
    /// a burst of sign-ins leaves a core to everything else.
    #[serde(deserialize_with = "values::positive")]
    pub password_hash_workers: u32,
    /// Most writes committed together in one transaction (group commit); 1 switches it off.
    #[serde(deserialize_with = "values::positive")]
    pub write_batch_max: u32,
    #[serde(deserialize_with = "values::positive")]
    pub max_body_bytes: usize,
    /// Companies answer at `<slug>.<base_domain>`.
    pub base_domain: Option<String>,
    #[serde(deserialize_with = "values::positive")]
    pub usage_flush_secs: u64,
    /// How often the owner's alerts are checked.
    #[serde(deserialize_with = "values::positive")]
    pub alert_check_secs: u64,
    /// Age in days at which the OpenID signing key is replaced by a new one; 0 never.
    pub signing_key_rotation_days: u32,
    /// How often a running server checks its signing keys: rotation due, keys past their
    /// window, a rotation made from the console.
    #[serde(deserialize_with = "values::positive")]
    pub signing_key_check_secs: u64,
    /// Lets webhook endpoints on loopback, private and link-local addresses (and plain
    /// `http`): for development and tests only.
    pub webhooks_allow_private: bool,
    /// The first wait before a failed webhook delivery is retried, in milliseconds; later
    /// waits are multiples of it (5 s: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 3 h).
    #[serde(deserialize_with = "values::positive")]
    pub webhook_retry_base_ms: u64,
    /// Attempts before a webhook delivery is dead-lettered (30 with the default base: about
    /// three days); an endpoint failing for that whole schedule is disabled.
    #[serde(deserialize_with = "values::positive")]
    pub webhook_max_attempts: u32,
    /// Lets a client elsewhere read `/metrics` with this bearer token.
    pub metrics_token: Option<SecretString>,
    #[serde(deserialize_with = "values::positive")]
    pub signup_max_per_ip: u32,
    #[serde(deserialize_with = "values::positive")]
    pub signup_max_total: u32,
    #[serde(deserialize_with = "values::positive")]
    pub signup_window_secs: u32,
    #[serde(deserialize_with = "values::positive")]
    pub login_max_failures_per_account_ip: u32,
    #[serde(deserialize_with = "values::positive")]
    pub login_max_failures_per_ip: u32,
    #[serde(deserialize_with = "values::positive")]
    pub login_window_secs: u32,
    #[serde(deserialize_with = "values::positive")]
    pub login_backoff_max_ms: u32,
    /// Days audit events are kept (`ARMARIO_RETENTION_AUDIT_DAYS`); the oldest go first.
    #[serde(deserialize_with = "values::positive")]
    pub retention_audit_days: u32,
    /// Days sign-in records (`auth.login*` events, with their IP) keep their personal fields;
    /// at least [`SIGNIN_MIN_DAYS`] (Marco Civil da Internet, art. 15).
    #[serde(deserialize_with = "values::positive")]
    pub retention_signin_days: u32,
    /// Days of daily API usage rows kept.
    #[serde(deserialize_with = "values::positive")]
    pub retention_usage_days: u32,
    /// Days an ended (expired) session is kept before it is deleted.
    #[serde(deserialize_with = "values::positive")]
    pub retention_sessions_days: u32,
    /// Company fields an erasure keeps (`ARMARIO_ERASURE_KEEP`, comma-separated; `none`
    /// keeps none). By default the CNPJ and the registration date, which fiscal records need; every
    /// other field is replaced by a pseudonym or emptied.
    #[serde(deserialize_with = "values::erasure_keep")]
    pub erasure_keep: Vec<String>,
    /// The `[backup]` table (`ARMARIO_BACKUP_*`), validated by the backup engine.
    pub backup: BackupConfig,
    /// The `[smtp]` table (`ARMARIO_SMTP_*`): where e-mail goes, validated at start.
    pub smtp: SmtpConfig,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = crate::service::limits::Limits::default();
        Self {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("armario-data"),
            database_url: None,
            database_ca_file: None,
            pg_bin_dir: None,
            public_url: None,
            log_format: LogFormat::Text,
            master_key: None,
            master_key_previous: None,
            synchronous: Synchronous::Full,
            session_ttl_secs: 24 * 60 * 60,
            cookie_secure: false,
            trust_proxy: false,
            read_pool_size: default_readers(),
            password_hash_workers: default_hash_workers(),
            write_batch_max: 64,
            max_body_bytes: 256 * 1024,
            base_domain: None,
            usage_flush_secs: crate::service::usage::DEFAULT_FLUSH_SECS,
            alert_check_secs: crate::service::alerts::DEFAULT_CHECK_SECS,
            signing_key_rotation_days: crate::service::oidc::key_schedule::DEFAULT_ROTATION_DAYS,
            signing_key_check_secs: crate::service::oidc::key_schedule::DEFAULT_CHECK_SECS,
            webhooks_allow_private: false,
            webhook_retry_base_ms: 5000,
            webhook_max_attempts: crate::domain::webhook::MAX_ATTEMPTS,
            metrics_token: None,
            signup_max_per_ip: limits.signup_max_per_ip,
            signup_max_total: limits.signup_max_total,
            signup_window_secs: limits.signup_window.as_secs() as u32,
            login_max_failures_per_account_ip: limits.login_max_failures_per_account_ip,
            login_max_failures_per_ip: limits.login_max_failures_per_ip,
            login_window_secs: limits.login_window.as_secs() as u32,
            login_backoff_max_ms: limits.login_backoff_max.as_millis() as u32,
            retention_audit_days: 5 * 365,
            retention_signin_days: SIGNIN_MIN_DAYS,
            retention_usage_days: 2 * 365,
            retention_sessions_days: 30,
            erasure_keep: crate::domain::erasure::DEFAULT_KEEP
                .iter()
                .map(|f| f.to_string())
                .collect(),
            backup: BackupConfig::default(),
            smtp: SmtpConfig::default(),
        }
    }
}

/// The least time sign-in records are kept: six months (Marco Civil da Internet, art. 15).
pub const SIGNIN_MIN_DAYS: u32 = 183;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("setting {key}: {message}")]
    Invalid { key: String, message: String },
    #[error("unknown setting {name} in {place}; did you mean {nearest}?")]
    Unknown {
        name: String,
        place: String,
        nearest: String,
    },
}

/// Command-line values that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub addr: Option<String>,
}

impl Settings {
    /// Loads settings from the layers. `env` is passed in so tests need not touch the process.
    pub fn load(
        overrides: &Overrides,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = env
            .into_iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("ARMARIO_")
                    .filter(|k| !k.is_empty())
                    .map(|k| (k.to_ascii_lowercase(), v))
            })
            .collect();
        let config_path = overrides
            .config
            .clone()
            .or_else(|| env.get("config").map(PathBuf::from))
            .or_else(|| {
                Path::new("armario.toml")
                    .exists()
                    .then(|| PathBuf::from("armario.toml"))
            });

        let mut layers = Vec::new();
        if let Some(path) = &config_path {
            layers.push(Layer::file(path)?);
        }
        layers.push(Layer::env(&env));
        let mut flags = Vec::new();
        if let Some(d) = &overrides.data_dir {
            flags.push(("data_dir", d.display().to_string()));
        }
        if let Some(a) = &overrides.addr {
            flags.push(("addr", a.clone()));
        }
        layers.push(Layer::flags(flags));

        let keys = fields::setting_keys();
        let mut figment = Figment::new();
        for layer in &mut layers {
            layer.settle(&keys)?;
        }
        for layer in &layers {
            figment = figment.merge(layer);
        }
        // Lossy: text from the environment reads as a number or a boolean where one is due.
        let mut settings: Settings = figment
            .extract_lossy()
            .map_err(|e| values::explain(e, &layers))?;
        if settings.retention_signin_days < SIGNIN_MIN_DAYS {
            return Err(ConfigError::Invalid {
                key: "ARMARIO_RETENTION_SIGNIN_DAYS (retention_signin_days)".into(),
                message: format!(
                    "sign-in records must be kept at least {SIGNIN_MIN_DAYS} days (six months, Marco Civil da Internet art. 15); got {}",
                    settings.retention_signin_days
                ),
            });
        }
        if let Some(url) = &settings.database_url {
            if !crate::db::pg::is_url(url.expose()) {
                return Err(ConfigError::Invalid {
                    key: "ARMARIO_DATABASE_URL (database_url)".into(),
                    message: "must be a PostgreSQL URL (postgres://user@host:5432/database); \
                              leave it unset for the SQLite file in the data directory"
                        .into(),
                });
            }
        }
        settings.public_url = settings
            .public_url
            .map(|u| u.trim_end_matches('/').to_string());
        Ok(settings)
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(crate::datadir::DB_FILE)
    }
}

#[cfg(test)]
mod tests;

/// One less than the cores, at least one.
/// Two read-only connections per core. On a million companies at 16 connections (2 cores), four
/// answered the search by name at 1,970–2,050 requests/s with a p99 of 18.6–19.6 ms and 69 MiB
/// at peak; eight at the same rate, but 21.0–21.8 ms and 92 MiB (more reads time-sliced on the
/// cores at once); two at 1,640–1,710/s and 22.3–22.8 ms.
fn default_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (2 * cores).max(2) as u32
}

fn default_hash_workers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores.saturating_sub(1)).max(1) as u32
}
