//! Backup ids, object names and the manifest written beside each object.
//!
//! Names sort by time: `<prefix>armario-20261123T030000.000Z-1a2b3c4d.db.zst.enc`, with the
//! manifest at the same name plus `.manifest.json`. An object only counts as a backup once its
//! manifest exists, and the manifest is always written last.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{BackupError, Result};

const NAME_PREFIX: &str = "armario-";
pub const OBJECT_SUFFIX: &str = ".db.zst.enc";
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
const TIME_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";

/// Identifies a backup: its UTC start time to the millisecond (so names sort in the order the
/// backups were taken, even several in one second) and 8 random hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BackupId(String);

impl BackupId {
    pub fn generate(at: DateTime<Utc>) -> Self {
        let short = &uuid::Uuid::new_v4().simple().to_string()[..8];
        BackupId(format!("{}-{short}", at.format(TIME_FORMAT)))
    }

    /// Parses and checks an id such as `20261123T030000.000Z-1a2b3c4d`.
    pub fn parse(text: &str) -> Option<Self> {
        let (time, short) = text.split_once('-')?;
        NaiveDateTime::parse_from_str(time, TIME_FORMAT).ok()?;
        let short_ok = short.len() == 8 && short.bytes().all(|b| b.is_ascii_hexdigit());
        short_ok.then(|| BackupId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time encoded in the id.
    pub fn time(&self) -> DateTime<Utc> {
        let time = self.0.split_once('-').map(|(t, _)| t).unwrap_or_default();
        NaiveDateTime::parse_from_str(time, TIME_FORMAT)
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    /// The object's name relative to the target's prefix.
    pub fn object_name(&self) -> String {
        format!("{NAME_PREFIX}{}{OBJECT_SUFFIX}", self.0)
    }

    pub fn manifest_name(&self) -> String {
        format!("{}{MANIFEST_SUFFIX}", self.object_name())
    }
}

impl fmt::Display for BackupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a stored name is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredName {
    Object(BackupId),
    Manifest(BackupId),
}

/// Recognises `armario-<id>.db.zst.enc[.manifest.json]`; anything else is not ours.
pub fn parse_stored_name(name: &str) -> Option<StoredName> {
    let rest = name.strip_prefix(NAME_PREFIX)?;
    if let Some(id) = rest.strip_suffix(MANIFEST_SUFFIX) {
        let id = id.strip_suffix(OBJECT_SUFFIX)?;
        return BackupId::parse(id).map(StoredName::Manifest);
    }
    let id = rest.strip_suffix(OBJECT_SUFFIX)?;
    BackupId::parse(id).map(StoredName::Object)
}

/// The manifest of one backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub format: u32,
    pub id: BackupId,
    pub created_at: DateTime<Utc>,
    /// `PRAGMA user_version` of the snapshot.
    pub schema_version: i64,
    /// Size of the uncompressed database snapshot.
    pub plaintext_size: u64,
    /// Size of the stored (compressed and encrypted) object.
    pub encrypted_size: u64,
    /// SHA-256 of the stored object, lowercase hex.
    pub sha256: String,
    pub row_counts: BTreeMap<String, u64>,
    /// Key id of the master key the object was sealed under.
    pub key_id: String,
    pub armario_version: String,
    /// Name of the object relative to the target prefix.
    pub object: String,
    pub compression: String,
    pub encryption: String,
    /// The audit chain's last link in the snapshot, for `armario audit verify --against`.
    /// Absent in manifests written before the chain existed (they still restore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<crate::domain::audit_chain::ChainHead>,
    /// Each company's data key for the personal columns of this snapshot, sealed under the
    /// master key, by company id. Erasing a company removes its entry from every manifest.
    /// Absent in manifests written before personal columns were sealed per company.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub company_keys: BTreeMap<String, String>,
}

pub const MANIFEST_FORMAT: u32 = 1;
pub const COMPRESSION: &str = "zstd";
pub const ENCRYPTION: &str = "aes-256-gcm-chunked-1mib-v1";

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serializes");
        bytes.push(b'\n');
        bytes
    }

    pub fn from_json(name: &str, bytes: &[u8]) -> Result<Self> {
        let manifest: Manifest = parse_checked(name, bytes, |m: &Manifest| m.format)?;
        if manifest.encryption != ENCRYPTION || manifest.compression != COMPRESSION {
            return Err(invalid(
                name,
                format!(
                    "unknown encoding {} + {}",
                    manifest.compression, manifest.encryption
                ),
            ));
        }
        Ok(manifest)
    }

    /// The master key id of the manifest in `bytes`, with its format checked; the other fields
    /// are passed over without being kept.
    pub fn key_id_from_json(name: &str, bytes: &[u8]) -> Result<String> {
        let head: ManifestHead = parse_checked(name, bytes, |h: &ManifestHead| h.format)?;
        Ok(head.key_id)
    }

    /// The master key id from the first bytes of a manifest, with its format checked: both are
    /// written before the company keys, which in a store of a million companies make the
    /// manifest 128 MB. `None` when `head` ends (or stops being JSON) before both are read; the
    /// rest of the manifest is not looked at.
    pub fn key_id_from_head(name: &str, head: &[u8]) -> Result<Option<String>> {
        let mut fields = HeadFields::default();
        let mut reader = serde_json::Deserializer::from_slice(head);
        // The visitor stops reading once it has both fields, which leaves the map unfinished:
        // the error that reports is expected and only the fields found count.
        let _ = serde::Deserializer::deserialize_map(&mut reader, HeadVisitor(&mut fields));
        let (Some(format), Some(key_id)) = (fields.format, fields.key_id) else {
            return Ok(None);
        };
        check_format(name, format)?;
        Ok(Some(key_id))
    }
}

/// How many bytes of a manifest to read for its head: its fields before the company keys take
/// well under this.
pub const HEAD_BYTES: u64 = 64 * 1024;

/// The few fields of a manifest read without its company keys, which in a store of a million
/// companies are a million entries: parsing the whole manifest to learn its key id held 300 MB
/// at start.
#[derive(Deserialize)]
struct ManifestHead {
    format: u32,
    key_id: String,
}

#[derive(Default)]
struct HeadFields {
    format: Option<u32>,
    key_id: Option<String>,
}

/// Reads a manifest's fields in order until it has its format and key id.
struct HeadVisitor<'a>(&'a mut HeadFields);

impl<'de> serde::de::Visitor<'de> for HeadVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a backup manifest")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => self.0.format = Some(map.next_value()?),
                "key_id" => self.0.key_id = Some(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            if self.0.format.is_some() && self.0.key_id.is_some() {
                break;
            }
        }
        Ok(())
    }
}

fn invalid(name: &str, reason: String) -> BackupError {
    BackupError::InvalidManifest {
        name: name.to_string(),
        reason,
    }
}

/// Parses the manifest `name` as `T` and checks the format it declares.
fn parse_checked<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
    format: impl Fn(&T) -> u32,
) -> Result<T> {
    let parsed: T = serde_json::from_slice(bytes).map_err(|e| invalid(name, e.to_string()))?;
    check_format(name, format(&parsed))?;
    Ok(parsed)
}

fn check_format(name: &str, found: u32) -> Result<()> {
    if found != MANIFEST_FORMAT {
        return Err(invalid(
            name,
            format!("format {found} is not supported by this armario (knows {MANIFEST_FORMAT})"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_round_trip_and_sort_by_time() {
        let early = BackupId::generate(Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap());
        let late = BackupId::generate(Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap());
        assert!(early.object_name() < late.object_name());
        assert!(early.as_str().starts_with("20261123T030000.000Z-"));
        assert_eq!(
            early.time(),
            Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
        );
        assert_eq!(
            parse_stored_name(&early.object_name()),
            Some(StoredName::Object(early.clone()))
        );
        assert_eq!(
            parse_stored_name(&early.manifest_name()),
            Some(StoredName::Manifest(early))
        );
        assert_eq!(parse_stored_name("armario-junk.db.zst.enc"), None);
        assert_eq!(parse_stored_name("notes.txt"), None);
    }

    #[test]
    fn the_key_id_is_read_past_the_company_keys_and_the_format_checked() {
        let mut manifest = manifest_with_keys(1000);
        let name = manifest.id.manifest_name();
        assert_eq!(
            Manifest::key_id_from_json(&name, &manifest.to_json()).unwrap(),
            "1558cfc8"
        );
        manifest.format = MANIFEST_FORMAT + 1;
        let err = Manifest::key_id_from_json(&name, &manifest.to_json()).unwrap_err();
        assert!(err.to_string().contains("is not supported"), "{err}");
        assert!(Manifest::key_id_from_json(&name, b"{\"format\": 1}").is_err());
    }

    #[test]
    fn the_key_id_is_read_from_the_head_and_the_rest_is_not_looked_at() {
        let mut manifest = manifest_with_keys(10_000);
        let name = manifest.id.manifest_name();
        let json = manifest.to_json();
        assert!(json.len() as u64 > 10 * HEAD_BYTES, "{}", json.len());
        let head = &json[..HEAD_BYTES as usize];
        assert_eq!(
            Manifest::key_id_from_head(&name, head).unwrap().as_deref(),
            Some("1558cfc8")
        );
        // Past the head the bytes are not read: damage there does not matter.
        let mut damaged = head.to_vec();
        damaged.extend_from_slice(b"\0\0 not json");
        assert_eq!(
            Manifest::key_id_from_head(&name, &damaged)
                .unwrap()
                .as_deref(),
            Some("1558cfc8")
        );
        // A head that ends before the key id tells the caller to read on.
        let cut = json.windows(8).position(|w| w == b"\"key_id\"").unwrap();
        assert_eq!(
            Manifest::key_id_from_head(&name, &json[..cut]).unwrap(),
            None
        );
        // The key id after the company keys (as a store could write it) is not in the head.
        let mut reordered: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&json).unwrap();
        let key_id = reordered.remove("key_id").unwrap();
        reordered.insert("key_id".into(), key_id);
        let late = serde_json::to_vec(&reordered).unwrap();
        assert_eq!(
            Manifest::key_id_from_head(&name, &late[..HEAD_BYTES as usize]).unwrap(),
            None
        );
        assert_eq!(
            Manifest::key_id_from_head(&name, &late).unwrap().as_deref(),
            Some("1558cfc8")
        );
        manifest.format = MANIFEST_FORMAT + 1;
        let err = Manifest::key_id_from_head(&name, &manifest.to_json()[..HEAD_BYTES as usize])
            .unwrap_err();
        assert!(err.to_string().contains("is not supported"), "{err}");
    }

    fn manifest_with_keys(companies: usize) -> Manifest {
        let id = BackupId::generate(Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap());
        Manifest {
            format: MANIFEST_FORMAT,
            id: id.clone(),
            created_at: id.time(),
            schema_version: 28,
            plaintext_size: 1,
            encrypted_size: 1,
            sha256: "00".into(),
            row_counts: BTreeMap::new(),
            key_id: "1558cfc8".into(),
            armario_version: "0.1.0".into(),
            object: id.object_name(),
            compression: COMPRESSION.into(),
            encryption: ENCRYPTION.into(),
            audit_head: None,
            company_keys: (0..companies)
                .map(|i| (format!("cmp_{i:032x}"), "sealed".repeat(10)))
                .collect(),
        }
    }
}
