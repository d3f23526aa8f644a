//! Tenancy is the link: a user may sign in to an application, or keep a refresh token alive,
//! only while they are active, their company is active and the company is linked to the
//! application. Checked live at every step, so suspending a company, disabling a user or
//! revoking a link ends their tokens at once.

use crate::db;
use crate::db::Db;
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CompanyId, UserId};
use crate::oidc::claims::Person;

/// Who may sign in, with what their tokens will say.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub email_verified: bool,
    pub person: Person,
}

/// Why a user may not sign in to an application (said to the user on the hosted page, and to
/// the application as `invalid_grant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    UserInactive,
    NoCompany,
    CompanyInactive,
    NotLinked,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::UserInactive => "the account is not active",
            Self::NoCompany => "the platform owner's account does not sign in to applications",
            Self::CompanyInactive => "the company is not active",
            Self::NotLinked => "the company does not use this application",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserInactive => "user_inactive",
            Self::NoCompany => "no_company",
            Self::CompanyInactive => "company_inactive",
            Self::NotLinked => "not_linked",
        }
    }
}

/// The subject as it stands now.
pub fn check(
    conn: &Db,
    user: &UserId,
    app: &ApplicationId,
) -> DomainResult<Result<Subject, Refusal>> {
    let Some(row) = db::oidc::subject(conn, user, app)? else {
        return Ok(Err(Refusal::UserInactive));
    };
    if row.user_status != "active" {
        return Ok(Err(Refusal::UserInactive));
    }
    let (Some(company_id), Some(status), Some(slug)) =
        (row.company_id, row.company_status, row.company_slug)
    else {
        return Ok(Err(Refusal::NoCompany));
    };
    if status != "active" {
        return Ok(Err(Refusal::CompanyInactive));
    }
    if !row.linked {
        return Ok(Err(Refusal::NotLinked));
    }
    let roles = roles_for(conn, user, app)?;
    Ok(Ok(Subject {
        user_id: user.clone(),
        company_id: company_id.clone(),
        email_verified: row.email_verified,
        person: Person {
            email: row.email,
            name: row.name,
            company_id: company_id.to_string(),
            company_slug: slug,
            role: row.role,
            roles,
        },
    }))
}

/// The application's roles granted to the user.
fn roles_for(conn: &Db, user: &UserId, app: &ApplicationId) -> DomainResult<Vec<String>> {
    db::app_roles::effective(conn, user, app)
}
