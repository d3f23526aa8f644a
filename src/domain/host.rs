//! Host names and the companies they belong to. A company answers at `<slug>.<base domain>`
//! and at the custom domains its admin registers. Names under the base domain are armario's
//! own namespace: they resolve by slug only, so no company can claim another's name (or a
//! future company's, or the platform's own `www`, `api`, `admin`…) by registering it as a
//! custom domain.

use crate::error::{DomainError, DomainResult};

/// Slugs no company may take: names the platform, its mail and its infrastructure use, or
/// that people would take for the platform's own pages. Kept sorted; documented in the README.
pub const RESERVED_SLUGS: &[&str] = &[
    "about",
    "account",
    "accounts",
    "admin",
    "administrator",
    "api",
    "app",
    "apps",
    "armario",
    "assets",
    "auth",
    "autoconfig",
    "autodiscover",
    "billing",
    "blog",
    "cdn",
    "console",
    "dashboard",
    "dev",
    "dns",
    "docs",
    "email",
    "files",
    "ftp",
    "help",
    "imap",
    "localhost",
    "login",
    "logout",
    "mail",
    "media",
    "metrics",
    "mx",
    "ns",
    "ns1",
    "ns2",
    "ns3",
    "ns4",
    "oauth",
    "pop",
    "pop3",
    "portal",
    "root",
    "secure",
    "signup",
    "smtp",
    "sso",
    "staging",
    "static",
    "status",
    "support",
    "webmail",
    "www",
];

/// Whether a slug is kept for the platform.
pub fn is_reserved_slug(slug: &str) -> bool {
    RESERVED_SLUGS.binary_search(&slug).is_ok()
}

/// Refuses a reserved slug; the error names `field`.
pub fn require_unreserved_slug(field: &str, slug: &str) -> DomainResult<()> {
    if is_reserved_slug(slug) {
        return Err(DomainError::invalid(
            field,
            format!("{slug:?} is reserved for the platform; choose another"),
        ));
    }
    Ok(())
}

/// The base domain companies answer under (`ARMARIO_BASE_DOMAIN`), lowercase, without dots
/// at either end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseDomain(String);

/// Where resolution looks for a host.
#[derive(Debug, PartialEq, Eq)]
pub enum HostLookup {
    /// `<slug>.<base>`: the company with this slug, nothing else.
    Slug(String),
    /// A name outside the base domain: the company that registered it.
    Custom(String),
    /// The base domain itself, a deeper name under it or a reserved slug: no company.
    Nothing,
}

impl BaseDomain {
    /// `None` when the setting is empty.
    pub fn parse(raw: &str) -> Option<Self> {
        let d = raw.trim().trim_matches('.').to_ascii_lowercase();
        (!d.is_empty()).then_some(Self(d))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `host` is the base domain or a name under it.
    pub fn covers(&self, host: &str) -> bool {
        host == self.0
            || host
                .strip_suffix(self.0.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    }

    /// Refuses a custom domain in the base domain's namespace; the error names `field`.
    pub fn require_outside(&self, field: &str, domain: &str) -> DomainResult<()> {
        if self.covers(domain) {
            return Err(DomainError::invalid(
                field,
                format!(
                    "names under {} belong to the platform: a company answers there at its slug",
                    self.0
                ),
            ));
        }
        Ok(())
    }
}

/// Where to look for a lowercase host name, given the base domain if one is set.
pub fn lookup(host: &str, base: Option<&BaseDomain>) -> HostLookup {
    let Some(base) = base.filter(|b| b.covers(host)) else {
        return HostLookup::Custom(host.to_string());
    };
    match host
        .strip_suffix(base.as_str())
        .and_then(|rest| rest.strip_suffix('.'))
    {
        Some(label) if !label.is_empty() && !label.contains('.') && !is_reserved_slug(label) => {
            HostLookup::Slug(label.to_string())
        }
        _ => HostLookup::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        let mut sorted = RESERVED_SLUGS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, RESERVED_SLUGS);
        for s in ["www", "api", "admin", "portal", "mail", "static", "armario"] {
            assert!(is_reserved_slug(s), "{s}");
        }
        assert!(!is_reserved_slug("oficina-alfa"));
    }

    #[test]
    fn base_domain_namespace() {
        let base = BaseDomain::parse(" .Armario.Test. ").unwrap();
        assert_eq!(base.as_str(), "armario.test");
        assert!(BaseDomain::parse(" . ").is_none());
        for inside in ["armario.test", "beta.armario.test", "x.beta.armario.test"] {
            assert!(base.covers(inside), "{inside}");
            assert!(base.require_outside("domain", inside).is_err());
        }
        for outside in ["notarmario.test", "armario.test.br", "app.alfa.com.br"] {
            assert!(!base.covers(outside), "{outside}");
            assert!(base.require_outside("domain", outside).is_ok());
        }
    }

    #[test]
    fn lookup_uses_slugs_under_the_base_and_domains_outside() {
        let base = BaseDomain::parse("armario.test").unwrap();
        let b = Some(&base);
        assert_eq!(
            lookup("beta.armario.test", b),
            HostLookup::Slug("beta".into())
        );
        assert_eq!(lookup("armario.test", b), HostLookup::Nothing);
        assert_eq!(lookup("x.beta.armario.test", b), HostLookup::Nothing);
        assert_eq!(lookup("www.armario.test", b), HostLookup::Nothing);
        assert_eq!(
            lookup("app.alfa.com.br", b),
            HostLookup::Custom("app.alfa.com.br".into())
        );
        assert_eq!(
            lookup("beta.armario.test", None),
            HostLookup::Custom("beta.armario.test".into())
        );
    }
}
