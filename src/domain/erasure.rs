//! Erasure (LGPD art. 18, IV and VI): what replaces a person's or a company's personal fields,
//! and the ledger entry that records it. The entry holds everything the database effects need,
//! so the same entry can be re-applied to an older copy of the store (a restored backup).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DomainError, DomainResult};

/// The reserved domain of erased people's addresses: `.invalid` never resolves (RFC 2606), so
/// no mail can reach anyone through a pseudonymous address.
pub const ERASED_DOMAIN: &str = "apagado.invalid";

/// What was erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureKind {
    Person,
    Company,
}

impl ErasureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "person" => Some(Self::Person),
            "company" => Some(Self::Company),
            _ => None,
        }
    }
}

/// One entry of the erasure ledger. `kept` lists the company fields left as they were (a
/// company erasure only; empty for a person).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub id: String,
    pub kind: ErasureKind,
    pub company_id: String,
    pub user_id: Option<String>,
    pub pseudonym: String,
    pub kept: Vec<String>,
    pub erased_at: i64,
}

impl Erasure {
    /// A new entry with a fresh id and pseudonym.
    pub fn new(
        kind: ErasureKind,
        company_id: &str,
        user_id: Option<&str>,
        kept: Vec<String>,
        now: i64,
    ) -> Self {
        Self {
            id: format!("ers_{}", uuid::Uuid::now_v7().simple()),
            kind,
            company_id: company_id.to_string(),
            user_id: user_id.map(str::to_string),
            pseudonym: hex::encode(rand::random::<[u8; 8]>()),
            kept,
            erased_at: now,
        }
    }

    /// Whether the company field `field` stays as it was.
    pub fn keeps(&self, field: &str) -> bool {
        self.kind == ErasureKind::Company && self.kept.iter().any(|k| k == field)
    }
}

/// A person's replacement fields, derived from a pseudonym.
pub struct PersonMask {
    pub pseudonym: String,
    pub name: String,
    pub email: String,
}

impl PersonMask {
    pub fn of(pseudonym: &str) -> Self {
        Self {
            pseudonym: pseudonym.to_string(),
            name: format!("Titular apagado {pseudonym}"),
            email: format!("{pseudonym}@{ERASED_DOMAIN}"),
        }
    }
}

/// The pseudonym of one person erased with their company: derived from the company entry's
/// pseudonym and the user's id, so re-applying the entry gives each person the same one and
/// no two people share an address.
pub fn member_pseudonym(company_pseudonym: &str, user_id: &str) -> String {
    let digest = Sha256::digest(format!("{company_pseudonym}/{user_id}"));
    hex::encode(&digest[..8])
}

/// The company fields an erasure may keep; every other one is replaced or emptied.
pub const COMPANY_FIELDS: &[&str] = &[
    "legal_name",
    "trade_name",
    "cnpj",
    "slug",
    "contact_email",
    "contact_phone",
    "display_name",
    "created_at",
    "approved_at",
];

/// The default of `ARMARIO_ERASURE_KEEP`: the CNPJ and the registration date identify a
/// company in fiscal records the platform must keep for years (CTN art. 195; LGPD art. 16, I
/// allows keeping what a legal duty requires), and neither names a person.
pub const DEFAULT_KEEP: &[&str] = &["cnpj", "created_at"];

/// Parses the setting: company field names separated by commas, or `none` to keep nothing
/// (a blank variable counts as unset, so it cannot say "nothing").
pub fn parse_keep(raw: &str) -> Result<Vec<String>, String> {
    let mut kept = Vec::new();
    if raw.trim().eq_ignore_ascii_case("none") {
        return Ok(kept);
    }
    for f in raw.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        if !COMPANY_FIELDS.contains(&f) {
            return Err(format!(
                "unknown company field {f:?}; the fields are {}",
                COMPANY_FIELDS.join(", ")
            ));
        }
        if !kept.iter().any(|k| k == f) {
            kept.push(f.to_string());
        }
    }
    Ok(kept)
}

/// A company's replacement fields, derived from its entry.
pub struct CompanyMask {
    pub legal_name: String,
    pub slug: String,
    /// Fourteen digits derived from the pseudonym: the column must hold a CNPJ-shaped value.
    pub cnpj: String,
}

impl CompanyMask {
    pub fn of(pseudonym: &str) -> Self {
        let digest = Sha256::digest(pseudonym.as_bytes());
        let cnpj = digest
            .iter()
            .take(14)
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        Self {
            legal_name: format!("Empresa apagada {pseudonym}"),
            slug: format!("apagada-{pseudonym}"),
            cnpj,
        }
    }
}

/// The typed confirmation must repeat the company's CNPJ (formatted or not) or its slug.
pub fn confirm(typed: &str, cnpj: &str, slug: &str) -> DomainResult<()> {
    let typed = typed.trim();
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let as_cnpj = digits.len() == 14
        && digits == cnpj
        && typed
            .chars()
            .all(|c| c.is_ascii_digit() || ".-/ ".contains(c));
    if as_cnpj || typed.eq_ignore_ascii_case(slug) {
        return Ok(());
    }
    Err(DomainError::invalid(
        "confirmation",
        "type the company's CNPJ or slug to confirm",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_setting_accepts_known_fields_only() {
        assert_eq!(
            parse_keep(" cnpj, created_at,cnpj ").unwrap(),
            vec!["cnpj", "created_at"]
        );
        assert!(parse_keep("").unwrap().is_empty());
        assert!(parse_keep("none").unwrap().is_empty());
        assert!(parse_keep("cnpj,password")
            .unwrap_err()
            .contains("password"));
    }

    #[test]
    fn masks_are_stable_and_distinct() {
        assert_eq!(
            member_pseudonym("ab", "usr_1"),
            member_pseudonym("ab", "usr_1")
        );
        assert_ne!(
            member_pseudonym("ab", "usr_1"),
            member_pseudonym("ab", "usr_2")
        );
        let m = CompanyMask::of("7f3a");
        assert_eq!(m.cnpj.len(), 14);
        assert!(m.cnpj.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(PersonMask::of("7f3a").email, "7f3a@apagado.invalid");
    }

    #[test]
    fn confirmation_takes_cnpj_or_slug() {
        let cnpj = "11222333000181";
        assert!(confirm("11.222.333/0001-81", cnpj, "acme").is_ok());
        assert!(confirm("11222333000181", cnpj, "acme").is_ok());
        assert!(confirm("ACME", cnpj, "acme").is_ok());
        assert!(confirm("acm", cnpj, "acme").is_err());
        assert!(confirm("", cnpj, "acme").is_err());
    }
}
