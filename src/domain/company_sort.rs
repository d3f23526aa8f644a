//! The orders of the companies list and their cursors. A cursor names the order it was made
//! for, the last row's id and its sort value, so the next page starts right after that row in
//! any order (ties on the value are broken by id); a cursor made for another order is refused
//! instead of being read as something it is not.

use crate::domain::search::fold;
use crate::domain::Company;
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;

/// The longest sort name kept: enough to order any real list, and short enough that a cursor
/// carrying it stays within the documented cursor length.
const SORT_NAME_CHARS: usize = 80;

/// What the list is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// The name people see: display name, else trade name, else legal name; accents and case
    /// ignored.
    Name,
    Cnpj,
    /// By status code, which reads alphabetically in English and pt-BR alike.
    Status,
    Created,
}

/// An order of the companies list: a key and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompanySort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for CompanySort {
    /// Newest first: the companies an owner just registered or approved are the ones they look for.
    fn default() -> Self {
        Self {
            key: SortKey::Created,
            descending: true,
        }
    }
}

/// A row's value under an order, as SQL compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Number(i64),
}

/// Where the next page starts: after this value and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyCursor {
    pub value: SortValue,
    pub id: CompanyId,
}

/// The folded name a company sorts by (stored in `companies.sort_name`).
pub fn sort_name(display_name: Option<&str>, trade_name: Option<&str>, legal_name: &str) -> String {
    let shown = crate::domain::company::shown_name(display_name, trade_name, legal_name);
    fold(shown.trim()).chars().take(SORT_NAME_CHARS).collect()
}

impl CompanySort {
    /// `name`, `-name`, … as the API spells it.
    pub fn token(self) -> String {
        let key = match self.key {
            SortKey::Name => "name",
            SortKey::Cnpj => "cnpj",
            SortKey::Status => "status",
            SortKey::Created => "created",
        };
        if self.descending {
            format!("-{key}")
        } else {
            key.to_string()
        }
    }

    fn value_of(self, c: &Company) -> SortValue {
        match self.key {
            SortKey::Name => SortValue::Text(sort_name(
                c.display_name.as_deref(),
                c.trade_name.as_deref(),
                &c.legal_name,
            )),
            SortKey::Cnpj => SortValue::Text(c.cnpj.clone()),
            SortKey::Status => SortValue::Text(c.status.as_str().to_string()),
            SortKey::Created => SortValue::Number(c.created_at),
        }
    }

    /// The cursor key for a page ending with `c`: `<order>|<id>|<value>`.
    pub fn cursor_key(self, c: &Company) -> String {
        let value = match self.value_of(c) {
            SortValue::Text(t) => t,
            SortValue::Number(n) => n.to_string(),
        };
        format!("{}|{}|{value}", self.token(), c.id)
    }

    /// Reads a cursor key made by [`Self::cursor_key`] for this same order; 400 on `cursor`
    /// otherwise.
    pub fn open(self, key: &str) -> DomainResult<CompanyCursor> {
        let mut parts = key.splitn(3, '|');
        let (Some(token), Some(id), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(not_ours());
        };
        if token != self.token() {
            let asked = self.token();
            return Err(DomainError::invalid(
                "cursor",
                format!("was made for sort={token}, not sort={asked}; keep the sort of the first page or start again without a cursor"),
            ));
        }
        let id = CompanyId::parse(id).ok_or_else(not_ours)?;
        let value = match self.key {
            SortKey::Created => SortValue::Number(value.parse().map_err(|_| not_ours())?),
            _ => SortValue::Text(value.to_string()),
        };
        Ok(CompanyCursor { value, id })
    }
}

fn not_ours() -> DomainError {
    DomainError::invalid("cursor", "is not a cursor this server gave out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_name_is_the_shown_name_folded() {
        assert_eq!(sort_name(None, Some("Açaí"), "X Ltda"), "acai");
        assert_eq!(sort_name(Some(" "), None, "Ótica Ltda"), "otica ltda");
        assert_eq!(sort_name(Some("Zé"), Some("B"), "C"), "ze");
        assert_eq!(
            sort_name(None, None, &"a".repeat(300)).len(),
            SORT_NAME_CHARS
        );
    }

    #[test]
    fn a_cursor_opens_only_under_its_own_order() {
        let id = CompanyId::generate();
        let by_name = CompanySort {
            key: SortKey::Name,
            descending: false,
        };
        let key = format!("name|{id}|pão|x");
        let opened = by_name.open(&key).unwrap();
        assert_eq!(opened.value, SortValue::Text("pão|x".into()));
        assert_eq!(opened.id, id);
        let desc = CompanySort {
            descending: true,
            ..by_name
        };
        assert!(desc.open(&key).is_err());
        assert!(CompanySort::default().open(&key).is_err());
        assert!(CompanySort::default()
            .open(&format!("-created|{id}|12"))
            .is_ok());
        assert!(CompanySort::default()
            .open(&format!("-created|{id}|x"))
            .is_err());
        assert!(by_name.open(&id.to_string()).is_err());
    }
}
