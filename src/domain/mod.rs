//! Domain types and rules: what a company, a user or an audit event is, and what input is
//! acceptable. No HTTP and no SQL here.

pub mod anonymise;
pub mod app_role;
pub mod application;
pub mod audit;
pub mod audit_chain;
pub mod cnpj;
pub mod company;
pub mod company_sort;
pub mod config_schema;
pub mod config_values;
pub mod cursor;
pub mod erasure;
pub mod host;
pub mod image;
pub mod invitation;
pub mod language;
pub mod mfa;
pub mod plan;
pub mod principal;
pub mod privacy;
pub mod provisioning;
pub mod search;
pub mod secret_kind;
pub mod session;
pub mod text;
pub mod user;
pub mod user_agent;
pub mod validate;
pub mod webhook;

pub use audit::{Actor, AuditEvent, NewAuditEvent};
pub use company::{Company, CompanyPatch, CompanyStatus, NewCompany};
pub use principal::{AppPrincipal, UserKind, UserPrincipal};
pub use user::{NewUser, Role, User, UserPatch, UserStatus};

/// A page of a keyset-paginated list.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page from rows fetched with `limit + 1`: the extra row only says that another page
    /// exists, and the cursor seals the key of the last row kept.
    pub fn from_rows(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Self {
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|last| cursor::seal(&key(last)))
        } else {
            None
        };
        Self { items, next_cursor }
    }
}

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// Checks a requested page size against the documented maximum.
pub fn page_size(limit: Option<u32>) -> crate::error::DomainResult<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(0) => Err(crate::error::DomainError::invalid(
            "limit",
            "must be at least 1",
        )),
        Some(n) if n > MAX_PAGE_SIZE => Err(crate::error::DomainError::invalid(
            "limit",
            format!("must be at most {MAX_PAGE_SIZE}"),
        )),
        Some(n) => Ok(n),
    }
}
