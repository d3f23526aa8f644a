//! Backup settings: the raw values read from the layered configuration (`backup_*` keys of the
//! contract) and their validated form used by the engine.

use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;

use super::error::{BackupError, Result};

/// Default retention in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Default backup times, local to [`DEFAULT_TIMEZONE`].
pub const DEFAULT_TIMES: &str = "03:00,15:00";
/// Default time zone of the backup times.
pub const DEFAULT_TIMEZONE: &str = "America/Sao_Paulo";

/// The crate's secret string: `Debug` never shows it, and it is wiped on drop.
pub use crate::crypto::SecretString as Secret;

/// The `backup_*` settings, deserialised by the configuration layer straight from the TOML
/// `[backup]` table and the `ARMARIO_BACKUP_*` variables, before validation. Every field is
/// optional; defaults apply.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// `local` (default) or `s3`.
    pub target: Option<String>,
    /// Directory of the local target; default `<data_dir>/backups`.
    pub local_dir: Option<PathBuf>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_prefix: Option<String>,
    pub s3_path_style: Option<bool>,
    pub s3_access_key: Option<Secret>,
    pub s3_secret_key: Option<Secret>,
    /// Comma-separated local times, e.g. "03:00,15:00".
    pub times: Option<String>,
    /// IANA time zone name, e.g. "America/Sao_Paulo".
    pub timezone: Option<String>,
    pub retention_days: Option<u32>,
}

/// Validated backup settings.
#[derive(Debug, Clone)]
pub struct BackupSettings {
    pub target: TargetSettings,
    /// Times of day of the scheduled backups, sorted, in `timezone`.
    pub times: Vec<NaiveTime>,
    pub timezone: Tz,
    pub retention_days: u32,
}

/// Where backups are stored.
#[derive(Debug, Clone)]
pub enum TargetSettings {
    /// A directory on this machine (the embedded default).
    Local { dir: PathBuf },
    /// An S3-compatible bucket: AWS S3, Cloudflare R2, Backblaze B2, DigitalOcean Spaces, MinIO.
    S3(S3Settings),
}

/// Connection settings of an S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// Base URL such as `https://s3.eu-west-1.amazonaws.com`; empty means AWS for `region`.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// Key prefix of every object, empty or ending with `/`.
    pub prefix: String,
    /// Address the bucket as `endpoint/bucket` instead of `bucket.endpoint`.
    pub path_style: bool,
    pub access_key: String,
    pub secret_key: Secret,
}

impl BackupSettings {
    /// The defaults: local directory `<data_dir>/backups`, 03:00 and 15:00 in São Paulo, 30 days.
    pub fn defaults(data_dir: &Path) -> Self {
        BackupConfig::default()
            .resolve(data_dir)
            .expect("the default backup settings are valid")
    }
}

impl BackupConfig {
    /// Validates the raw values; each error names the offending setting.
    pub fn resolve(&self, data_dir: &Path) -> Result<BackupSettings> {
        let target = match self.target.as_deref().map(str::trim).unwrap_or("local") {
            "local" | "" => TargetSettings::Local {
                dir: self
                    .local_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("backups")),
            },
            "s3" => TargetSettings::S3(self.resolve_s3()?),
            other => {
                return Err(BackupError::Settings {
                    field: "backup_target",
                    reason: format!("expected \"local\" or \"s3\", got {other:?}"),
                })
            }
        };
        let times = parse_times(self.times.as_deref().unwrap_or(DEFAULT_TIMES))?;
        let timezone = parse_timezone(self.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE))?;
        let retention_days = self.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS);
        if retention_days == 0 {
            return Err(BackupError::Settings {
                field: "backup_retention_days",
                reason: "must be at least 1".into(),
            });
        }
        Ok(BackupSettings {
            target,
            times,
            timezone,
            retention_days,
        })
    }

    fn resolve_s3(&self) -> Result<S3Settings> {
        let required = |field: &'static str, value: &Option<String>| -> Result<String> {
            match value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => Err(BackupError::Settings {
                    field,
                    reason: "is required when backup_target = \"s3\"".into(),
                }),
            }
        };
        let bucket = required("backup_s3_bucket", &self.s3_bucket)?;
        let access_key = self.s3_access_key.as_ref().map(|k| k.expose().to_string());
        let access_key = required("backup_s3_access_key", &access_key)?;
        let secret_key = match &self.s3_secret_key {
            Some(s) if !s.expose().is_empty() => s.clone(),
            _ => {
                return Err(BackupError::Settings {
                    field: "backup_s3_secret_key",
                    reason: "is required when backup_target = \"s3\"".into(),
                })
            }
        };
        let endpoint = self.s3_endpoint.clone().unwrap_or_default();
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        let has_scheme = endpoint.starts_with("https://") || endpoint.starts_with("http://");
        if !endpoint.is_empty() && !has_scheme {
            return Err(BackupError::Settings {
                field: "backup_s3_endpoint",
                reason: format!("must start with https:// or http://, got {endpoint:?}"),
            });
        }
        let region = match self.s3_region.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => r.to_string(),
            _ if endpoint.is_empty() => {
                return Err(BackupError::Settings {
                    field: "backup_s3_region",
                    reason: "is required when backup_s3_endpoint is not set".into(),
                })
            }
            // R2 and MinIO accept any region name; "auto" is what R2 documents.
            _ => "auto".to_string(),
        };
        Ok(S3Settings {
            endpoint,
            region,
            bucket,
            prefix: normalize_prefix(self.s3_prefix.as_deref().unwrap_or("")),
            path_style: self.s3_path_style.unwrap_or(false),
            access_key,
            secret_key,
        })
    }
}

/// "backups" and "backups/" both mean the folder `backups/`; leading slashes are dropped.
fn normalize_prefix(prefix: &str) -> String {
    let prefix = prefix.trim().trim_start_matches('/');
    if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    }
}

/// Parses "03:00,15:00" into sorted, distinct times of day.
pub fn parse_times(text: &str) -> Result<Vec<NaiveTime>> {
    let mut times = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let time = NaiveTime::parse_from_str(part, "%H:%M").map_err(|_| BackupError::Settings {
            field: "backup_times",
            reason: format!("{part:?} is not a time of day as HH:MM (e.g. \"03:00,15:00\")"),
        })?;
        times.push(time);
    }
    if times.is_empty() {
        return Err(BackupError::Settings {
            field: "backup_times",
            reason: "needs at least one time of day as HH:MM (e.g. \"03:00,15:00\")".into(),
        });
    }
    times.sort();
    times.dedup();
    Ok(times)
}

/// Parses an IANA time zone name such as "America/Sao_Paulo".
pub fn parse_timezone(text: &str) -> Result<Tz> {
    text.trim()
        .parse::<Tz>()
        .map_err(|_| BackupError::Settings {
            field: "backup_timezone",
            reason: format!("{text:?} is not an IANA time zone name (e.g. \"America/Sao_Paulo\")"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_local_twice_a_day_in_sao_paulo() {
        let s = BackupSettings::defaults(Path::new("/data"));
        assert!(
            matches!(s.target, TargetSettings::Local { ref dir } if dir == Path::new("/data/backups"))
        );
        assert_eq!(s.times.len(), 2);
        assert_eq!(s.timezone, chrono_tz::America::Sao_Paulo);
        assert_eq!(s.retention_days, 30);
    }

    #[test]
    fn s3_needs_bucket_and_keys_and_names_the_missing_one() {
        let cfg = BackupConfig {
            target: Some("s3".into()),
            s3_endpoint: Some("http://127.0.0.1:9000".into()),
            ..Default::default()
        };
        let err = cfg.resolve(Path::new("/d")).unwrap_err().to_string();
        assert!(err.contains("backup_s3_bucket"), "{err}");
    }

    #[test]
    fn bad_times_and_zones_are_rejected_with_the_field_name() {
        assert!(parse_times("3pm")
            .unwrap_err()
            .to_string()
            .contains("backup_times"));
        assert!(parse_times("").is_err());
        assert_eq!(parse_times("15:00, 03:00,15:00").unwrap().len(), 2);
        assert!(parse_timezone("Mars/Base")
            .unwrap_err()
            .to_string()
            .contains("backup_timezone"));
    }

    #[test]
    fn prefix_becomes_a_folder_and_secret_is_redacted() {
        assert_eq!(normalize_prefix("/prod"), "prod/");
        assert_eq!(normalize_prefix(""), "");
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "<redacted>");
    }
}
