//! Granting applications' roles to a company's users: the company's admin (or the owner) sets
//! them, per application linked to the company; a member reads only their own. An application
//! not linked to the company, or a user of another company, is "not found".

use std::collections::BTreeSet;

use serde_json::json;

use crate::access::{Admin, CompanyScope, Member};
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::app_role::{self, AppRole};
use crate::domain::audit::NewAuditEvent;
use crate::domain::user::Role;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId, UserId};

/// An application linked to the company, with the roles it declares.
pub struct Catalog {
    pub application_id: ApplicationId,
    pub application_name: String,
    pub roles: Vec<AppRole>,
}

/// The roles a user holds in one linked application.
pub struct Held {
    pub application_id: ApplicationId,
    pub application_name: String,
    pub roles: Vec<String>,
}

fn linked(c: &Db, company: &CompanyId) -> DomainResult<Vec<(ApplicationId, String)>> {
    // A page's worth: no company is linked to more applications than a form can show.
    Ok(db::links::list(c, None, Some(company))?
        .into_iter()
        .take(crate::domain::MAX_PAGE_SIZE as usize)
        .map(|l| (l.application_id, l.application_name))
        .collect())
}

/// Every application linked to the company, with its declared roles: what the portal draws
/// the form from. Any user of the company may read it.
pub async fn catalog(store: &Store, scope: &CompanyScope<Member>) -> DomainResult<Vec<Catalog>> {
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            linked(c, &company)?
                .into_iter()
                .map(|(id, name)| {
                    Ok(Catalog {
                        roles: db::app_roles::declared(c, &id)?,
                        application_id: id,
                        application_name: name,
                    })
                })
                .collect()
        })
        .await
}

/// The roles a user of the company holds, per linked application. A member may read only
/// their own.
pub async fn held(
    store: &Store,
    scope: &CompanyScope<Member>,
    user: UserId,
) -> DomainResult<Vec<Held>> {
    if scope.role() == Role::Member && scope.user_id() != &user {
        return Err(DomainError::Forbidden(
            "a member may read only their own roles".into(),
        ));
    }
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::users::get_in_company(c, &company, &user)?.ok_or(DomainError::NotFound("user"))?;
            let mut granted = db::app_roles::of_user(c, &user)?;
            Ok(linked(c, &company)?
                .into_iter()
                .map(|(id, name)| {
                    let roles = granted
                        .iter()
                        .filter(|(app, _)| *app == id)
                        .map(|(_, k)| k.clone())
                        .collect();
                    granted.retain(|(app, _)| *app != id);
                    Held {
                        application_id: id,
                        application_name: name,
                        roles,
                    }
                })
                .collect())
        })
        .await
}

/// Sets the roles a user of the company holds in one linked application to exactly `keys`.
/// Each grant and each revocation is audited for the company. Answers the keys now held.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn set(
    store: &Store,
    scope: &CompanyScope<Admin>,
    user: UserId,
    app: ApplicationId,
    keys: Vec<String>,
) -> DomainResult<Vec<String>> {
    let (company, ctx) = (scope.company().clone(), scope.audit());
    store
        .write_in(scope, move |tx| {
            let now = crate::clock::now_ms();
            crate::service::companies::load(tx, &company)?;
            db::users::get_in_company(tx, &company, &user)?.ok_or(DomainError::NotFound("user"))?;
            if db::links::list(tx, Some(&app), Some(&company))?.is_empty() {
                return Err(DomainError::NotFound("application"));
            }
            let declared: BTreeSet<String> = db::app_roles::declared(tx, &app)?
                .into_iter()
                .map(|r| r.key)
                .collect();
            let wanted = app_role::grant(&keys, &declared)?;
            let current = db::app_roles::granted(tx, &user, &app)?;
            for key in wanted.iter().filter(|k| !current.contains(k)) {
                db::app_roles::grant(tx, &user, &app, key, now)?;
                let event = event("role.granted", &company, &app, key, &user);
                db::audit::insert(tx, &ctx, &event, now)?;
            }
            for key in current.iter().filter(|k| !wanted.contains(k)) {
                db::app_roles::revoke(tx, &user, &app, key)?;
                let event = event("role.revoked", &company, &app, key, &user);
                db::audit::insert(tx, &ctx, &event, now)?;
            }
            Ok(wanted)
        })
        .await
}

fn event(
    action: &'static str,
    company: &CompanyId,
    app: &ApplicationId,
    key: &str,
    user: &UserId,
) -> NewAuditEvent {
    NewAuditEvent::new(action)
        .company(company)
        .target("user", user)
        .details(json!({
            "application_id": app.to_string(),
            "role_key": key,
            "user_id": user.to_string(),
        }))
}

/// The calling application's roles of each user in a page, as lists in the page's order.
pub(crate) fn for_page(
    c: &Db,
    app: &ApplicationId,
    users: &[UserId],
) -> DomainResult<Vec<Vec<String>>> {
    let held = db::app_roles::of_users(c, app, users)?;
    Ok(users
        .iter()
        .map(|u| {
            held.iter()
                .filter(|(who, _)| who == u)
                .map(|(_, k)| k.clone())
                .collect()
        })
        .collect())
}
