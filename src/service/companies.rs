//! Companies: creation by the owner, edits, and status changes (approving a sign-up among
//! them; the sign-up itself is in `signup.rs`).

use serde_json::json;

use crate::access::{Admin, CompanyScope, Level, Owner, OwnerOf};
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::domain::company::{Company, CompanyFilter, CompanyPatch, CompanyStatus, NewCompany};
use crate::domain::company_sort::CompanySort;
use crate::domain::host::is_reserved_slug;
use crate::domain::image::LogoImage;
use crate::domain::{Page, UserPrincipal};
use crate::error::{DomainError, DomainResult};
use crate::ids::CompanyId;
use crate::service::change::{audited, in_company, Change};
use crate::service::signup;

/// Picks a free slug: the given one when explicit (a clash is a conflict), otherwise the
/// derived one with a numeric suffix when needed. A derived slug the platform keeps (a company
/// named "Admin") counts as taken, so `admin.<base domain>` never names a company.
pub(crate) fn free_slug(tx: &Db, c: &mut NewCompany, explicit: bool) -> DomainResult<()> {
    if explicit || !(is_reserved_slug(&c.slug) || db::companies::slug_taken(tx, &c.slug)?) {
        return Ok(());
    }
    let base = c.slug.clone();
    for n in 2..1000 {
        let candidate = format!("{base}-{n}");
        if !db::companies::slug_taken(tx, &candidate)? {
            c.slug = candidate;
            return Ok(());
        }
    }
    Err(DomainError::conflict(
        "slug",
        "could not derive a free slug; give one",
    ))
}

/// The company, or "not found": the one check every company-scoped service starts with.
pub(crate) fn load(tx: &Db, id: &CompanyId) -> DomainResult<Company> {
    db::companies::get(tx, id)?.ok_or(DomainError::NotFound("company"))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    store: &Store,
    owner: &Owner,
    company: NewCompany,
    explicit_slug: bool,
) -> DomainResult<Company> {
    store
        .write(audited(owner.audit(), move |tx, now| {
            // A copy per run: the slug found free belongs to this run's view of the data.
            let mut company = company.clone();
            free_slug(tx, &mut company, explicit_slug)?;
            let id = CompanyId::generate();
            db::companies::insert(tx, &id, &company, CompanyStatus::Active, now)?;
            let event = NewAuditEvent::new("company.created")
                .company(&id)
                .target("company", &id)
                .details(json!({ "legal_name": company.legal_name, "cnpj": company.cnpj, "slug": company.slug }));
            Ok(Change::audited(load(tx, &id)?, event))
        }))
        .await
}

/// Names a nested field in errors of a sign-up body (`company.cnpj`, `admin.email`).
pub fn prefix_field(err: DomainError, prefix: &str) -> DomainError {
    match err {
        DomainError::Conflict { field, message } => DomainError::Conflict {
            field: format!("{prefix}{field}"),
            message,
        },
        DomainError::Invalid { field, message } => DomainError::Invalid {
            field: format!("{prefix}{field}"),
            message,
        },
        other => other,
    }
}

pub async fn get<L: Level>(store: &Store, scope: &CompanyScope<L>) -> DomainResult<Company> {
    let id = scope.company().clone();
    store.read_in(scope, move |c| load(c, &id)).await
}

/// The company's logo, ready to serve; "not found" when it has none.
pub async fn logo<L: Level>(store: &Store, scope: &CompanyScope<L>) -> DomainResult<LogoImage> {
    let id = scope.company().clone();
    read_logo(store, id).await
}

/// The logo of a company the caller has already been checked against, read in a transaction
/// opened for that company.
pub(crate) async fn read_logo(store: &Store, id: CompanyId) -> DomainResult<LogoImage> {
    let stored = store
        .read_for_company(id.clone(), move |c| db::companies::logo(c, &id))
        .await?;
    stored
        .as_deref()
        .and_then(LogoImage::from_data_url)
        .ok_or(DomainError::NotFound("logo"))
}

/// One page of the companies list and how many companies the filters match in all.
pub struct CompanyListing {
    pub page: Page<Company>,
    pub total: u64,
}

/// Every company for the owner; only their own for anyone else.
pub async fn list(
    store: &Store,
    who: &UserPrincipal,
    mut filter: CompanyFilter,
    sort: CompanySort,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<CompanyListing> {
    if !who.is_owner() {
        filter.only = who.company_id.clone();
    }
    let after = crate::domain::cursor::open(cursor)?
        .map(|key| sort.open(&key))
        .transpose()?;
    let terms = store.search_terms();
    store
        .read(move |c| {
            let (page, total) =
                db::company_list::page_and_total(c, &terms, &filter, sort, after, limit)?;
            Ok(CompanyListing { page, total })
        })
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn update(
    store: &Store,
    scope: &CompanyScope<Admin>,
    patch: CompanyPatch,
) -> DomainResult<Company> {
    if !scope.is_owner() {
        if let Some(field) = patch.touches_owner_fields() {
            return Err(DomainError::Forbidden(format!(
                "{field}: only the platform owner may change it"
            )));
        }
    }
    let ctx = scope.audit();
    store
        .write_in(
            scope,
            in_company(scope, move |tx, current, now| {
                crate::service::erasure::ensure_not_erased(tx, &current.id)?;
                let mut fields = patch.changed_fields(&current);
                // The plan fields change only when the company moves to another plan.
                let plan_id = crate::service::plans::plan_for_patch(tx, &current, &patch, now)?;
                if plan_id.is_none() {
                    fields.retain(|f| !matches!(*f, "plan" | "max_users" | "plan_id"));
                }
                if patch.logo_data_url.is_some() {
                    let logo = db::companies::logo(tx, &current.id)?;
                    if patch.changes_logo(logo.as_deref()) {
                        fields.push("logo_data_url");
                    }
                }
                if fields.is_empty() {
                    return Ok(Change::unchanged(current));
                }
                db::companies::update(tx, &current.id, &patch, plan_id.as_ref(), now)?;
                if plan_id.is_some() {
                    crate::service::plans::audit_patch_move(tx, &ctx, &current.id, now)?;
                }
                let event = NewAuditEvent::new("company.updated")
                    .target("company", &current.id)
                    .details(json!({ "fields": fields }));
                Ok(Change::audited(load(tx, &current.id)?, event))
            }),
        )
        .await
}

#[derive(Clone, Copy, Debug)]
pub enum StatusAction {
    Approve,
    Suspend,
    Reactivate,
    Cancel,
}

impl StatusAction {
    fn transition(self, from: CompanyStatus) -> Option<CompanyStatus> {
        use CompanyStatus::*;
        match (self, from) {
            (Self::Approve, Pending) => Some(Active),
            (Self::Suspend, Active | Pending) => Some(Suspended),
            (Self::Reactivate, Suspended | Cancelled) => Some(Active),
            (Self::Cancel, Pending | Active | Suspended) => Some(Cancelled),
            _ => None,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Self::Approve => "company.approved",
            Self::Suspend => "company.suspended",
            Self::Reactivate => "company.reactivated",
            Self::Cancel => "company.cancelled",
        }
    }
}

/// Approves, suspends, reactivates or cancels a company. Suspending or cancelling revokes
/// every session of its users; approving activates its pending first admin. Approving a
/// sign-up that clashes with a live company or user is a conflict; cancelling one that was
/// never approved removes its pending admin, freeing the e-mail.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn change_status(
    store: &Store,
    scope: &CompanyScope<OwnerOf>,
    action: StatusAction,
) -> DomainResult<Company> {
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                let id = company.id.clone();
                crate::service::erasure::ensure_not_erased(tx, &id)?;
                let to = action.transition(company.status).ok_or_else(|| {
                    DomainError::conflict(
                        "status",
                        format!("the company is {}", company.status.as_str()),
                    )
                })?;
                let approved = db::signups::is_approved(tx, &id)?;
                if to == CompanyStatus::Active && !approved {
                    signup::admit(tx, &company, now)?;
                }
                db::companies::set_status(tx, &id, to, now)?;
                let mut details = json!({ "from": company.status.as_str(), "to": to.as_str() });
                match to {
                    CompanyStatus::Cancelled if !approved => {
                        // A turned-down sign-up frees its admin's e-mail (its CNPJ is already free).
                        details["signup_rejected"] = true.into();
                        details["users_removed"] =
                            db::signups::delete_pending_users(tx, &id)?.into();
                    }
                    CompanyStatus::Suspended | CompanyStatus::Cancelled => {
                        details["sessions_revoked"] =
                            db::sessions::delete_for_company(tx, &id)?.into();
                    }
                    CompanyStatus::Active if company.status == CompanyStatus::Pending => {
                        details["users_activated"] =
                            db::users::activate_pending_in_company(tx, &id, now)?.into();
                    }
                    _ => {}
                }
                let event = NewAuditEvent::new(action.action())
                    .target("company", &id)
                    .details(details);
                Ok(Change::audited(load(tx, &id)?, event))
            }),
        )
        .await
}
