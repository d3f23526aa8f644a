//! The brand a message carries: the recipient's company's name, colour and logo, or the
//! platform's for people of no company.

use crate::db;
use crate::db::Db;
use crate::domain::user::User;
use crate::error::DomainResult;
use crate::ids::CompanyId;
use crate::mail::letter::DEFAULT_COLOR;
use crate::mail::Brand;

/// The brand of the messages a user receives.
pub(crate) fn of_user(tx: &Db, user: &User) -> DomainResult<Brand> {
    match &user.company_id {
        Some(company) => of_company(tx, company),
        None => Ok(Brand::platform()),
    }
}

/// The brand of a company's messages.
pub(crate) fn of_company(tx: &Db, company: &CompanyId) -> DomainResult<Brand> {
    let Some(c) = db::companies::get(tx, company)? else {
        return Ok(Brand::platform());
    };
    Ok(Brand {
        name: c.shown_name().to_string(),
        color: c.primary_color.unwrap_or_else(|| DEFAULT_COLOR.into()),
        has_logo: c.has_logo,
    })
}
