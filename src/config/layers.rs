//! One layer of settings (the file, the environment, the flags) as flat keys, checked against
//! the known keys, with `k_file` read into `k`, handed to figment as a provider.

use std::collections::BTreeMap;
use std::path::Path;

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::fields::{self, Source};
use super::ConfigError;

pub struct Layer {
    pub source: Source,
    /// Flat key (`backup_s3_bucket`) → value, plus the key as written, for messages.
    values: BTreeMap<String, (Value, String)>,
}

impl Layer {
    /// The settings file, tables flattened with `_`.
    pub fn file(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::Toml {
                path: shown.clone(),
                message: e.message().to_string(),
            })?;
        let mut values = BTreeMap::new();
        flatten("", "", &table, &mut values);
        Ok(Self {
            source: Source::File(shown),
            values,
        })
    }

    /// The `ARMARIO_*` variables; keys lowercased, values as text.
    pub fn env(vars: &BTreeMap<String, String>) -> Self {
        let values = vars
            .iter()
            .map(|(k, v)| {
                let shown = format!("ARMARIO_{}", k.to_ascii_uppercase());
                (k.clone(), (Value::from(v.trim().to_string()), shown))
            })
            .collect();
        Self {
            source: Source::Env,
            values,
        }
    }

    pub fn flags(pairs: Vec<(&str, String)>) -> Self {
        let values = pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), (Value::from(v), Source::Flags.spell(k))))
            .collect();
        Self {
            source: Source::Flags,
            values,
        }
    }

    /// Refuses unknown keys (naming the nearest known one), reads `k_file` into `k`, drops
    /// the variables that are not settings and the empty values (an empty value is unset).
    pub fn settle(&mut self, keys: &[String]) -> Result<(), ConfigError> {
        let known = |k: &str| keys.iter().any(|x| x == k);
        let is_env = self.source == Source::Env;
        let env_only = |k: &str| is_env && fields::env_only_keys().contains(&k);
        let names: Vec<String> = self.values.keys().cloned().collect();
        for key in names {
            if known(&key) {
                continue;
            }
            if env_only(&key) {
                self.values.remove(&key);
                continue;
            }
            match key.strip_suffix("_file").filter(|stem| known(stem)) {
                Some(stem) => self.read_file(&key, stem)?,
                None => return Err(self.unknown(&key, keys)),
            }
        }
        self.values
            .retain(|_, (v, _)| v.as_str().is_none_or(|s| !s.trim().is_empty()));
        Ok(())
    }

    fn read_file(&mut self, file_key: &str, key: &str) -> Result<(), ConfigError> {
        let (value, shown) = self.values.remove(file_key).expect("key listed above");
        if self.values.contains_key(key) {
            return Err(ConfigError::Invalid {
                key: shown,
                message: format!("set either {} or this, not both", self.source.spell(key)),
            });
        }
        let Some(path) = value.as_str().map(str::trim).filter(|p| !p.is_empty()) else {
            return Err(ConfigError::Invalid {
                key: shown,
                message: "expected the path of a file".into(),
            });
        };
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid {
            key: shown.clone(),
            message: format!("cannot read {path}: {e}"),
        })?;
        let text = text.trim_end_matches(['\n', '\r']).to_string();
        self.values
            .insert(key.to_string(), (Value::from(text), self.source.spell(key)));
        Ok(())
    }

    fn unknown(&self, key: &str, keys: &[String]) -> ConfigError {
        let with_files: Vec<String> = keys.iter().map(|k| format!("{k}_file")).collect();
        let mut candidates: Vec<&str> = keys.iter().map(String::as_str).collect();
        if key.ends_with("_file") {
            candidates.extend(with_files.iter().map(String::as_str));
        }
        if self.source == Source::Env {
            candidates.extend(fields::env_only_keys());
        }
        let nearest = fields::nearest(key, candidates).unwrap_or("addr");
        ConfigError::Unknown {
            name: self.values[key].1.clone(),
            place: self.source.describe(),
            nearest: self.source.spell(nearest),
        }
    }

    /// The key as written in this layer, if this layer set it.
    pub fn shown(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(_, shown)| shown.as_str())
    }

    fn nested(&self) -> Dict {
        let mut top = Dict::new();
        let mut tables: BTreeMap<&str, Dict> = BTreeMap::new();
        for (k, (v, _)) in &self.values {
            match fields::table_of(k) {
                Some((table, rest)) => {
                    tables
                        .entry(table)
                        .or_default()
                        .insert(rest.to_string(), v.clone());
                }
                None => {
                    top.insert(k.clone(), v.clone());
                }
            }
        }
        for (table, values) in tables {
            top.insert(table.to_string(), Value::from(values));
        }
        top
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.source.describe())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.nested()))
    }
}

/// `[backup] s3_bucket = "b"` becomes `backup_s3_bucket`; arrays of text join with commas
/// (`times = ["03:00", "15:00"]` is `"03:00,15:00"`).
fn flatten(
    prefix: &str,
    dotted: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, (Value, String)>,
) {
    for (k, v) in table {
        let (key, shown) = if prefix.is_empty() {
            (k.clone(), k.clone())
        } else {
            (format!("{prefix}_{k}"), format!("{dotted}.{k}"))
        };
        let value = match v {
            toml::Value::Table(t) => {
                flatten(&key, &shown, t, out);
                continue;
            }
            toml::Value::String(s) => Value::from(s.trim().to_string()),
            toml::Value::Integer(i) => Value::from(*i),
            toml::Value::Float(f) => Value::from(*f),
            toml::Value::Boolean(b) => Value::from(*b),
            toml::Value::Datetime(d) => Value::from(d.to_string()),
            toml::Value::Array(items) => {
                let joined: Vec<String> = items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect();
                Value::from(joined.join(","))
            }
        };
        out.insert(key, (value, shown));
    }
}
