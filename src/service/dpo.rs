//! The encarregado (DPO, LGPD art. 41) of the platform, set by the owner, and of each company,
//! set by its admin. Anyone signed in reads the platform's; a company's users read theirs.

use serde_json::json;

use crate::access::{Admin, CompanyScope, Member, Owner};
use crate::db;
use crate::db::privacy::PLATFORM;
use crate::db::Store;
use crate::domain::privacy::Dpo;
use crate::domain::NewAuditEvent;
use crate::error::DomainResult;
use crate::service::change::{audited, in_company, Change};

pub async fn platform(store: &Store) -> DomainResult<Option<Dpo>> {
    store.read(|c| db::privacy::dpo(c, PLATFORM)).await
}

pub async fn set_platform(store: &Store, owner: &Owner, mut dpo: Dpo) -> DomainResult<Dpo> {
    store
        .write(audited(owner.audit(), move |tx, now| {
            dpo.updated_at = now;
            db::privacy::set_dpo(tx, PLATFORM, &dpo)?;
            // Who the encarregado is, is public by law (art. 41 §1): the audit names them.
            let event = NewAuditEvent::new("dpo.changed")
                .details(json!({ "scope": PLATFORM, "name": dpo.name }));
            Ok(Change::audited(dpo.clone(), event))
        }))
        .await
}

pub async fn company(store: &Store, scope: &CompanyScope<Member>) -> DomainResult<Option<Dpo>> {
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            db::privacy::dpo(c, company.as_str())
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn set_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
    mut dpo: Dpo,
) -> DomainResult<Dpo> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                dpo.updated_at = now;
                db::privacy::set_dpo(tx, company.id.as_str(), &dpo)?;
                let event = NewAuditEvent::new("dpo.changed")
                    .target("company", &company.id)
                    .details(json!({ "scope": "company", "name": dpo.name }));
                Ok(Change::audited(dpo.clone(), event))
            }),
        )
        .await
}
