//! Users: owners (of the platform) and the admins and members of one company.

use super::validate;
use crate::crypto::{password, SecretString};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Owner,
    CompanyAdmin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::CompanyAdmin => "company_admin",
            Self::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Self::Owner,
            "company_admin" => Self::CompanyAdmin,
            "member" => Self::Member,
            _ => return None,
        })
    }

    /// Roles a company user may hold.
    pub fn parse_company_role(field: &str, s: &str) -> DomainResult<Self> {
        match Self::parse(s) {
            Some(r @ (Self::CompanyAdmin | Self::Member)) => Ok(r),
            _ => Err(DomainError::invalid(
                field,
                "must be company_admin or member",
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    Pending,
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "active" => Self::Active,
            "disabled" => Self::Disabled,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub company_id: Option<CompanyId>,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the user last showed they read their address; `None` until they do.
    pub email_verified_at: Option<i64>,
    /// Has a confirmed second factor.
    pub mfa_enabled: bool,
}

/// A validated new user, password not yet hashed.
#[derive(Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: SecretString,
}

pub const NAME_MAX: usize = 120;

impl NewUser {
    pub fn validate(
        email: &str,
        name: &str,
        role: Role,
        password: SecretString,
    ) -> DomainResult<Self> {
        let email = validate::email("email", email)?;
        let name = validate::required("name", name, NAME_MAX)?;
        password::validate("password", &password)?;
        Ok(Self {
            email,
            name,
            role,
            password,
        })
    }
}

#[derive(Debug, Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
}

impl UserPatch {
    pub fn validate(
        name: Option<&str>,
        email: Option<&str>,
        role: Option<&str>,
    ) -> DomainResult<Self> {
        Ok(Self {
            name: name
                .map(|n| validate::required("name", n, NAME_MAX))
                .transpose()?,
            email: email.map(|e| validate::email("email", e)).transpose()?,
            role: role
                .map(|r| Role::parse_company_role("role", r))
                .transpose()?,
        })
        .and_then(|patch: Self| {
            if patch.name.is_none() && patch.email.is_none() && patch.role.is_none() {
                return Err(DomainError::invalid(
                    "body",
                    "must name at least one field to change",
                ));
            }
            Ok(patch)
        })
    }

    /// The fields whose value this patch changes on `current`, for the audit log.
    pub fn changed_fields(&self, current: &User) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.name.as_ref().is_some_and(|v| *v != current.name) {
            out.push("name");
        }
        if self.email.as_ref().is_some_and(|v| *v != current.email) {
            out.push("email");
        }
        if self.role.is_some_and(|v| v != current.role) {
            out.push("role");
        }
        out
    }
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub company: Option<CompanyId>,
    /// Restricts the list to one user (a member sees only themself).
    pub only: Option<UserId>,
    pub search: Option<String>,
    pub status: Option<UserStatus>,
    pub role: Option<Role>,
}
