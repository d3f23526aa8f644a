//! Plans (owner only) and a company's plan, trial end and subscription status. Thin handlers
//! over `service::plans`.

use std::collections::BTreeMap;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::{Member, OwnerOf};
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{Text, DESCRIPTION_MAX, ID_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{ActionErrors, ChangeErrors, CreateErrors, ListErrors, ReadOneErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::company::PLAN_NAME_MAX;
use crate::domain::plan::{
    self, CompanyPlan, CompanyPlanChange, PlanInUse, PlanInput, SubscriptionStatus,
};
use crate::error::DomainError;
use crate::ids::{CompanyId, PlanId};
use crate::service::{plans, AppState};

pub struct PlansApi {
    state: AppState,
}

impl PlansApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// `trial`, `active`, `past_due` or `cancelled`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[oai(rename = "SubscriptionStatus", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatusDto {
    Trial,
    Active,
    PastDue,
    Cancelled,
}

impl From<SubscriptionStatus> for SubscriptionStatusDto {
    fn from(s: SubscriptionStatus) -> Self {
        match s {
            SubscriptionStatus::Trial => Self::Trial,
            SubscriptionStatus::Active => Self::Active,
            SubscriptionStatus::PastDue => Self::PastDue,
            SubscriptionStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<SubscriptionStatusDto> for SubscriptionStatus {
    fn from(s: SubscriptionStatusDto) -> Self {
        match s {
            SubscriptionStatusDto::Trial => Self::Trial,
            SubscriptionStatusDto::Active => Self::Active,
            SubscriptionStatusDto::PastDue => Self::PastDue,
            SubscriptionStatusDto::Cancelled => Self::Cancelled,
        }
    }
}

/// A plan: a name, a description and its limits.
#[derive(Object)]
#[oai(rename = "Plan")]
pub struct PlanOut {
    id: String,
    name: String,
    description: String,
    /// Named non-negative limits: `max_users` (armario refuses users beyond it) and any other
    /// the applications enforce, such as `max_animals`.
    limits: BTreeMap<String, i64>,
    /// Companies on the plan.
    companies: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<PlanInUse> for PlanOut {
    fn from(PlanInUse { plan: p, companies }: PlanInUse) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            description: p.description,
            limits: p.limits,
            companies,
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
        }
    }
}

/// Every plan, by name.
#[derive(Object)]
struct PlanList {
    items: Vec<PlanOut>,
}

/// A plan to create, or a plan's new name, description and limits (all replaced).
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanIn {
    /// Unique, ignoring case and accents.
    name: Text<PLAN_NAME_MAX>,
    #[oai(nullable)]
    #[serde(default)]
    description: Option<Text<DESCRIPTION_MAX>>,
    /// At most 32 limits; names are lowercase letters, digits and `_`; `max_users` (1 to
    /// 100000) is required, other values are 0 to 1000000000.
    #[oai(validator(max_properties = 32))]
    limits: BTreeMap<String, i64>,
}

impl TryFrom<PlanIn> for PlanInput {
    type Error = DomainError;
    fn try_from(b: PlanIn) -> Result<Self, DomainError> {
        PlanInput::validate(&b.name, b.description.as_deref(), b.limits)
    }
}

/// A company's plan, trial end, subscription status and use of its user limit.
#[derive(Object)]
#[oai(rename = "CompanyPlan")]
pub struct CompanyPlanOut {
    plan_id: String,
    /// The plan's name.
    name: String,
    description: String,
    /// The plan's named limits, `max_users` among them.
    limits: BTreeMap<String, i64>,
    /// The last day of the trial (`YYYY-MM-DD`); absent without a trial.
    #[oai(skip_serializing_if_is_none)]
    trial_ends_at: Option<String>,
    subscription_status: SubscriptionStatusDto,
    /// Users counted against `max_users`: users not disabled and pending invitations.
    users_used: i64,
    max_users: i64,
}

impl From<CompanyPlan> for CompanyPlanOut {
    fn from(c: CompanyPlan) -> Self {
        Self {
            max_users: c.plan.max_users(),
            plan_id: c.plan.id.to_string(),
            name: c.plan.name,
            description: c.plan.description,
            limits: c.plan.limits,
            trial_ends_at: c.trial_ends_at,
            subscription_status: c.status.into(),
            users_used: c.users_used,
        }
    }
}

/// What to change on a company's plan; absent fields stay as they are.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyPlanIn {
    /// Moves the company to this plan.
    #[oai(nullable)]
    #[serde(default)]
    plan_id: Option<Text<ID_MAX>>,
    /// The last day of the trial, `YYYY-MM-DD`; an empty string clears it.
    #[oai(nullable)]
    #[serde(default)]
    trial_ends_at: Option<Text<10>>,
    // (No doc comment and not nullable: either would wrap the $ref in an allOf.)
    #[serde(default)]
    subscription_status: Option<SubscriptionStatusDto>,
}

impl TryFrom<CompanyPlanIn> for CompanyPlanChange {
    type Error = DomainError;
    fn try_from(b: CompanyPlanIn) -> Result<Self, DomainError> {
        Ok(Self {
            plan_id: b
                .plan_id
                .map(|id| {
                    PlanId::parse(id.trim())
                        .ok_or_else(|| DomainError::invalid("plan_id", "no such plan"))
                })
                .transpose()?,
            trial_ends_at: b
                .trial_ends_at
                .map(|t| plan::trial_end("trial_ends_at", &t))
                .transpose()?,
            status: b.subscription_status.map(Into::into),
        })
    }
}

#[OpenApi(tag = "Tag::Companies")]
impl PlansApi {
    /// List the plans.
    ///
    /// Owner only. Every plan with its limits and how many companies are on it, by name.
    #[oai(path = "/plans", method = "get", operation_id = "list_plans")]
    async fn list(&self, auth: UserAuth, caller: Caller) -> Result<Json<PlanList>, ListErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let items = plans::list(&self.state.store, &owner).await?;
        Ok(Json(PlanList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Create a plan.
    ///
    /// Owner only. The name is unique ignoring case and accents (409 when taken).
    #[oai(path = "/plans", method = "post", operation_id = "create_plan")]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<PlanIn>,
    ) -> Result<CreatedResponse<PlanOut>, CreateErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let input = PlanInput::try_from(body.0)?;
        let plan = plans::create(&self.state.store, &owner, input).await?;
        Ok(CreatedResponse::Created(Json(plan.into())))
    }

    /// Read a plan.
    ///
    /// Owner only.
    #[oai(path = "/plans/:id", method = "get", operation_id = "get_plan")]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<PlanId>,
    ) -> Result<Json<PlanOut>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        Ok(Json(
            plans::get(&self.state.store, &owner, id.0).await?.into(),
        ))
    }

    /// Replace a plan's name, description and limits.
    ///
    /// Owner only. Every company on the plan follows at once: a smaller `max_users` refuses
    /// new users beyond it and keeps those the company has.
    #[oai(path = "/plans/:id", method = "put", operation_id = "update_plan")]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<PlanId>,
        body: JsonBody<PlanIn>,
    ) -> Result<Json<PlanOut>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let input = PlanInput::try_from(body.0)?;
        Ok(Json(
            plans::update(&self.state.store, &owner, id.0, input)
                .await?
                .into(),
        ))
    }

    /// Delete a plan.
    ///
    /// Owner only. A plan some company is on is a 409 saying how many.
    #[oai(path = "/plans/:id", method = "delete", operation_id = "delete_plan")]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<PlanId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        plans::delete(&self.state.store, &owner, id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Read a company's plan.
    ///
    /// Any user of the company, or the owner. The plan's limits, the trial end, the
    /// subscription status and the users counted against `max_users`.
    #[oai(
        path = "/companies/:id/plan",
        method = "get",
        operation_id = "get_company_plan"
    )]
    async fn company_plan(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyPlanOut>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        Ok(Json(
            plans::company_plan(&self.state.store, &scope).await?.into(),
        ))
    }

    /// Change a company's plan, trial end or subscription status.
    ///
    /// Owner only (an application with `billing:write` uses the app route). Audited as
    /// `plan.changed`, which linked applications receive as a webhook event.
    #[oai(
        path = "/companies/:id/plan",
        method = "patch",
        operation_id = "set_company_plan"
    )]
    async fn set_company_plan(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<CompanyPlanIn>,
    ) -> Result<Json<CompanyPlanOut>, ChangeErrors> {
        let scope = auth.company::<OwnerOf>(&self.state, &caller, id.0).await?;
        let change = CompanyPlanChange::try_from(body.0)?;
        Ok(Json(
            plans::set_by_owner(&self.state.store, &scope, change)
                .await?
                .into(),
        ))
    }
}
