//! Host names: which company answers at a host, and the start-up report of rows that break
//! the rules (see `domain::host`).

use crate::config::Settings;
use crate::db;
use crate::db::Store;
use crate::domain::host::{self, BaseDomain, HostLookup};
use crate::error::DomainResult;
use crate::ids::CompanyId;

/// The base domain from the settings, if one is set.
pub fn base_domain(settings: &Settings) -> Option<BaseDomain> {
    // `parse` is `None` only for an empty name, which is the setting left unset.
    settings.base_domain.as_deref().and_then(BaseDomain::parse)
}

/// The company a host (lowercase, without port) belongs to. Names under the base domain
/// resolve by slug only, so custom-domain rows there are never consulted.
pub async fn company_for_host(
    store: &Store,
    base: Option<&BaseDomain>,
    host: String,
) -> DomainResult<Option<CompanyId>> {
    let lookup = host::lookup(&host, base);
    store
        .read(move |c| match lookup {
            HostLookup::Slug(slug) => db::links::company_by_slug(c, &slug),
            HostLookup::Custom(domain) => db::links::company_by_domain(c, &domain),
            HostLookup::Nothing => Ok(None),
        })
        .await
}

/// Logs a warning for each custom domain that sits in the base domain's namespace and each
/// company whose slug the platform keeps. Resolution already ignores them; the owner should
/// remove the domains and give the companies other slugs.
pub async fn report_rule_breakers(store: &Store, base: Option<BaseDomain>) -> DomainResult<()> {
    let (domains, slugs) = store
        .read(move |c| {
            let domains = match &base {
                Some(b) => db::links::domains_within(c, b.as_str())?,
                None => Vec::new(),
            };
            let slugs = db::links::companies_with_slugs(c, host::RESERVED_SLUGS)?;
            Ok((domains, slugs))
        })
        .await?;
    for (company_id, domain) in domains {
        tracing::warn!(
            %company_id,
            %domain,
            "custom domain {domain} of company {company_id} lies under the base domain and is ignored; remove it"
        );
    }
    for (company_id, slug) in slugs {
        tracing::warn!(
            %company_id,
            %slug,
            "company {company_id} has the reserved slug {slug:?}; it does not resolve as a host until given another slug"
        );
    }
    Ok(())
}
