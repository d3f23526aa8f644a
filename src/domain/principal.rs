//! Who is calling, and what they may touch. Another company's object is "not found", never
//! "forbidden", so nothing confirms that it exists.

use crate::crypto::token::TokenHash;
use crate::domain::audit::{Actor, AuditCtx};
use crate::domain::Role;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, CredentialId, UserId};

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct UserPrincipal {
    pub user_id: UserId,
    pub role: Role,
    pub company_id: Option<CompanyId>,
    pub session: TokenHash,
    pub ip: Option<String>,
}

/// An application calling with one of its keys.
#[derive(Clone, Debug)]
pub struct AppPrincipal {
    pub application_id: ApplicationId,
    pub credential_id: CredentialId,
    pub ip: Option<String>,
}

impl AppPrincipal {
    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor: Actor::Application(self.application_id.to_string()),
            ip: self.ip.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Principal {
    User(UserPrincipal),
    App(AppPrincipal),
}

impl UserPrincipal {
    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor: Actor::User(self.user_id.clone()),
            ip: self.ip.clone(),
        }
    }

    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    pub fn require_owner(&self) -> DomainResult<()> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only the platform owner may do this".into(),
            ))
        }
    }

    /// The caller may read this company's data: the owner, or a user of that company.
    pub fn require_company_read(
        &self,
        company: &CompanyId,
        what: &'static str,
    ) -> DomainResult<()> {
        if self.is_owner() || self.company_id.as_ref() == Some(company) {
            Ok(())
        } else {
            Err(DomainError::NotFound(what))
        }
    }

    /// The caller may change this company's data: the owner, or an admin of that company.
    pub fn require_company_admin(
        &self,
        company: &CompanyId,
        what: &'static str,
    ) -> DomainResult<()> {
        self.require_company_read(company, what)?;
        if self.role == Role::Member {
            return Err(DomainError::Forbidden(
                "only a company admin may do this".into(),
            ));
        }
        Ok(())
    }

    /// Owner-only action on a company: others get 404 for a company not theirs, 403 for theirs.
    pub fn require_owner_for(&self, company: &CompanyId, what: &'static str) -> DomainResult<()> {
        self.require_company_read(company, what)?;
        self.require_owner()
    }
}
