//! What an application may read: only companies linked to it, only with the right scope.
//! An unlinked company is "not found"; a missing scope is "forbidden"; a company that is not
//! active is "forbidden" with its status.

use std::collections::BTreeMap;

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::token;
use crate::db;
use crate::db::usage::{UsageFilter, UsageRow};
use crate::domain::application::{
    secret_scope, SCOPE_COMPANY_READ, SCOPE_USAGE_READ, SCOPE_USERS_READ,
};
use crate::domain::audit::NewAuditEvent;
use crate::domain::company::{Company, CompanyStatus};
use crate::domain::principal::LinkEntry;
use crate::domain::user::{User, UserFilter};
use crate::domain::{AppPrincipal, Page};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};
use crate::service::{secrets, AppState};

fn require_link(
    app: &AppPrincipal,
    company: &CompanyId,
    scope: Option<&str>,
) -> DomainResult<LinkEntry> {
    let link = app
        .link(company)
        .cloned()
        .ok_or(DomainError::NotFound("company"))?;
    if let Some(scope) = scope {
        if !link.has(scope) {
            return Err(DomainError::Forbidden(format!(
                "the application's link to this company lacks the scope {scope}"
            )));
        }
    }
    Ok(link)
}

fn active(company: Option<Company>) -> DomainResult<Company> {
    let c = company.ok_or(DomainError::NotFound("company"))?;
    if c.status != CompanyStatus::Active {
        return Err(DomainError::Forbidden(format!(
            "the company is {}",
            c.status.as_str()
        )));
    }
    Ok(c)
}

/// The companies linked to the application, with the scopes of each link.
pub async fn linked_companies(
    state: &AppState,
    app: &AppPrincipal,
) -> DomainResult<Vec<(Company, Vec<String>)>> {
    let links = app.linked();
    state
        .store
        .read(move |c| {
            let mut out = Vec::with_capacity(links.len());
            for (id, link) in links {
                if let Some(company) = db::companies::get(c, &id)? {
                    out.push((company, link.scopes));
                }
            }
            Ok(out)
        })
        .await
}

pub async fn company(state: &AppState, app: &AppPrincipal, id: CompanyId) -> DomainResult<Company> {
    require_link(app, &id, Some(SCOPE_COMPANY_READ))?;
    active(
        state
            .store
            .read(move |c| db::companies::get(c, &id))
            .await?,
    )
}

/// A linked company's secret, opened. Every read is audited.
#[tracing::instrument(skip_all, fields(company_id = %id))]
pub async fn secret(
    state: &AppState,
    app: &AppPrincipal,
    id: CompanyId,
    kind: String,
) -> DomainResult<BTreeMap<String, String>> {
    require_link(app, &id, Some(&secret_scope(&kind)))?;
    let (company_id, k) = (id.clone(), kind.clone());
    let sealed = state
        .store
        .read(move |c| {
            active(db::companies::get(c, &company_id)?)?;
            db::secrets::get_sealed(c, &company_id, &k)
        })
        .await?
        .ok_or(DomainError::NotFound("secret"))?;
    let values = secrets::open(&state.sealer, &id, &kind, &sealed)?;
    let ctx = app.audit();
    state
        .store
        .write(move |tx| {
            let event = NewAuditEvent::new("secret.read")
                .company(&id)
                .target("secret", &kind)
                .details(json!({ "kind": kind }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    Ok(values)
}

pub async fn users(
    state: &AppState,
    app: &AppPrincipal,
    id: CompanyId,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<User>> {
    require_link(app, &id, Some(SCOPE_USERS_READ))?;
    let after = crate::domain::cursor::open_as(cursor, UserId::parse)?;
    state
        .store
        .read(move |c| {
            active(db::companies::get(c, &id)?)?;
            let filter = UserFilter {
                company: Some(id),
                ..Default::default()
            };
            db::users::list(c, &filter, after.as_ref(), limit)
        })
        .await
}

/// A user's session, if valid and of a company linked to this application.
pub struct ValidSession {
    pub user: User,
    pub expires_at: i64,
}

pub async fn validate_session(
    state: &AppState,
    app: &AppPrincipal,
    session_token: &str,
) -> DomainResult<Option<ValidSession>> {
    if !token::well_formed(session_token, token::SESSION_PREFIX) {
        return Ok(None);
    }
    let hash = token::digest(session_token);
    let now = now_ms();
    let found = state
        .store
        .read(move |c| {
            let Some(row) = db::sessions::find_live(c, &hash, now)? else {
                return Ok(None);
            };
            Ok(db::users::get(c, &row.user_id)?.map(|u| (row, u)))
        })
        .await?;
    let Some((row, user)) = found else {
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
pub async fn resolve(state: &AppState, app: &AppPrincipal, host: &str) -> DomainResult<Company> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default().to_string();
    if host.is_empty() {
        return Err(DomainError::invalid("host", "is required"));
    }
    let id = crate::service::hosts::company_for_host(state, host)
        .await?
        .ok_or(DomainError::NotFound("company"))?;
    require_link(app, &id, None)?;
    active(
        state
            .store
            .read(move |c| db::companies::get(c, &id))
            .await?,
    )
}

pub async fn usage(
    state: &AppState,
    app: &AppPrincipal,
    id: CompanyId,
    mut filter: UsageFilter,
) -> DomainResult<Vec<UsageRow>> {
    require_link(app, &id, Some(SCOPE_USAGE_READ))?;
    filter.application_id = Some(app.application_id.to_string());
    filter.company_id = Some(id.to_string());
    crate::service::usage::query(&state.usage, &state.store, filter, 10_000).await
}
