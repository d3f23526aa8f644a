//! Plans (the owner's catalogue) and each company's plan, trial end and subscription status,
//! set by the owner or by an application whose link holds `billing:write`. A change to a
//! company's plan fields is audited as `plan.changed`, which also sends the webhook event.

use serde_json::json;

use crate::access::OwnerOf;
use crate::access::{AppCompanyScope, BillingWrite, CompanyRead, CompanyScope, Level, Owner};
use crate::db;
use crate::db::Db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::plan::{CompanyPlan, CompanyPlanChange, Plan, PlanInUse, PlanInput};
use crate::domain::{Company, CompanyPatch};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, PlanId};
use crate::service::change::{audited, Change};

pub async fn list(store: &Store, _owner: &Owner) -> DomainResult<Vec<PlanInUse>> {
    store.read(db::plans::list).await
}

pub async fn get(store: &Store, _owner: &Owner, id: PlanId) -> DomainResult<PlanInUse> {
    store.read(move |c| in_use(c, &id)).await
}

fn in_use(c: &Db, id: &PlanId) -> DomainResult<PlanInUse> {
    db::plans::in_use(c, id)?.ok_or(DomainError::NotFound("plan"))
}

fn plan_event(action: &'static str, p: &Plan) -> NewAuditEvent {
    NewAuditEvent::new(action)
        .target("plan", &p.id)
        .details(json!({ "name": p.name, "limits": p.limits }))
}

#[tracing::instrument(skip_all)]
pub async fn create(store: &Store, owner: &Owner, input: PlanInput) -> DomainResult<PlanInUse> {
    store
        .write(audited(owner.audit(), move |tx, now| {
            let id = PlanId::generate();
            db::plans::insert(tx, &id, &input, now)?;
            let plan = in_use(tx, &id)?;
            let event = plan_event("plan.created", &plan.plan);
            Ok(Change::audited(plan, event))
        }))
        .await
}

/// Replaces a plan's name, description and limits; every company on it follows at once (a
/// smaller `max_users` refuses new users beyond it, and keeps those it has).
#[tracing::instrument(skip_all, fields(plan_id = %id))]
pub async fn update(
    store: &Store,
    owner: &Owner,
    id: PlanId,
    input: PlanInput,
) -> DomainResult<PlanInUse> {
    store
        .write(audited(owner.audit(), move |tx, now| {
            let before = in_use(tx, &id)?;
            let terms = &before.plan;
            if terms.name == input.name
                && terms.description == input.description
                && terms.limits == input.limits
            {
                return Ok(Change::unchanged(before));
            }
            db::plans::update(tx, &id, &input, now)?;
            let plan = in_use(tx, &id)?;
            let event = plan_event("plan.updated", &plan.plan);
            Ok(Change::audited(plan, event))
        }))
        .await
}

/// Deletes a plan no company is on; one in use is a conflict naming how many.
#[tracing::instrument(skip_all, fields(plan_id = %id))]
pub async fn delete(store: &Store, owner: &Owner, id: PlanId) -> DomainResult<()> {
    store
        .write(audited(owner.audit(), move |tx, _| {
            let PlanInUse { plan, companies } = in_use(tx, &id)?;
            if companies > 0 {
                return Err(DomainError::conflict(
                    "plan",
                    format!("the plan is in use by {companies} companies"),
                ));
            }
            db::plans::delete(tx, &id)?;
            Ok(Change::audited((), plan_event("plan.deleted", &plan)))
        }))
        .await
}

fn read_company_plan(tx: &Db, company: &CompanyId) -> DomainResult<CompanyPlan> {
    let c = crate::service::companies::load(tx, company)?;
    let plan = db::plans::get(tx, &c.plan_id)?.ok_or(DomainError::NotFound("plan"))?;
    let now = crate::clock::now_ms();
    let users_used =
        db::users::count_billable(tx, company)? + db::invitations::count_pending(tx, company, now)?;
    Ok(CompanyPlan {
        plan,
        trial_ends_at: c.trial_ends_at,
        status: c.subscription_status,
        users_used,
    })
}

/// The company's plan, for its users (the portal) and the owner.
pub async fn company_plan<L: Level>(
    store: &Store,
    scope: &CompanyScope<L>,
) -> DomainResult<CompanyPlan> {
    let id = scope.company().clone();
    store
        .read_in(scope, move |c| read_company_plan(c, &id))
        .await
}

/// The company's plan, for a linked application with `company:read`.
pub async fn app_company_plan(
    store: &Store,
    scope: &AppCompanyScope<CompanyRead>,
) -> DomainResult<CompanyPlan> {
    let id = scope.company().clone();
    store
        .read_in(scope, move |c| read_company_plan(c, &id))
        .await
}

/// The owner sets a company's plan, trial end or status.
pub async fn set_by_owner(
    store: &Store,
    scope: &CompanyScope<OwnerOf>,
    change: CompanyPlanChange,
) -> DomainResult<CompanyPlan> {
    set(store, scope.company().clone(), scope.audit(), change).await
}

/// An application whose link holds `billing:write` sets them.
pub async fn set_by_app(
    store: &Store,
    scope: &AppCompanyScope<BillingWrite>,
    change: CompanyPlanChange,
) -> DomainResult<CompanyPlan> {
    set(store, scope.company().clone(), scope.audit(), change).await
}

#[tracing::instrument(skip_all, fields(company_id = %company))]
async fn set(
    store: &Store,
    company: CompanyId,
    ctx: AuditCtx,
    change: CompanyPlanChange,
) -> DomainResult<CompanyPlan> {
    if change.is_empty() {
        return Err(DomainError::invalid(
            "body",
            "must name at least one field to change",
        ));
    }
    store
        .write_for_company(
            company.clone(),
            audited(ctx, move |tx, now| {
                let c = crate::service::companies::load(tx, &company)?;
                let plan_id = match change.plan_id.clone() {
                    Some(id) => {
                        db::plans::get(tx, &id)?
                            .ok_or_else(|| DomainError::invalid("plan_id", "no such plan"))?
                            .id
                    }
                    None => c.plan_id.clone(),
                };
                let trial = change
                    .trial_ends_at
                    .clone()
                    .unwrap_or(c.trial_ends_at.clone());
                let status = change.status.unwrap_or(c.subscription_status);
                if plan_id == c.plan_id
                    && trial == c.trial_ends_at
                    && status == c.subscription_status
                {
                    return Ok(Change::unchanged(read_company_plan(tx, &company)?));
                }
                db::plans::set_company_plan(tx, &company, &plan_id, trial.as_deref(), status, now)?;
                let after = read_company_plan(tx, &company)?;
                let event = plan_changed(&company, &after);
                Ok(Change::audited(after, event))
            }),
        )
        .await
}

/// The audit event (and webhook event) of a change to a company's plan fields: plan id and
/// name, status and trial end; nothing personal, nothing secret.
pub(crate) fn plan_changed(company: &CompanyId, p: &CompanyPlan) -> NewAuditEvent {
    let mut details = json!({
        "plan_id": p.plan.id.to_string(),
        "plan": p.plan.name,
        "subscription_status": p.status.as_str(),
    });
    if let Some(day) = &p.trial_ends_at {
        details["trial_ends_at"] = json!(day);
    }
    NewAuditEvent::new("plan.changed")
        .company(company)
        .target("company", company)
        .details(details)
}

/// The plan a company patch moves the company to through the older fields (`plan`,
/// `max_users`) or `plan_id`; `None` when it stays on its plan.
pub(crate) fn plan_for_patch(
    tx: &Db,
    current: &Company,
    patch: &CompanyPatch,
    now: i64,
) -> DomainResult<Option<PlanId>> {
    let id = if let Some(id) = &patch.plan_id {
        db::plans::get(tx, id)?
            .ok_or_else(|| DomainError::invalid("plan_id", "no such plan"))?
            .id
    } else if patch.plan.is_some() || patch.max_users.is_some() {
        let name = patch.plan.as_deref().unwrap_or(&current.plan);
        // A new name alone moves to that plan as it is, or makes it with the current limit.
        let max = match (&patch.plan, patch.max_users) {
            (_, Some(m)) => Some(m),
            (Some(_), None) => None,
            (None, None) => Some(current.max_users),
        };
        db::plans::for_legacy(tx, name, max, current.max_users, now)?
    } else {
        return Ok(None);
    };
    Ok((id != current.plan_id).then_some(id))
}

/// Records `plan.changed` for a company patch that moved the company to another plan.
pub(crate) fn audit_patch_move(
    tx: &Db,
    ctx: &AuditCtx,
    company: &CompanyId,
    now: i64,
) -> DomainResult<()> {
    let after = read_company_plan(tx, company)?;
    db::audit::insert(tx, ctx, &plan_changed(company, &after), now)
}
