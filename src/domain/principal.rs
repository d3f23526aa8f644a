//! Who is calling. A principal says who the caller is; what they may touch on a company is
//! decided only in `crate::access`, which turns a principal into a capability.

use std::collections::HashMap;
use std::sync::Arc;

use crate::crypto::token::TokenHash;
use crate::domain::audit::{Actor, AuditCtx};
use crate::domain::Role;
use crate::ids::{ApplicationId, CompanyId, CredentialId, LinkId, UserId};

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct UserPrincipal {
    pub user_id: UserId,
    pub role: Role,
    pub company_id: Option<CompanyId>,
    pub session: TokenHash,
    pub ip: Option<String>,
}

/// What a signed-in user is on the platform: the owner, or an admin or a member of exactly one
/// company.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserKind {
    Owner,
    CompanyAdmin(CompanyId),
    Member(CompanyId),
    /// A company role without a company: may act on nothing.
    Detached,
}

impl UserPrincipal {
    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor: Actor::User(self.user_id.clone()),
            ip: self.ip.clone(),
        }
    }

    pub fn kind(&self) -> UserKind {
        match (self.role, &self.company_id) {
            (Role::Owner, _) => UserKind::Owner,
            (Role::CompanyAdmin, Some(c)) => UserKind::CompanyAdmin(c.clone()),
            (Role::Member, Some(c)) => UserKind::Member(c.clone()),
            (_, None) => UserKind::Detached,
        }
    }

    pub fn is_owner(&self) -> bool {
        self.kind() == UserKind::Owner
    }
}

/// An application's link to one company, as the directory holds it.
#[derive(Clone, Debug)]
pub struct LinkEntry {
    pub link_id: LinkId,
    pub scopes: Vec<String>,
}

impl LinkEntry {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The links of one application, by company.
pub type AppLinks = Arc<HashMap<CompanyId, LinkEntry>>;

/// An application calling with one of its keys, with its links as they stood when the key
/// was checked.
#[derive(Clone, Debug)]
pub struct AppPrincipal {
    pub application_id: ApplicationId,
    pub credential_id: CredentialId,
    pub ip: Option<String>,
    links: AppLinks,
}

impl AppPrincipal {
    pub fn new(
        application_id: ApplicationId,
        credential_id: CredentialId,
        ip: Option<String>,
        links: AppLinks,
    ) -> Self {
        Self {
            application_id,
            credential_id,
            ip,
            links,
        }
    }

    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            actor: Actor::Application(self.application_id.to_string()),
            ip: self.ip.clone(),
        }
    }

    /// The application's link to a company, if any.
    pub fn link(&self, company: &CompanyId) -> Option<&LinkEntry> {
        self.links.get(company)
    }

    /// Every company linked to the application, with the link, in id order.
    pub fn linked(&self) -> Vec<(CompanyId, LinkEntry)> {
        let mut out: Vec<_> = self
            .links
            .iter()
            .map(|(c, l)| (c.clone(), l.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
