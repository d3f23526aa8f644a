//! Links between applications and companies, with scopes; and companies' custom domains.

use serde_json::json;

use crate::clock::now_ms;
use crate::db;
use crate::domain::application::Link;
use crate::domain::audit::NewAuditEvent;
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, LinkId};
use crate::service::AppState;

pub async fn list(
    state: &AppState,
    who: &UserPrincipal,
    app: Option<ApplicationId>,
    company: Option<CompanyId>,
) -> DomainResult<Vec<Link>> {
    who.require_owner()?;
    state
        .store
        .read(move |c| db::links::list(c, app.as_ref(), company.as_ref()))
        .await
}

/// The links of one company: the owner, or that company's admin.
pub async fn list_for_company(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
) -> DomainResult<Vec<Link>> {
    who.require_company_admin(&company, "company")?;
    state
        .store
        .read(move |c| {
            crate::service::companies::load(c, &company)?;
            db::links::list(c, None, Some(&company))
        })
        .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    who: &UserPrincipal,
    app: ApplicationId,
    company: CompanyId,
    scopes: Vec<String>,
) -> DomainResult<Link> {
    who.require_owner()?;
    let ctx = who.audit();
    let link = state
        .store
        .write(move |tx| {
            let application = db::applications::get(tx, &app)?.ok_or_else(|| DomainError::invalid("application_id", "no such application"))?;
            let target = db::companies::get(tx, &company)?.ok_or_else(|| DomainError::invalid("company_id", "no such company"))?;
            if !db::links::list(tx, Some(&app), Some(&company))?.is_empty() {
                return Err(DomainError::conflict("company_id", "the application is already linked to this company"));
            }
            let now = now_ms();
            let link = Link {
                id: LinkId::generate(),
                application_id: app,
                company_id: company,
                application_name: application.name,
                company_name: target.trade_name.unwrap_or(target.legal_name),
                scopes,
                created_at: now,
                updated_at: now,
            };
            db::links::insert(tx, &link)?;
            let event = NewAuditEvent::new("link.created")
                .company(&link.company_id)
                .target("link", &link.id)
                .details(json!({ "application_id": link.application_id.to_string(), "scopes": link.scopes }));
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(link)
        })
        .await?;
    state.directory.reload(&state.store).await?;
    Ok(link)
}

#[tracing::instrument(skip_all, fields(link_id = %id))]
pub async fn set_scopes(
    state: &AppState,
    who: &UserPrincipal,
    id: LinkId,
    scopes: Vec<String>,
) -> DomainResult<Link> {
    who.require_owner()?;
    let ctx = who.audit();
    let link = state
        .store
        .write(move |tx| {
            let before = db::links::get(tx, &id)?.ok_or(DomainError::NotFound("link"))?;
            let (mut old, mut new) = (before.scopes.clone(), scopes.clone());
            old.sort();
            new.sort();
            if old == new {
                // Nothing changes, so there is nothing to audit.
                return Ok(before);
            }
            let now = now_ms();
            db::links::set_scopes(tx, &id, &scopes, now)?;
            let event = NewAuditEvent::new("link.updated")
                .company(&before.company_id)
                .target("link", &id)
                .details(json!({ "application_id": before.application_id.to_string(), "from": before.scopes, "to": scopes }));
            db::audit::insert(tx, &ctx, &event, now)?;
            db::links::get(tx, &id)?.ok_or(DomainError::NotFound("link"))
        })
        .await?;
    state.directory.reload(&state.store).await?;
    Ok(link)
}

/// Removes a link: the owner any, a company admin those of their company.
#[tracing::instrument(skip_all, fields(link_id = %id))]
pub async fn revoke(
    state: &AppState,
    who: &UserPrincipal,
    company: Option<CompanyId>,
    id: LinkId,
) -> DomainResult<()> {
    match &company {
        Some(c) => who.require_company_admin(c, "link")?,
        None => who.require_owner()?,
    }
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            let link = match &company {
                Some(c) => db::links::get_in_company(tx, c, &id)?,
                None => db::links::get(tx, &id)?,
            }
            .ok_or(DomainError::NotFound("link"))?;
            db::links::delete(tx, &id)?;
            let event = NewAuditEvent::new("link.revoked")
                .company(&link.company_id)
                .target("link", &id)
                .details(json!({ "application_id": link.application_id.to_string(), "scopes": link.scopes }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    state.directory.reload(&state.store).await
}

pub async fn domains(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
) -> DomainResult<Vec<(String, i64)>> {
    who.require_company_read(&company, "company")?;
    state
        .store
        .read(move |c| {
            crate::service::companies::load(c, &company)?;
            db::links::domains(c, &company)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn add_domain(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    domain: String,
) -> DomainResult<()> {
    who.require_company_admin(&company, "company")?;
    crate::service::hosts::require_custom_domain_allowed(state, "domain", &domain)?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            crate::service::companies::load(tx, &company)?;
            let now = now_ms();
            db::links::add_domain(tx, &company, &domain, now)?;
            let event = NewAuditEvent::new("domain.added")
                .company(&company)
                .target("domain", &domain);
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
pub async fn remove_domain(
    state: &AppState,
    who: &UserPrincipal,
    company: CompanyId,
    domain: String,
) -> DomainResult<()> {
    who.require_company_admin(&company, "company")?;
    let ctx = who.audit();
    state
        .store
        .write(move |tx| {
            crate::service::companies::load(tx, &company)?;
            if !db::links::remove_domain(tx, &company, &domain)? {
                return Err(DomainError::NotFound("domain"));
            }
            let event = NewAuditEvent::new("domain.removed")
                .company(&company)
                .target("domain", &domain);
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await
}
