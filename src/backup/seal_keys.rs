//! Each company's data key while a backup's copy is sealed: looked up once per cell, tens of
//! millions of times on a large store.
//!
//! Company ids are held inline in the table (their length first), so a lookup compares bytes
//! it has already fetched instead of following a pointer to a string: on a million companies,
//! with the audit log's rows in no company's order, those string compares were a fifth of the
//! sealing. The last company's cipher is kept, its key schedule done: a row's columns and a
//! company's users come together.

use std::collections::HashMap;

use aes_gcm::{Aes256Gcm, Key, KeyInit};
use rand::RngCore;

use super::company_seal::CompanyKeys;

/// The longest id held inline; a longer one (none that armario makes) goes to a map of strings.
const INLINE: usize = 47;

type InlineId = [u8; INLINE + 1];

fn inline(id: &str) -> Option<InlineId> {
    let bytes = id.as_bytes();
    (bytes.len() <= INLINE).then(|| {
        let mut slot = [0u8; INLINE + 1];
        slot[0] = bytes.len() as u8;
        slot[1..=bytes.len()].copy_from_slice(bytes);
        slot
    })
}

fn id_of(slot: &InlineId) -> String {
    String::from_utf8_lossy(&slot[1..=usize::from(slot[0])]).into_owned()
}

#[derive(Default)]
pub struct SealKeys {
    inline: HashMap<InlineId, [u8; 32]>,
    long: HashMap<String, [u8; 32]>,
    last: Option<(String, Aes256Gcm)>,
}

impl SealKeys {
    pub fn insert(&mut self, company: &str, key: [u8; 32]) {
        match inline(company) {
            Some(slot) => self.inline.insert(slot, key),
            None => self.long.insert(company.to_owned(), key),
        };
    }

    fn key(&self, company: &str) -> Option<[u8; 32]> {
        match inline(company) {
            Some(slot) => self.inline.get(&slot).copied(),
            None => self.long.get(company).copied(),
        }
    }

    /// The cipher of `company`'s key; a company without one (a store from before the live
    /// store's keys) gets a fresh random key, which the manifest then carries.
    pub fn cipher(&mut self, company: &str) -> &Aes256Gcm {
        if !matches!(&self.last, Some((id, _)) if id == company) {
            let key = self.key(company).unwrap_or_else(|| {
                let mut key = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut key);
                self.insert(company, key);
                key
            });
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key));
            self.last = Some((company.to_owned(), cipher));
        }
        let (_, cipher) = self.last.as_ref().expect("set just above");
        cipher
    }

    pub fn into_keys(self) -> CompanyKeys {
        let inline = self
            .inline
            .into_iter()
            .map(|(slot, key)| (id_of(&slot), key));
        inline.chain(self.long).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::cell::{open_cell, seal_bytes};
    use rusqlite::types::Value;

    #[test]
    fn keys_given_are_used_and_new_companies_get_keys_that_come_back() {
        let long = "x".repeat(INLINE + 5);
        let given: CompanyKeys = [("cmp_a".to_owned(), [1u8; 32]), (long.clone(), [2u8; 32])]
            .into_iter()
            .collect();
        let mut table = SealKeys::default();
        for (company, key) in &given {
            table.insert(company, *key);
        }
        for (company, key) in &given {
            let cell = seal_bytes(table.cipher(company), b"a", true, b"Ana");
            assert_eq!(open_cell(key, b"a", &cell), Some(Value::Text("Ana".into())));
        }
        let fresh = seal_bytes(table.cipher("cmp_new"), b"a", true, b"Bia");
        // Back to a company seen before: its own key, not the last one kept.
        let again = seal_bytes(table.cipher("cmp_a"), b"a", true, b"Ana");
        assert_eq!(
            open_cell(&[1u8; 32], b"a", &again),
            Some(Value::Text("Ana".into()))
        );
        let keys = table.into_keys();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys["cmp_a"], [1u8; 32]);
        assert_eq!(keys[&long], [2u8; 32]);
        assert_eq!(
            open_cell(&keys["cmp_new"], b"a", &fresh),
            Some(Value::Text("Bia".into()))
        );
    }
}
