//! What an application may read: only companies linked to it, only with the right scope.
//! An unlinked company is "not found"; a missing scope is "forbidden"; a company that is not
//! active is "forbidden" with its status.

use std::collections::BTreeMap;

use serde_json::json;

use crate::access::{AppCompanyScope, CompanyRead, Linked, SecretRead, UsersRead};
use crate::clock::now_ms;
use crate::crypto::{token, Sealer};
use crate::db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::domain::company::{Company, CompanyStatus};
use crate::domain::host::BaseDomain;
use crate::domain::user::{User, UserFilter};
use crate::domain::{AppPrincipal, Page};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::change::{audited, Change};
use crate::service::secrets;

fn active(company: Option<Company>) -> DomainResult<Company> {
    let c = company.ok_or(DomainError::NotFound("company"))?;
    refuse_inactive(&c)?;
    Ok(c)
}

fn refuse_inactive(c: &Company) -> DomainResult<()> {
    if c.status != CompanyStatus::Active {
        return Err(DomainError::Forbidden(format!(
            "the company is {}",
            c.status.as_str()
        )));
    }
    Ok(())
}

/// A page of the companies linked to the application, in id order, with the scopes of each
/// link. The links are the application's own (from its key), so a cursor can only move along
/// them: whatever id it names, nothing outside them is read.
pub async fn linked_companies(
    store: &Store,
    app: &AppPrincipal,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<(Company, Vec<String>, Option<String>)>> {
    let after = crate::domain::cursor::open_as(cursor, CompanyId::parse)?;
    let links: Vec<_> = app
        .linked()
        .into_iter()
        .filter(|(id, _)| after.as_ref().is_none_or(|a| id > a))
        .collect();
    let application = app.application_id.clone();
    store
        .read(move |c| {
            // The application's own ids for its companies, set on its links: read once.
            let external: std::collections::HashMap<_, _> =
                db::links::list(c, Some(&application), None)?
                    .into_iter()
                    .map(|l| (l.id, l.external_id))
                    .collect();
            let mut out = Vec::with_capacity(limit as usize + 1);
            for (id, link) in links {
                if let Some(company) = db::companies::get(c, &id)? {
                    let external = external.get(&link.link_id).cloned().flatten();
                    out.push((company, link.scopes, external));
                    if out.len() > limit as usize {
                        break;
                    }
                }
            }
            Ok(Page::from_rows(out, limit, |(c, _, _)| c.id.to_string()))
        })
        .await
}

/// A linked company's logo: any link shows the company in the application's list, so any
/// link may fetch the logo the list points to.
pub async fn logo(
    store: &Store,
    scope: &AppCompanyScope<Linked>,
) -> DomainResult<crate::domain::image::LogoImage> {
    crate::service::companies::read_logo(store, scope.company().clone()).await
}

/// The linked company, as the store keeps it between writes (see `Store::company`).
pub async fn company(
    store: &Store,
    scope: &AppCompanyScope<CompanyRead>,
) -> DomainResult<std::sync::Arc<Company>> {
    let company = store
        .company(scope.company())
        .await?
        .ok_or(DomainError::NotFound("company"))?;
    refuse_inactive(&company)?;
    Ok(company)
}

/// A linked company's secret, opened. Every read is audited.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn secret(
    store: &Store,
    sealer: &Sealer,
    scope: &AppCompanyScope<SecretRead>,
) -> DomainResult<BTreeMap<String, String>> {
    let (id, kind) = (scope.company().clone(), scope.scope().0.clone());
    let (company_id, k) = (id.clone(), kind.clone());
    let sealed = store
        .read_in(scope, move |c| {
            active(db::companies::get(c, &company_id)?)?;
            db::secrets::get_sealed(c, &company_id, &k)
        })
        .await?
        .ok_or(DomainError::NotFound("secret"))?;
    let values = secrets::open(sealer, &id, &kind, &sealed)?;
    store
        .write_in(
            scope,
            audited(scope.audit(), move |_, _| {
                let event = NewAuditEvent::new("secret.read")
                    .company(&id)
                    .target("secret", &kind)
                    .details(json!({ "kind": kind }));
                Ok(Change::audited((), event))
            }),
        )
        .await?;
    Ok(values)
}

/// A page of a linked company's users, each with the roles the calling application declared
/// and the company granted them (never another application's).
pub async fn users(
    store: &Store,
    scope: &AppCompanyScope<UsersRead>,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<(User, Vec<String>)>> {
    let (id, app) = (scope.company().clone(), scope.application_id().clone());
    let after = crate::domain::cursor::open_as(cursor, UserId::parse)?;
    store
        .read_in(scope, move |c| {
            active(db::companies::get(c, &id)?)?;
            let filter = UserFilter {
                company: Some(id),
                ..Default::default()
            };
            let page = db::users::list(c, &filter, after.as_ref(), limit)?;
            let ids: Vec<UserId> = page.items.iter().map(|u| u.id.clone()).collect();
            let roles = crate::service::app_role_grants::for_page(c, &app, &ids)?;
            Ok(Page {
                items: page.items.into_iter().zip(roles).collect(),
                next_cursor: page.next_cursor,
            })
        })
        .await
}

/// A user's session, if valid and of a company linked to this application.
pub struct ValidSession {
    pub user: User,
    pub expires_at: i64,
}

pub async fn validate_session(
    store: &Store,
    app: &AppPrincipal,
    session_token: &str,
) -> DomainResult<Option<ValidSession>> {
    if !token::well_formed(session_token, token::SESSION_PREFIX) {
        return Ok(None);
    }
    let hash = token::digest(session_token);
    let now = now_ms();
    let found = store
        .read(move |c| db::users::by_session(c, &hash, now))
        .await?;
    let Some((row, user, _)) = found else {
        return Ok(None);
    };
    if !token::constant_time_eq(&row.hash, &hash) {
        return Ok(None);
    }
    let linked = user
        .company_id
        .as_ref()
        .is_some_and(|c| app.link(c).is_some());
    Ok(linked.then_some(ValidSession {
        user,
        expires_at: row.expires_at,
    }))
}

/// Finds the company a host name belongs to: `<slug>.<base_domain>` (by slug only) or a
/// custom domain outside the base domain.
pub async fn resolve(
    store: &Store,
    base: Option<BaseDomain>,
    app: &AppPrincipal,
    host: &str,
) -> DomainResult<Company> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default().to_string();
    if host.is_empty() {
        return Err(DomainError::invalid("host", "is required"));
    }
    // A NUL can be in no host name, and PostgreSQL's text cannot hold one.
    crate::domain::text::check("host", &host)?;
    let id = crate::service::hosts::company_for_host(store, base.as_ref(), host)
        .await?
        .ok_or(DomainError::NotFound("company"))?;
    let scope = AppCompanyScope::check(app, id, Linked)?;
    let id = scope.company().clone();
    active(
        store
            .read_in(&scope, move |c| db::companies::get(c, &id))
            .await?,
    )
}
