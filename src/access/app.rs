//! What an application may do on a company: only on a company linked to it, only with the
//! scope the work needs. An unlinked company is "not found"; a missing scope is "forbidden".

use std::borrow::Cow;

use crate::domain::application::{
    secret_scope, SCOPE_BILLING_WRITE, SCOPE_COMPANY_READ, SCOPE_CONFIG_READ, SCOPE_CONFIG_WRITE,
    SCOPE_USAGE_READ, SCOPE_USERS_READ,
};
use crate::domain::audit::AuditCtx;
use crate::domain::AppPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, LinkId};

/// A scope a link may hold.
pub trait Scope {
    /// The scope's name, or `None` when any link will do.
    fn required(&self) -> Option<Cow<'_, str>>;
}

/// Any link, whatever its scopes.
pub struct Linked;
/// `company:read`.
pub struct CompanyRead;
/// `users:read`.
pub struct UsersRead;
/// `usage:read`.
pub struct UsageRead;
/// `billing:write`: set the company's plan, trial end and subscription status.
pub struct BillingWrite;
/// `secrets:<kind>:read`: one kind of the company's secrets, opened.
pub struct SecretRead(pub String);
/// `config:read`: the company's configuration for this application.
pub struct ConfigRead;
/// `config:write`: changing it.
pub struct ConfigWrite;

impl Scope for Linked {
    fn required(&self) -> Option<Cow<'_, str>> {
        None
    }
}
impl Scope for CompanyRead {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_COMPANY_READ.into())
    }
}
impl Scope for UsersRead {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_USERS_READ.into())
    }
}
impl Scope for UsageRead {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_USAGE_READ.into())
    }
}
impl Scope for ConfigRead {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_CONFIG_READ.into())
    }
}
impl Scope for ConfigWrite {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_CONFIG_WRITE.into())
    }
}
impl Scope for BillingWrite {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(SCOPE_BILLING_WRITE.into())
    }
}
impl Scope for SecretRead {
    fn required(&self) -> Option<Cow<'_, str>> {
        Some(secret_scope(&self.0).into())
    }
}

impl<S: Scope> crate::db::InCompany for AppCompanyScope<S> {
    fn company(&self) -> &CompanyId {
        &self.company
    }
}

/// Proof that an application is linked to a company with scope `S`.
pub struct AppCompanyScope<S: Scope> {
    company: CompanyId,
    link: LinkId,
    app: AppPrincipal,
    scope: S,
}

impl<S: Scope> AppCompanyScope<S> {
    /// The application's link to `company` must exist (else 404) and hold `scope` (else 403).
    pub fn check(app: &AppPrincipal, company: CompanyId, scope: S) -> DomainResult<Self> {
        let link = app.link(&company).ok_or(DomainError::NotFound("company"))?;
        if let Some(name) = scope.required() {
            if !link.has(&name) {
                return Err(DomainError::Forbidden(format!(
                    "the application's link to this company lacks the scope {name}"
                )));
            }
        }
        Ok(Self {
            link: link.link_id.clone(),
            company,
            app: app.clone(),
            scope,
        })
    }

    pub fn company(&self) -> &CompanyId {
        &self.company
    }

    /// The link the check found.
    pub fn link_id(&self) -> &LinkId {
        &self.link
    }

    pub fn application_id(&self) -> &ApplicationId {
        &self.app.application_id
    }

    pub fn scope(&self) -> &S {
        &self.scope
    }

    pub fn audit(&self) -> AuditCtx {
        self.app.audit()
    }
}
