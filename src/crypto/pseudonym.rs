//! Pseudonyms for reports shared with third parties: a keyed hash (HMAC-SHA256) of a personal
//! value. The key is derived from the master key with a fixed label, so one deployment gives a
//! person the same pseudonym in every report; it is then keyed again with the report's
//! recipient label, so two recipients get pseudonyms they cannot join with each other. Without
//! the master key a pseudonym cannot be turned back into the value, nor checked against a guess.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::master_key::MasterKey;

/// HKDF label of the report subkey: changing it changes every pseudonym ever handed out.
pub const REPORT_PSEUDONYM_INFO: &[u8] = b"armario/report-pseudonyms/v1";

/// How many bytes of the HMAC a pseudonym shows: 96 bits, far past any collision in a report.
const SHOWN: usize = 12;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    for p in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The deployment's report key, derived from the master key.
#[derive(Clone)]
pub struct ReportKey([u8; 32]);

impl fmt::Debug for ReportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportKey(<redacted>)")
    }
}

impl ReportKey {
    pub fn derive(master: &MasterKey) -> Self {
        Self(master.derive(REPORT_PSEUDONYM_INFO))
    }

    /// The pseudonymiser for one recipient; `""` is the deployment's default recipient.
    pub fn for_recipient(&self, recipient: &str) -> Pseudonymiser {
        Pseudonymiser(mac(&self.0, &[b"recipient", recipient.as_bytes()]))
    }
}

/// Turns personal values into pseudonyms for one recipient.
#[derive(Clone)]
pub struct Pseudonymiser([u8; 32]);

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymiser(<redacted>)")
    }
}

impl Pseudonymiser {
    /// `kind` (`user`, `ip`, `email`, ...) is both hashed and shown, so the same text as an
    /// e-mail and as a name gives two unrelated pseudonyms and a reader knows what each stands
    /// for.
    pub fn pseudonym(&self, kind: &str, value: &str) -> String {
        let h = mac(&self.0, &[kind.as_bytes(), value.as_bytes()]);
        format!("{kind}-{}", hex::encode(&h[..SHOWN]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_recipient_and_unjoinable_across_recipients() {
        let master = MasterKey::generate();
        let key = ReportKey::derive(&master);
        let a = key.for_recipient("auditoria");
        let b = key.for_recipient("parceiro");
        let p = a.pseudonym("user", "usr_1");
        assert_eq!(
            p,
            ReportKey::derive(&master)
                .for_recipient("auditoria")
                .pseudonym("user", "usr_1")
        );
        assert_ne!(p, b.pseudonym("user", "usr_1"));
        assert_ne!(p, a.pseudonym("email", "usr_1"));
        assert!(p.starts_with("user-") && p.len() == 5 + 2 * SHOWN, "{p}");
        assert_ne!(
            p,
            ReportKey::derive(&MasterKey::generate())
                .for_recipient("auditoria")
                .pseudonym("user", "usr_1")
        );
    }
}
