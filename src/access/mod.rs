//! Access as types. A principal (`UserPrincipal`, `AppPrincipal`) says who is calling; a
//! capability says what they may touch, and only the checks in this module make one:
//!
//! - [`Owner`]: the platform owner, for platform-wide work (applications, links, backups);
//! - [`CompanyScope<L>`]: acting on one company at level `L` ([`Member`], [`Admin`] or
//!   [`OwnerOf`]);
//! - [`AppCompanyScope<S>`]: an application acting on one linked company with scope `S`.
//!
//! Their fields are private, so code outside this module cannot forge one, and company-scoped
//! services take a capability instead of the application state: a handler that skipped the
//! check has nothing to pass. Another company is "not found", never "forbidden", so nothing
//! confirms that it exists.
//!
//! A principal is not a capability; the compiler refuses it:
//!
//! ```compile_fail,E0308
//! # async fn handler(store: armario::db::Store, who: armario::domain::UserPrincipal) {
//! armario::service::secrets::list(&store, &who, None, 50).await;
//! # }
//! ```
//!
//! and a capability cannot be built by hand:
//!
//! ```compile_fail,E0451
//! # use armario::access::{Admin, CompanyScope};
//! # fn forge(who: armario::domain::UserPrincipal, company: armario::ids::CompanyId) {
//! let scope = CompanyScope::<Admin> { company, user: who, level: std::marker::PhantomData };
//! # }
//! ```
//!
//! while the checked path compiles:
//!
//! ```no_run
//! # use armario::access::{Admin, CompanyScope};
//! # async fn handler(store: armario::db::Store, who: armario::domain::UserPrincipal,
//! #                  company: armario::ids::CompanyId) -> armario::error::DomainResult<()> {
//! let scope = CompanyScope::<Admin>::check(&who, company)?;
//! armario::service::secrets::list(&store, &scope, None, 50).await?;
//! # Ok(())
//! # }
//! ```

mod app;
mod operator;

use std::marker::PhantomData;

pub use app::{
    AppCompanyScope, BillingWrite, CompanyRead, ConfigRead, ConfigWrite, Linked, Scope, SecretRead,
    UsageRead, UsersRead,
};
pub use operator::Operator;

use crate::domain::audit::AuditCtx;
use crate::domain::{Role, UserKind, UserPrincipal};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};

mod sealed {
    pub trait Sealed {}
}

/// How much a [`CompanyScope`] allows. Every level allows reading the company.
pub trait Level: sealed::Sealed {
    /// Whether a user of the company with this role reaches the level (the owner always does).
    fn admits(role: Role) -> DomainResult<()>;
}

/// Any user of the company, or the owner.
#[derive(Debug)]
pub enum Member {}
/// An admin of the company, or the owner.
#[derive(Debug)]
pub enum Admin {}
/// The owner, on one company: the company's own users get 403, everyone else 404.
#[derive(Debug)]
pub enum OwnerOf {}

impl sealed::Sealed for Member {}
impl sealed::Sealed for Admin {}
impl sealed::Sealed for OwnerOf {}

impl Level for Member {
    fn admits(_: Role) -> DomainResult<()> {
        Ok(())
    }
}

impl Level for Admin {
    fn admits(role: Role) -> DomainResult<()> {
        match role {
            Role::Member => Err(DomainError::Forbidden(
                "only a company admin may do this".into(),
            )),
            _ => Ok(()),
        }
    }
}

impl Level for OwnerOf {
    fn admits(_: Role) -> DomainResult<()> {
        Err(owner_only())
    }
}

fn owner_only() -> DomainError {
    DomainError::Forbidden("only the platform owner may do this".into())
}

/// Proof that the caller is the platform owner.
#[derive(Clone, Debug)]
pub struct Owner {
    user: UserPrincipal,
}

impl Owner {
    /// The owner, or 403.
    pub fn check(who: &UserPrincipal) -> DomainResult<Self> {
        match who.kind() {
            UserKind::Owner => Ok(Self { user: who.clone() }),
            _ => Err(owner_only()),
        }
    }

    /// The owner may act on any company at any level.
    pub fn on<L: Level>(&self, company: CompanyId) -> CompanyScope<L> {
        CompanyScope {
            company,
            user: self.user.clone(),
            level: PhantomData,
        }
    }

    pub fn audit(&self) -> AuditCtx {
        self.user.audit()
    }

    /// The owner's own account.
    pub fn user_id(&self) -> &UserId {
        &self.user.user_id
    }

    /// The digest of the session the owner is using, to mark it in lists of sessions.
    pub fn session(&self) -> &crate::crypto::token::TokenHash {
        &self.user.session
    }
}

/// Proof that the caller may act on one company at level `L`.
#[derive(Debug)]
pub struct CompanyScope<L: Level> {
    company: CompanyId,
    user: UserPrincipal,
    level: PhantomData<fn() -> L>,
}

impl<L: Level> CompanyScope<L> {
    /// The owner, or a user of `company` whose role reaches `L`. A company not the caller's
    /// is "not found".
    pub fn check(who: &UserPrincipal, company: CompanyId) -> DomainResult<Self> {
        match who.kind() {
            UserKind::Owner => {}
            UserKind::CompanyAdmin(own) | UserKind::Member(own) if own == company => {
                L::admits(who.role)?
            }
            _ => return Err(DomainError::NotFound("company")),
        }
        Ok(Self {
            company,
            user: who.clone(),
            level: PhantomData,
        })
    }

    /// The caller's own company, at level `L`: for routes that name no company.
    pub fn own(who: &UserPrincipal) -> DomainResult<Self> {
        match who.company_id.clone() {
            Some(company) if !who.is_owner() => Self::check(who, company),
            _ => Err(DomainError::NotFound("company")),
        }
    }

    pub fn company(&self) -> &CompanyId {
        &self.company
    }

    pub fn user_id(&self) -> &UserId {
        &self.user.user_id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn is_owner(&self) -> bool {
        self.user.is_owner()
    }

    /// The digest of the session the caller is using, to mark it in lists of sessions.
    pub fn session(&self) -> &crate::crypto::token::TokenHash {
        &self.user.session
    }

    /// Who the audit log names for what is done under this capability.
    pub fn audit(&self) -> AuditCtx {
        self.user.audit()
    }

    /// Every level allows what a member may do.
    pub fn as_member(&self) -> CompanyScope<Member> {
        CompanyScope {
            company: self.company.clone(),
            user: self.user.clone(),
            level: PhantomData,
        }
    }
}

impl<L: Level> crate::db::InCompany for CompanyScope<L> {
    fn company(&self) -> &CompanyId {
        &self.company
    }
}

/// What a report over many companies (usage, audit log) may cover: the owner everything, or
/// one asked company; anyone else only a company they administer (another is "not found").
#[derive(Debug)]
pub enum Reach {
    Platform {
        owner: Owner,
        company: Option<CompanyId>,
    },
    Company(CompanyScope<Admin>),
}

impl Reach {
    /// `asked` narrows the report to one company; without it, a company admin gets their own.
    pub fn check(who: &UserPrincipal, asked: Option<CompanyId>) -> DomainResult<Self> {
        if let Ok(owner) = Owner::check(who) {
            return Ok(Self::Platform {
                owner,
                company: asked,
            });
        }
        Ok(Self::Company(match asked {
            Some(company) => CompanyScope::check(who, company)?,
            None => CompanyScope::own(who)?,
        }))
    }

    /// The one company the report covers, if it is narrowed to one.
    pub fn company(&self) -> Option<&CompanyId> {
        match self {
            Self::Platform { company, .. } => company.as_ref(),
            Self::Company(scope) => Some(scope.company()),
        }
    }

    /// The capability of a caller confined to one company (a company admin), whose reads are
    /// opened for that company; the owner's reports are read in the platform's scope.
    pub fn confined(&self) -> Option<&CompanyScope<Admin>> {
        match self {
            Self::Platform { .. } => None,
            Self::Company(scope) => Some(scope),
        }
    }
}

#[cfg(test)]
mod tests;
