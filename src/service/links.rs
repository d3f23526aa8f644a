//! Links between applications and companies, with scopes; and companies' custom domains.
//! Link writes go through the `KeyWriter`, so the directory follows every commit.

use serde_json::json;

use crate::access::{Admin, CompanyScope, Level, Owner};
use crate::db;
use crate::db::Store;
use crate::domain::application::Link;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::host::BaseDomain;
use crate::domain::{cursor, Page};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, LinkId};
use crate::service::change::{audited, in_company, Change};
use crate::service::directory::KeyWriter;

/// A page of every link, optionally of one application or one company (the owner).
pub async fn list(
    store: &Store,
    _owner: &Owner,
    app: Option<ApplicationId>,
    company: Option<CompanyId>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Link>> {
    let after = cursor::open_as(cursor, LinkId::parse)?;
    store
        .read(move |c| db::links::page(c, app.as_ref(), company.as_ref(), after.as_ref(), limit))
        .await
}

/// A page of the links of one company: the owner, or that company's admin.
pub async fn list_for_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<Link>> {
    let company = scope.company().clone();
    let after = cursor::open_as(cursor, LinkId::parse)?;
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::links::page(c, None, Some(&company), after.as_ref(), limit)
        })
        .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    keys: &KeyWriter,
    owner: &Owner,
    app: ApplicationId,
    company: CompanyId,
    scopes: Vec<String>,
) -> DomainResult<Link> {
    keys.write(audited(owner.audit(), move |tx, now| {
        let application = db::applications::get(tx, &app)?
            .ok_or_else(|| DomainError::invalid("application_id", "no such application"))?;
        let target = db::companies::get(tx, &company)?
            .ok_or_else(|| DomainError::invalid("company_id", "no such company"))?;
        if !db::links::list(tx, Some(&app), Some(&company))?.is_empty() {
            return Err(DomainError::conflict(
                "company_id",
                "the application is already linked to this company",
            ));
        }
        let link = Link {
            provisioning: None,
            id: LinkId::generate(),
            application_id: app.clone(),
            company_id: company.clone(),
            application_name: application.name,
            company_name: target.trade_name.unwrap_or(target.legal_name),
            scopes: scopes.clone(),
            created_at: now,
            updated_at: now,
            external_id: None,
        };
        db::links::insert(tx, &link)?;
        let event = NewAuditEvent::new("link.created")
            .company(&link.company_id)
            .target("link", &link.id)
            .details(
                json!({ "application_id": link.application_id.to_string(), "scopes": link.scopes }),
            );
        Ok(Change::audited(link, event))
    }))
    .await
}

/// What the owner changes on a link; absent fields stay as they are.
#[derive(Debug, Default)]
pub struct LinkChange {
    pub scopes: Option<Vec<String>>,
    /// `Some(None)` clears the external id.
    pub external_id: Option<Option<String>>,
}

#[tracing::instrument(skip_all, fields(link_id = %id))]
pub async fn update(
    keys: &KeyWriter,
    owner: &Owner,
    id: LinkId,
    change: LinkChange,
) -> DomainResult<Link> {
    keys.write(audited(owner.audit(), move |tx, now| {
        let before = db::links::get(tx, &id)?.ok_or(DomainError::NotFound("link"))?;
        let mut details = serde_json::Map::new();
        details.insert(
            "application_id".into(),
            json!(before.application_id.to_string()),
        );
        if let Some(scopes) = &change.scopes {
            let (mut old, mut new) = (before.scopes.clone(), scopes.clone());
            old.sort();
            new.sort();
            if old != new {
                db::links::set_scopes(tx, &id, scopes, now)?;
                details.insert("from".into(), json!(before.scopes));
                details.insert("to".into(), json!(scopes));
            }
        }
        if let Some(ext) = &change.external_id {
            if *ext != before.external_id {
                db::links::set_external_id(tx, &id, ext.as_deref(), now)?;
                details.insert("external_id".into(), json!(ext));
            }
        }
        if details.len() == 1 {
            return Ok(Change::unchanged(before));
        }
        let event = NewAuditEvent::new("link.updated")
            .company(&before.company_id)
            .target("link", &id)
            .details(serde_json::Value::Object(details));
        let after = db::links::get(tx, &id)?.ok_or(DomainError::NotFound("link"))?;
        Ok(Change::audited(after, event))
    }))
    .await
}

/// An application sets its own id for a linked company on its link.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn set_own_external_id(
    keys: &KeyWriter,
    scope: &crate::access::AppCompanyScope<crate::access::Linked>,
    external_id: Option<String>,
) -> DomainResult<Link> {
    let (app, company) = (scope.application_id().clone(), scope.company().clone());
    // In the platform's scope: an application's own ids are unique across every company it is
    // linked to, and that check must see the other companies' links.
    keys.write(audited(scope.audit(), move |tx, now| {
        let before = db::links::list(tx, Some(&app), Some(&company))?
            .pop()
            .ok_or(DomainError::NotFound("company"))?;
        if before.external_id == external_id {
            return Ok(Change::unchanged(before));
        }
        db::links::set_external_id(tx, &before.id, external_id.as_deref(), now)?;
        let event = NewAuditEvent::new("link.updated")
            .company(&company)
            .target("link", &before.id)
            .details(json!({ "application_id": app.to_string(), "external_id": external_id }));
        let after = db::links::get(tx, &before.id)?.ok_or(DomainError::NotFound("link"))?;
        Ok(Change::audited(after, event))
    }))
    .await
}

/// The linked company an application knows by its own id, with `company:read` on the link;
/// another application's external ids are never found.
pub async fn find_by_external_id(
    store: &Store,
    app: &crate::domain::AppPrincipal,
    external_id: String,
) -> DomainResult<crate::access::AppCompanyScope<crate::access::CompanyRead>> {
    let app_id = app.application_id.clone();
    let company = store
        .read(move |c| db::links::company_by_external_id(c, &app_id, &external_id))
        .await?
        .ok_or(DomainError::NotFound("company"))?;
    crate::access::AppCompanyScope::check(app, company, crate::access::CompanyRead)
}

/// Removes any link (the owner).
#[tracing::instrument(skip_all, fields(link_id = %id))]
pub async fn revoke(keys: &KeyWriter, owner: &Owner, id: LinkId) -> DomainResult<()> {
    remove(keys, owner.audit(), None, id).await
}

/// Removes a link of the scope's company (its admin, or the owner).
#[tracing::instrument(skip_all, fields(link_id = %id))]
pub async fn revoke_in_company(
    keys: &KeyWriter,
    scope: &CompanyScope<Admin>,
    id: LinkId,
) -> DomainResult<()> {
    remove(keys, scope.audit(), Some(scope.company().clone()), id).await
}

async fn remove(
    keys: &KeyWriter,
    ctx: AuditCtx,
    company: Option<CompanyId>,
    id: LinkId,
) -> DomainResult<()> {
    keys.write_within(
        company.clone(),
        audited(ctx, move |tx, _| {
            let link = match &company {
                Some(c) => db::links::get_in_company(tx, c, &id)?,
                None => db::links::get(tx, &id)?,
            }
            .ok_or(DomainError::NotFound("link"))?;
            db::links::delete(tx, &id)?;
            let event = NewAuditEvent::new("link.revoked")
            .company(&link.company_id)
            .target("link", &id)
            .details(
                json!({ "application_id": link.application_id.to_string(), "scopes": link.scopes }),
            );
            Ok(Change::audited((), event))
        }),
    )
    .await
}

/// A page of a company's custom domains, in name order.
pub async fn domains<L: Level>(
    store: &Store,
    scope: &CompanyScope<L>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<(String, i64)>> {
    let company = scope.company().clone();
    let after = cursor::open(cursor)?;
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::links::domains(c, &company, after.as_deref(), limit)
        })
        .await
}

/// Adds a custom domain; one in the base domain's namespace is refused.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn add_domain(
    store: &Store,
    base: Option<BaseDomain>,
    scope: &CompanyScope<Admin>,
    domain: String,
) -> DomainResult<()> {
    if let Some(base) = base {
        base.require_outside("domain", &domain)?;
    }
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                db::links::add_domain(tx, &company.id, &domain, now)?;
                let event = NewAuditEvent::new("domain.added").target("domain", &domain);
                Ok(Change::audited((), event))
            }),
        )
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn remove_domain(
    store: &Store,
    scope: &CompanyScope<Admin>,
    domain: String,
) -> DomainResult<()> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, _| {
                if !db::links::remove_domain(tx, &company.id, &domain)? {
                    return Err(DomainError::NotFound("domain"));
                }
                let event = NewAuditEvent::new("domain.removed").target("domain", &domain);
                Ok(Change::audited((), event))
            }),
        )
        .await
}
