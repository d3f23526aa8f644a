//! Applications, their credentials and their links (with scopes) to companies.

use super::{secret_kind, validate};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, CredentialId, LinkId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStatus {
    Active,
    Disabled,
}

impl AppStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: ApplicationId,
    pub name: String,
    pub description: Option<String>,
    pub contact_email: Option<String>,
    pub status: AppStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug)]
pub struct NewApplication {
    pub name: String,
    pub description: Option<String>,
    pub contact_email: Option<String>,
}

impl NewApplication {
    pub fn validate(
        name: &str,
        description: Option<&str>,
        contact_email: Option<&str>,
    ) -> DomainResult<Self> {
        Ok(Self {
            name: validate::required("name", name, 120)?,
            description: validate::optional("description", description, 1000)?,
            contact_email: validate::optional_email("contact_email", contact_email)?,
        })
    }
}

/// A change to an application; `Some(None)` clears an optional field.
#[derive(Debug, Default)]
pub struct ApplicationPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub status: Option<AppStatus>,
}

impl ApplicationPatch {
    pub fn validate(
        name: Option<&str>,
        description: Option<&str>,
        contact_email: Option<&str>,
        status: Option<AppStatus>,
    ) -> DomainResult<Self> {
        Ok(Self {
            name: name
                .map(|n| validate::required("name", n, 120))
                .transpose()?,
            description: description
                .map(|d| validate::optional("description", Some(d), 1000))
                .transpose()?,
            contact_email: contact_email
                .map(|e| validate::optional_email("contact_email", Some(e)))
                .transpose()?,
            status,
        })
        .and_then(|patch: Self| {
            if patch.changed_fields(None).is_empty() {
                return Err(DomainError::invalid(
                    "body",
                    "must name at least one field to change",
                ));
            }
            Ok(patch)
        })
    }

    /// The fields whose value this patch changes on `current` (every field it sets, without
    /// one).
    pub fn changed_fields(&self, current: Option<&Application>) -> Vec<&'static str> {
        let same = |f: &dyn Fn(&Application) -> bool| current.is_some_and(f);
        [
            (
                "name",
                self.name.is_some(),
                same(&|c| self.name.as_ref() == Some(&c.name)),
            ),
            (
                "description",
                self.description.is_some(),
                same(&|c| self.description.as_ref() == Some(&c.description)),
            ),
            (
                "contact_email",
                self.contact_email.is_some(),
                same(&|c| self.contact_email.as_ref() == Some(&c.contact_email)),
            ),
            (
                "status",
                self.status.is_some(),
                same(&|c| self.status == Some(c.status)),
            ),
        ]
        .into_iter()
        .filter(|(_, set, unchanged)| *set && !unchanged)
        .map(|(field, ..)| field)
        .collect()
    }
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub id: CredentialId,
    pub application_id: ApplicationId,
    pub label: String,
    /// The first characters of the key, to tell keys apart.
    pub key_prefix: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub id: LinkId,
    pub application_id: ApplicationId,
    pub company_id: CompanyId,
    /// Names for display, read with the link.
    pub application_name: String,
    pub company_name: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// What the application last reported about setting the company up; `None` before any
    /// report or request.
    pub provisioning: Option<crate::domain::provisioning::Provisioning>,
    /// The application's own id for the company, unique per application.
    pub external_id: Option<String>,
}

pub const SCOPE_COMPANY_READ: &str = "company:read";
pub const SCOPE_USERS_READ: &str = "users:read";
pub const SCOPE_USAGE_READ: &str = "usage:read";
/// Read the company's values of the application's configuration schema.
pub const SCOPE_CONFIG_READ: &str = "config:read";
/// Write the company's values of the application's configuration schema.
pub const SCOPE_CONFIG_WRITE: &str = "config:write";
/// Set the company's plan, trial end and subscription status.
pub const SCOPE_BILLING_WRITE: &str = "billing:write";

/// Every fixed scope (the secret scopes come one per kind).
const FIXED_SCOPES: &[&str] = &[
    SCOPE_COMPANY_READ,
    SCOPE_USERS_READ,
    SCOPE_USAGE_READ,
    SCOPE_CONFIG_READ,
    SCOPE_CONFIG_WRITE,
    SCOPE_BILLING_WRITE,
];

/// The read scope for a kind of secret: `secrets:<kind>:read`.
pub fn secret_scope(kind: &str) -> String {
    format!("secrets:{kind}:read")
}

/// Validates, de-duplicates and sorts scopes.
pub fn validate_scopes(field: &str, scopes: &[String]) -> DomainResult<Vec<String>> {
    if scopes.len() > 32 {
        return Err(DomainError::invalid(field, "must hold at most 32 scopes"));
    }
    let mut out: Vec<String> = Vec::new();
    for s in scopes {
        let s = s.trim();
        let ok = FIXED_SCOPES.contains(&s)
            || s.strip_prefix("secrets:")
                .and_then(|r| r.strip_suffix(":read"))
                .is_some_and(|kind| secret_kind::parse_kind(kind).is_ok());
        if !ok {
            return Err(DomainError::invalid(
                field,
                format!("unknown scope {s:?}; use company:read, users:read, usage:read, config:read, config:write, billing:write or secrets:<kind>:read"),
            ));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out.sort();
    Ok(out)
}

/// A custom domain of a company: lowercase host name.
pub fn validate_domain(field: &str, raw: &str) -> DomainResult<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if d.len() > 253 || !d.contains('.') || !labels_ok {
        return Err(DomainError::invalid(
            field,
            "must be a host name such as app.example.com.br",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_normalised() {
        let s = validate_scopes(
            "scopes",
            &[
                "users:read".into(),
                "secrets:omie:read".into(),
                "users:read".into(),
            ],
        )
        .unwrap();
        assert_eq!(s, vec!["secrets:omie:read", "users:read"]);
        assert!(validate_scopes("scopes", &["secrets:nope:read".into()]).is_err());
        assert!(validate_scopes("scopes", &["admin".into()]).is_err());
    }

    #[test]
    fn domains() {
        assert_eq!(
            validate_domain("domain", "App.Example.com.").unwrap(),
            "app.example.com"
        );
        assert!(validate_domain("domain", "localhost").is_err());
        assert!(validate_domain("domain", "a..b").is_err());
    }
}
