//! Each company's data key, and the keyed index that finds a user by e-mail without the
//! e-mail in clear.
//!
//! A company's key is 32 random bytes, stored in the `company_keys` table sealed under the
//! master key (bound to the company's id). Its users' e-mails, names and search text and its
//! secrets are sealed under it (see [`super::cell`]). Erasing the company deletes the row, and
//! from then on nothing sealed under the key opens, in the store or in any backup. The ring
//! keeps the keys it opened in memory, a bounded number of them, and forgets one when its
//! company is erased.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::cipher::{SealContext, Sealed, Sealer};
use super::master_key::MasterKey;
use crate::error::DomainResult;

/// HKDF label of the e-mail index key: changing it makes every stored index useless.
pub const EMAIL_INDEX_INFO: &[u8] = b"armario/email-index/v1";

/// How many opened keys the ring keeps; past it, it starts again from empty. A key costs about
/// a hundred bytes here and one AES-GCM opening to load again.
const CACHED_KEYS: usize = 20_000;

/// Where a company's sealed key lives; its associated data.
pub fn key_context(company: &str) -> SealContext<'_> {
    SealContext {
        table: "company_keys",
        column: "sealed",
        row: company,
    }
}

pub struct KeyRing {
    /// Seals and opens the companies' keys under the master key (and the previous ones).
    sealer: Sealer,
    index_key: Zeroizing<[u8; 32]>,
    opened: Mutex<Opened>,
}

#[derive(Default)]
struct Opened {
    keys: HashMap<String, Zeroizing<[u8; 32]>>,
    /// Companies whose key was destroyed: a reader still on an older snapshot of the store
    /// must not bring the key back into memory.
    destroyed: HashSet<String>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyRing(<redacted>)")
    }
}

impl KeyRing {
    pub fn new(current: &MasterKey, previous: &[MasterKey]) -> Self {
        Self {
            sealer: Sealer::new(current, previous),
            index_key: Zeroizing::new(current.derive(EMAIL_INDEX_INFO)),
            opened: Mutex::default(),
        }
    }

    /// The index of an e-mail: HMAC-SHA256 under a subkey of the master key. Equal addresses
    /// have equal indexes; without the master key an index cannot be checked against a guess.
    pub fn email_index(&self, email: &str) -> Vec<u8> {
        email_index(&self.index_key, email)
    }

    /// A fresh key for `company`, and the same key sealed for the `company_keys` table.
    pub fn new_company_key(&self, company: &str) -> (Zeroizing<[u8; 32]>, Sealed) {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        let sealed = self.sealer.seal(key.as_ref(), &key_context(company));
        (key, sealed)
    }

    /// `key` sealed for the `company_keys` table (a restore puts a backup's keys back).
    pub fn seal_company_key(&self, company: &str, key: &[u8; 32]) -> Sealed {
        self.sealer.seal(key, &key_context(company))
    }

    /// Opens a key read from the `company_keys` table and keeps it.
    pub fn open_company_key(
        &self,
        company: &str,
        sealed: &[u8],
        key_id: &str,
    ) -> DomainResult<Zeroizing<[u8; 32]>> {
        let key = self.unseal_company_key(company, sealed, key_id)?;
        self.remember(company, &key);
        Ok(key)
    }

    /// Opens a key read from the `company_keys` table without keeping it (a backup reads them
    /// all once).
    pub fn unseal_company_key(
        &self,
        company: &str,
        sealed: &[u8],
        key_id: &str,
    ) -> DomainResult<Zeroizing<[u8; 32]>> {
        let plain = Zeroizing::new(self.sealer.open(sealed, key_id, &key_context(company))?);
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != key.len() {
            return Err(crate::error::DomainError::Internal(format!(
                "the data key of company {company} has the wrong length"
            )));
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }

    /// The key of `company` if this ring opened it before.
    pub fn cached(&self, company: &str) -> Option<Zeroizing<[u8; 32]>> {
        self.lock().keys.get(company).cloned()
    }

    pub fn remember(&self, company: &str, key: &[u8; 32]) {
        let mut opened = self.lock();
        if opened.destroyed.contains(company) {
            return;
        }
        if opened.keys.len() >= CACHED_KEYS {
            opened.keys.clear();
        }
        opened
            .keys
            .insert(company.to_string(), Zeroizing::new(*key));
    }

    /// Drops the company's key from memory for good (its company is being erased).
    pub fn forget(&self, company: &str) {
        let mut opened = self.lock();
        opened.keys.remove(company);
        opened.destroyed.insert(company.to_string());
    }

    /// The id of the current master key, stored beside each company key it seals.
    pub fn current_key_id(&self) -> &str {
        self.sealer.current_key_id()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Opened> {
        self.opened.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The e-mail index under `key` (a rotation computes the new key's indexes with it).
pub fn email_index(key: &[u8; 32], email: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(email.as_bytes());
    m.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_open_only_for_their_company_and_are_kept() {
        let master = MasterKey::generate();
        let ring = KeyRing::new(&master, &[]);
        let (key, sealed) = ring.new_company_key("cmp_a");
        assert!(ring.cached("cmp_a").is_none());
        assert!(ring
            .open_company_key("cmp_b", &sealed.bytes, &sealed.key_id)
            .is_err());
        let opened = ring
            .open_company_key("cmp_a", &sealed.bytes, &sealed.key_id)
            .unwrap();
        assert_eq!(*opened, *key);
        assert_eq!(ring.cached("cmp_a").as_deref(), Some(&*key));
        ring.forget("cmp_a");
        assert!(ring.cached("cmp_a").is_none());
        let other = KeyRing::new(&MasterKey::generate(), &[]);
        assert!(other
            .open_company_key("cmp_a", &sealed.bytes, &sealed.key_id)
            .is_err());
    }

    #[test]
    fn the_email_index_is_keyed_and_stable() {
        let master = MasterKey::generate();
        let ring = KeyRing::new(&master, &[]);
        assert_eq!(ring.email_index("a@x.test"), ring.email_index("a@x.test"));
        assert_ne!(ring.email_index("a@x.test"), ring.email_index("b@x.test"));
        let other = KeyRing::new(&MasterKey::generate(), &[]);
        assert_ne!(ring.email_index("a@x.test"), other.email_index("a@x.test"));
    }
}
