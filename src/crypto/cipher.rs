//! Sealed columns: AES-256-GCM with a random 96-bit nonce per value. The associated data binds
//! a ciphertext to its table, column and row, so a value copied to another row fails to open.
//! Each value is stored with the id of the key that sealed it, so keys can be rotated.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;

use super::master_key::{MasterKey, SEALED_COLUMNS_INFO};
use crate::error::{DomainError, DomainResult};

const NONCE_LEN: usize = 12;

/// Where a sealed value lives; becomes the associated data.
pub struct SealContext<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl SealContext<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("armario:v1:{}:{}:{}", self.table, self.column, self.row).into_bytes()
    }
}

pub struct Sealed {
    /// nonce || ciphertext || tag
    pub bytes: Vec<u8>,
    pub key_id: String,
}

pub struct Sealer {
    current: (String, Aes256Gcm),
    /// Keys that may still open older values (during a rotation).
    previous: Vec<(String, Aes256Gcm)>,
}

fn cipher_for(key: &MasterKey) -> (String, Aes256Gcm) {
    let sub = key.derive(SEALED_COLUMNS_INFO);
    (key.id(), Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&sub)))
}

impl Sealer {
    pub fn new(current: &MasterKey, previous: &[MasterKey]) -> Self {
        Self {
            current: cipher_for(current),
            previous: previous.iter().map(cipher_for).collect(),
        }
    }

    pub fn current_key_id(&self) -> &str {
        &self.current.0
    }

    /// Ids of the keys given as previous ones (`ARMARIO_MASTER_KEY_PREVIOUS`).
    pub fn previous_key_ids(&self) -> impl Iterator<Item = &str> {
        self.previous.iter().map(|(id, _)| id.as_str())
    }

    pub fn seal(&self, plaintext: &[u8], ctx: &SealContext<'_>) -> Sealed {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = ctx.associated_data();
        let ciphertext = self
            .current
            .1
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            bytes,
            key_id: self.current.0.clone(),
        }
    }

    pub fn open(
        &self,
        sealed: &[u8],
        key_id: &str,
        ctx: &SealContext<'_>,
    ) -> DomainResult<Vec<u8>> {
        let cipher = std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|(id, _)| id == key_id)
            .map(|(_, c)| c)
            .ok_or_else(|| {
                DomainError::Internal(format!("sealed value uses unknown key id {key_id}"))
            })?;
        if sealed.len() < NONCE_LEN + 16 {
            return Err(DomainError::Internal("sealed value is too short".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let aad = ctx.associated_data();
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| DomainError::Internal("sealed value failed to open".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW_A: SealContext<'static> = SealContext {
        table: "company_secrets",
        column: "sealed",
        row: "cmp_a/omie",
    };

    #[test]
    fn round_trip() {
        let sealer = Sealer::new(&MasterKey::generate(), &[]);
        let sealed = sealer.seal(b"app-secret", &ROW_A);
        assert!(!sealed.bytes.windows(10).any(|w| w == b"app-secret"));
        let opened = sealer.open(&sealed.bytes, &sealed.key_id, &ROW_A).unwrap();
        assert_eq!(opened, b"app-secret");
    }

    #[test]
    fn tampered_value_fails() {
        let sealer = Sealer::new(&MasterKey::generate(), &[]);
        let mut sealed = sealer.seal(b"app-secret", &ROW_A);
        let last = sealed.bytes.len() - 1;
        sealed.bytes[last] ^= 0x01;
        assert!(sealer.open(&sealed.bytes, &sealed.key_id, &ROW_A).is_err());
        sealed.bytes[last] ^= 0x01;
        sealed.bytes[NONCE_LEN] ^= 0x80;
        assert!(sealer.open(&sealed.bytes, &sealed.key_id, &ROW_A).is_err());
    }

    #[test]
    fn value_moved_to_another_row_fails() {
        let sealer = Sealer::new(&MasterKey::generate(), &[]);
        let sealed = sealer.seal(b"app-secret", &ROW_A);
        let row_b = SealContext {
            row: "cmp_b/omie",
            ..ROW_A
        };
        assert!(sealer.open(&sealed.bytes, &sealed.key_id, &row_b).is_err());
        let other_column = SealContext {
            column: "other",
            ..ROW_A
        };
        assert!(sealer
            .open(&sealed.bytes, &sealed.key_id, &other_column)
            .is_err());
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = Sealer::new(&MasterKey::generate(), &[]).seal(b"app-secret", &ROW_A);
        let other = Sealer::new(&MasterKey::generate(), &[]);
        // Unknown key id is refused, and so is a forged id pointing at the wrong key.
        assert!(other.open(&sealed.bytes, &sealed.key_id, &ROW_A).is_err());
        let forged = other.current_key_id().to_string();
        assert!(other.open(&sealed.bytes, &forged, &ROW_A).is_err());
    }

    #[test]
    fn previous_key_still_opens_during_rotation() {
        let old = MasterKey::generate();
        let sealed = Sealer::new(&old, &[]).seal(b"v", &ROW_A);
        let rotated = Sealer::new(&MasterKey::generate(), &[old]);
        assert_eq!(
            rotated.open(&sealed.bytes, &sealed.key_id, &ROW_A).unwrap(),
            b"v"
        );
    }
}
