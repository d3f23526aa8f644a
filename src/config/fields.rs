//! The names of the settings, read from the typed structs themselves so the list of known keys
//! cannot drift from the fields, and the spelling of a key in each place it can be set.

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::backup::BackupConfig;
use crate::mail::SmtpConfig;

use super::Settings;

/// Names `ARMARIO_*` variables that are not settings but are read elsewhere: the settings file
/// path (`--config`), and the browser test scripts' inputs (`tests/e2e/*.mjs`).
const ENV_ONLY: &[&str] = &["config", "url", "setup_url", "screenshots"];

/// The table `[backup]` of the file, `backup_*` once flattened.
pub const BACKUP_TABLE: &str = "backup";
/// The table `[smtp]` of the file, `smtp_*` once flattened.
pub const SMTP_TABLE: &str = "smtp";

/// Keys whose values are secrets: an error about them never repeats the value.
pub const SECRET_KEYS: &[&str] = &[
    "master_key",
    "master_key_previous",
    "database_url",
    "metrics_token",
    "backup_s3_access_key",
    "backup_s3_secret_key",
    "smtp_password",
];

/// The field names of a struct deriving `Deserialize`, captured from `deserialize_struct`.
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only structs have field names"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("field names captured"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Every setting as a flat key (`addr`, `backup_s3_bucket`), in field order.
pub fn setting_keys() -> Vec<String> {
    let tables = tables();
    let top = fields_of::<Settings>()
        .iter()
        .filter(|f| !tables.iter().any(|(t, _)| t == *f))
        .map(|f| f.to_string());
    let nested = tables
        .into_iter()
        .flat_map(|(t, fields)| fields.iter().map(move |f| format!("{t}_{f}")));
    top.chain(nested).collect()
}

/// The tables of the file, each with its fields: `[backup]` and `[smtp]`.
pub fn tables() -> [(&'static str, &'static [&'static str]); 2] {
    [
        (BACKUP_TABLE, fields_of::<BackupConfig>()),
        (SMTP_TABLE, fields_of::<SmtpConfig>()),
    ]
}

/// The table a flat key belongs to, and the key inside it: `smtp_host` is `("smtp", "host")`.
pub fn table_of(key: &str) -> Option<(&'static str, &str)> {
    tables().into_iter().find_map(|(table, fields)| {
        key.strip_prefix(table)
            .and_then(|rest| rest.strip_prefix('_'))
            .filter(|rest| fields.contains(rest))
            .map(|rest| (table, rest))
    })
}

/// Keys an `ARMARIO_*` variable may name without being a setting.
pub fn env_only_keys() -> &'static [&'static str] {
    ENV_ONLY
}

/// Where a value came from, to name a key the way the person wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(String),
    Env,
    Flags,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::File(path) => path.clone(),
            Source::Env => "the environment".into(),
            Source::Flags => "the command line".into(),
        }
    }

    /// The flat key `backup_s3_bucket` as written here: `ARMARIO_BACKUP_S3_BUCKET`,
    /// `backup.s3_bucket`, `--data-dir`.
    pub fn spell(&self, key: &str) -> String {
        match self {
            Source::Env => format!("ARMARIO_{}", key.to_ascii_uppercase()),
            Source::File(_) => match table_of(key) {
                Some((table, rest)) => format!("{table}.{rest}"),
                None => key.to_string(),
            },
            Source::Flags => format!("--{}", key.replace('_', "-")),
        }
    }
}

/// The known key nearest to `key` by edit distance.
pub fn nearest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .min_by_key(|c| strsim::levenshtein(key, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_structs() {
        let keys = setting_keys();
        for k in [
            "addr",
            "master_key",
            "signup_max_per_ip",
            "backup_s3_bucket",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
        }
        assert!(!keys.iter().any(|x| x == BACKUP_TABLE));
        for s in SECRET_KEYS {
            assert!(keys.iter().any(|x| x == s), "secret {s} is not a setting");
        }
    }

    #[test]
    fn nearest_key_and_spelling() {
        let keys = setting_keys();
        let near = nearest("bakup_s3_bucket", keys.iter().map(String::as_str));
        assert_eq!(near, Some("backup_s3_bucket"));
        assert_eq!(
            Source::Env.spell("backup_s3_bucket"),
            "ARMARIO_BACKUP_S3_BUCKET"
        );
        assert_eq!(
            Source::File("a.toml".into()).spell("backup_s3_bucket"),
            "backup.s3_bucket"
        );
        assert_eq!(Source::Flags.spell("data_dir"), "--data-dir");
    }
}
