//! Layered settings: defaults, then `armario.toml`, then `ARMARIO_*` environment variables,
//! then command-line flags. Any key `k` may instead be read from a file named by `k_file`
//! (`ARMARIO_MASTER_KEY_FILE=/run/secrets/key`). TOML tables flatten with `_`:
//! `[backup] s3_bucket = "x"` is the key `backup_s3_bucket`, like `ARMARIO_BACKUP_S3_BUCKET`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::crypto::SecretString;
use crate::db::Synchronous;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Settings {
    pub addr: String,
    pub data_dir: PathBuf,
    /// Base URL people use to reach armario (for links printed in logs).
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    pub master_key: Option<SecretString>,
    pub synchronous: Synchronous,
    pub session_ttl_secs: u64,
    /// Marks the session cookie `Secure`; set when armario is served behind TLS.
    pub cookie_secure: bool,
    pub read_pool_size: u32,
    /// Most writes committed together in one transaction (group commit); 1 switches it off.
    pub write_batch_max: u32,
    pub max_body_bytes: usize,
    /// Every key that was set, for the parts that read their own settings. Secret values stay
    /// here too, so this map is never logged.
    values: BTreeMap<String, String>,
}

/// Keys whose values are secrets: never printed.
const SECRET_KEYS: &[&str] = &[
    "master_key",
    "master_key_previous",
    "backup_s3_secret_key",
    "backup_s3_access_key",
    "metrics_token",
];

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
}

/// Command-line values that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub addr: Option<String>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}_{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Array(items) => {
                let joined: Vec<String> = items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect();
                out.insert(key, joined.join(","));
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Moves `k_file` entries into `k`, reading the file (trailing newline trimmed).
fn resolve_files(values: &mut BTreeMap<String, String>) -> Result<(), ConfigError> {
    let file_keys: Vec<String> = values
        .keys()
        .filter(|k| k.ends_with("_file"))
        .cloned()
        .collect();
    for fk in file_keys {
        let path = values.remove(&fk).unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let key = fk.trim_end_matches("_file").to_string();
        values.insert(key, text.trim_end_matches(['\n', '\r']).to_string());
    }
    Ok(())
}

fn parse_bool(key: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError::Invalid {
            key: key.into(),
            message: format!("expected true or false, got {v:?}"),
        }),
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.redacted()).finish()
    }
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

        let mut layers: Vec<BTreeMap<String, String>> = Vec::new();
        if let Some(path) = &config_path {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Toml {
                        path: shown,
                        message: e.message().to_string(),
                    })?;
            let mut m = BTreeMap::new();
            flatten("", &table, &mut m);
            layers.push(m);
        }
        let mut env_layer = env;
        env_layer.remove("config");
        layers.push(env_layer);
        let mut flags = BTreeMap::new();
        if let Some(d) = &overrides.data_dir {
            flags.insert("data_dir".to_string(), d.display().to_string());
        }
        if let Some(a) = &overrides.addr {
            flags.insert("addr".to_string(), a.clone());
        }
        layers.push(flags);

        let mut values = BTreeMap::new();
        for mut layer in layers {
            resolve_files(&mut layer)?;
            values.extend(layer);
        }
        Self::from_values(values)
    }

    fn from_values(values: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            values
                .get(k)
                .map(String::as_str)
                .filter(|v| !v.trim().is_empty())
        };
        let num = |k: &str, default: u64| -> Result<u64, ConfigError> {
            get(k).map_or(Ok(default), |v| {
                v.trim().parse().map_err(|_| ConfigError::Invalid {
                    key: k.into(),
                    message: format!("expected a number, got {v:?}"),
                })
            })
        };
        let synchronous = match get("synchronous").map(str::to_ascii_lowercase).as_deref() {
            None | Some("full") => Synchronous::Full,
            Some("normal") => Synchronous::Normal,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "synchronous".into(),
                    message: format!("expected full or normal, got {other:?}"),
                })
            }
        };
        let log_format = match get("log_format").map(str::to_ascii_lowercase).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "log_format".into(),
                    message: format!("expected text or json, got {other:?}"),
                })
            }
        };
        let session_ttl_secs = num("session_ttl_secs", 24 * 60 * 60)?;
        if session_ttl_secs == 0 {
            return Err(ConfigError::Invalid {
                key: "session_ttl_secs".into(),
                message: "must be at least 1".into(),
            });
        }
        Ok(Self {
            addr: get("addr").unwrap_or("127.0.0.1:8080").to_string(),
            data_dir: PathBuf::from(get("data_dir").unwrap_or("armario-data")),
            public_url: get("public_url").map(|u| u.trim_end_matches('/').to_string()),
            log_format,
            master_key: get("master_key").map(SecretString::new),
            synchronous,
            session_ttl_secs,
            cookie_secure: get("cookie_secure")
                .map_or(Ok(false), |v| parse_bool("cookie_secure", v))?,
            read_pool_size: num("read_pool_size", 8)? as u32,
            write_batch_max: num("write_batch_max", 64)?.clamp(1, 1024) as u32,
            max_body_bytes: num("max_body_bytes", 256 * 1024)? as usize,
            values,
        })
    }

    /// A raw setting by key, for parts that read their own keys (backup, metrics, ...).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        self.get(key).map(|v| parse_bool(key, v)).transpose()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(crate::datadir::DB_FILE)
    }

    /// Keys that are set, with secret values hidden (for `--print-config` style diagnostics).
    pub fn redacted(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| {
                let hidden = SECRET_KEYS.contains(&k.as_str());
                (
                    k.clone(),
                    if hidden {
                        "<redacted>".into()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order_and_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("armario.toml");
        std::fs::write(
            &toml_path,
            "addr = \"0.0.0.0:1\"\nsession_ttl_secs = 60\n[backup]\ns3_bucket = \"b\"\n",
        )
        .unwrap();
        let key_path = dir.path().join("key");
        std::fs::write(&key_path, "secret-value\n").unwrap();
        let env = vec![
            ("ARMARIO_ADDR".to_string(), "127.0.0.1:2".to_string()),
            (
                "ARMARIO_MASTER_KEY_FILE".to_string(),
                key_path.display().to_string(),
            ),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let o = Overrides {
            config: Some(toml_path),
            addr: Some("127.0.0.1:3".into()),
            ..Default::default()
        };
        let s = Settings::load(&o, env).unwrap();
        assert_eq!(s.addr, "127.0.0.1:3");
        assert_eq!(s.session_ttl_secs, 60);
        assert_eq!(s.get("backup_s3_bucket"), Some("b"));
        assert_eq!(s.master_key.as_ref().unwrap().expose(), "secret-value");
        assert_eq!(format!("{:?}", s.master_key), "Some(<redacted>)");
        assert_eq!(s.redacted()["master_key"], "<redacted>");
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = Settings::load(
            &Overrides::default(),
            vec![("ARMARIO_SYNCHRONOUS".into(), "sometimes".into())],
        )
        .unwrap_err();
        assert!(err.to_string().contains("synchronous"));
    }
}
