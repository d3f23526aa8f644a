//! The master key and the subkeys derived from it with HKDF-SHA256.

use std::fmt;
use std::path::Path;

use base64::Engine;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// HKDF labels of the subkeys. Every stored value and backup was sealed under one of them:
/// changing a label makes them unreadable.
pub const SEALED_COLUMNS_INFO: &[u8] = b"armario/sealed-columns/v1";
pub const BACKUP_INFO: &[u8] = b"armario/backup/v1";
pub const COMPANY_KEYS_INFO: &[u8] = b"armario/backup-company-keys/v1";

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Accepts 64 hex characters or the base64 (standard or URL-safe) of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|e| e.to_string())?
        } else {
            let engines = [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::URL_SAFE,
            ];
            engines
                .iter()
                .find_map(|e| e.decode(text).ok())
                .or_else(|| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(text)
                        .ok()
                })
                .ok_or("the master key must be 64 hex characters or base64 of 32 bytes")?
        };
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the master key must be exactly 32 bytes".to_string())?;
        Ok(Self(arr))
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Short public identifier of the key, stored beside everything it seals.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"armario/key-id/v1");
        h.update(self.0);
        hex::encode(&h.finalize()[..4])
    }

    pub fn derive(&self, info: &[u8]) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; 32];
        hk.expand(info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// Writes a freshly generated key to `path` with mode 0600, failing if it exists.
    pub fn write_new_file(path: &Path) -> std::io::Result<Self> {
        use std::io::Write;
        let key = Self::generate();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(path)?;
        file.write_all(key.to_base64().as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_hex_and_base64_agree() {
        let key = MasterKey::generate();
        let hex_text = hex::encode(key.0);
        assert_eq!(MasterKey::parse(&hex_text).unwrap().id(), key.id());
        assert_eq!(MasterKey::parse(&key.to_base64()).unwrap().id(), key.id());
        assert!(MasterKey::parse("short").is_err());
    }

    #[test]
    fn subkeys_differ_by_purpose() {
        let key = MasterKey::generate();
        assert_ne!(key.derive(SEALED_COLUMNS_INFO), key.derive(BACKUP_INFO));
    }
}
