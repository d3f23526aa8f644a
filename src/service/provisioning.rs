//! Provisioning: an application reports where it stands in setting a linked company up
//! (`provisioning`, `ready`, `failed` with a message); the owner and the company's admin see it
//! on the company's links and ask the application to provision again after a fix, which sends
//! it the event `provisioning.requested`. A failure is an alert to the owner.

use serde_json::json;

use crate::access::{Admin, AppCompanyScope, CompanyScope, Linked};
use crate::db;
use crate::db::Store;
use crate::domain::application::Link;
use crate::domain::audit::NewAuditEvent;
use crate::domain::provisioning::{check_message, Provisioning, ProvisioningState};
use crate::error::{DomainError, DomainResult};
use crate::ids::LinkId;
use crate::service::change::{audited, in_company, Change};

/// What the calling application last reported for the company, if anything.
pub async fn read(
    store: &Store,
    scope: &AppCompanyScope<Linked>,
) -> DomainResult<Option<Provisioning>> {
    let link = scope.link_id().clone();
    store
        .read_in(scope, move |c| db::provisioning::get(c, &link))
        .await
}

/// Records the application's report; audited as `provisioning.reported` for the company.
/// `requested` is not the application's to report: it is what asking again sets.
pub async fn report(
    store: &Store,
    scope: &AppCompanyScope<Linked>,
    state: ProvisioningState,
    message: Option<String>,
) -> DomainResult<Provisioning> {
    if state == ProvisioningState::Requested {
        return Err(DomainError::invalid(
            "state",
            "must be provisioning, ready or failed",
        ));
    }
    let message = check_message(state, message)?;
    let (link, company, app) = (
        scope.link_id().clone(),
        scope.company().clone(),
        scope.application_id().to_string(),
    );
    store
        .write_in(
            scope,
            audited(scope.audit(), move |tx, now| {
                // The link may have been revoked since the key was read.
                db::links::get_in_company(tx, &company, &link)?
                    .ok_or(DomainError::NotFound("company"))?;
                db::provisioning::report(tx, &link, state, message.as_deref(), now)?;
                let event = NewAuditEvent::new("provisioning.reported")
                    .company(&company)
                    .target("link", &link)
                    .details(json!({ "application_id": app, "state": state.as_str(),
                                 "message": message }));
                let saved =
                    db::provisioning::get(tx, &link)?.ok_or(DomainError::NotFound("link"))?;
                Ok(Change::audited(saved, event))
            }),
        )
        .await
}

/// Asks the link's application to provision the company again: the state becomes `requested`
/// and the application receives `provisioning.requested`. The company's admin or the owner;
/// another company's link is a 404.
pub async fn request_again(
    store: &Store,
    scope: &CompanyScope<Admin>,
    link: LinkId,
) -> DomainResult<Link> {
    let company = scope.company().clone();
    store
        .write_in(
            scope,
            in_company(scope, move |tx, _, now| {
                let found = db::links::get_in_company(tx, &company, &link)?
                    .ok_or(DomainError::NotFound("link"))?;
                db::provisioning::request(tx, &link, now)?;
                let event = NewAuditEvent::new("provisioning.requested")
                    .target("link", &link)
                    .details(json!({ "application_id": found.application_id.to_string() }));
                let after = db::links::get(tx, &link)?.ok_or(DomainError::NotFound("link"))?;
                Ok(Change::audited(after, event))
            }),
        )
        .await
}
