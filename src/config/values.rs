//! Parsers for settings whose values are words, the "at least 1" rule, and the translation of
//! a figment error into one that names the key as the person wrote it.

use figment::error::Kind;
use serde::de::{self, Deserialize, Deserializer};

use super::fields::{self, SECRET_KEYS};
use super::layers::Layer;
use super::{ConfigError, LogFormat};
use crate::db::Synchronous;

pub fn synchronous<'de, D: Deserializer<'de>>(d: D) -> Result<Synchronous, D::Error> {
    let v = String::deserialize(d)?;
    match v.trim().to_ascii_lowercase().as_str() {
        "full" => Ok(Synchronous::Full),
        "normal" => Ok(Synchronous::Normal),
        _ => Err(de::Error::custom(format!(
            "expected full or normal, got {v:?}"
        ))),
    }
}

pub fn log_format<'de, D: Deserializer<'de>>(d: D) -> Result<LogFormat, D::Error> {
    let v = String::deserialize(d)?;
    match v.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(de::Error::custom(format!(
            "expected text or json, got {v:?}"
        ))),
    }
}

/// `host:port`, the port a number (0 picks a free one); the host is resolved when binding.
pub fn listen_addr<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let port = v.rsplit_once(':').map(|(_, p)| p.parse::<u16>());
    match port {
        Some(Ok(_)) => Ok(v),
        _ => Err(de::Error::custom(format!(
            "expected host:port with a port from 0 to 65535, got {v:?}"
        ))),
    }
}

/// Company field names, as one comma-separated text (the environment) or a list (the file).
pub fn erasure_keep<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Fields {
        Text(String),
        List(Vec<String>),
    }
    let raw = match Fields::deserialize(d)? {
        Fields::Text(t) => t,
        Fields::List(l) => l.join(","),
    };
    crate::domain::erasure::parse_keep(&raw).map_err(de::Error::custom)
}

/// A count or a duration where 0 would switch the feature off by accident.
pub fn positive<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default + PartialEq,
{
    let v = T::deserialize(d)?;
    if v == T::default() {
        return Err(de::Error::custom("must be at least 1"));
    }
    Ok(v)
}

/// Names the key in the spelling of the layer whose value was refused (`ARMARIO_SYNCHRONOUS`,
/// `backup.retention_days`), and never repeats a secret's value.
pub fn explain(error: figment::Error, layers: &[Layer]) -> ConfigError {
    let key = error.path.join("_");
    let from = error.metadata.as_ref().map(|m| m.name.to_string());
    let shown = layers
        .iter()
        .rev()
        .filter(|l| from.as_deref().is_none_or(|f| f == l.source.describe()))
        .find_map(|l| l.shown(&key))
        .map_or_else(|| fields::Source::Env.spell(&key), str::to_string);
    let message = if SECRET_KEYS.contains(&key.as_str()) {
        "expected text".to_string()
    } else {
        match &error.kind {
            Kind::InvalidType(found, expected) | Kind::InvalidValue(found, expected) => {
                format!("expected {}, found {found}", in_words(expected))
            }
            other => other.to_string(),
        }
    };
    ConfigError::Invalid {
        key: shown,
        message,
    }
}

/// serde's names for the expected kind (`u32`, `a boolean`) in words an operator reads.
fn in_words(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number",
        "a boolean" => "true or false (also yes/no, on/off, 1/0)",
        other => other,
    }
}
