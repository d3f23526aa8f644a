//! Usage reports: requests of applications per day, company and route group.

use chrono::{Duration, NaiveDate, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::access::Reach;
use crate::api::auth::{Caller, UserAuth};
use crate::api::day::{days, Day};
use crate::api::error::ApiResult;
use crate::api::input::{Text, ID_MAX};
use crate::api::Tag;
use crate::db::usage::{UsageFilter, UsageRow};
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId};
use crate::service::{usage, AppState};

pub struct UsageApi {
    state: AppState,
}

impl UsageApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Requests of one application, on one day, for one company, in one route group.
#[derive(Object)]
pub struct UsageRowOut {
    /// UTC day, YYYY-MM-DD.
    day: String,
    application_id: String,
    /// Absent for requests that named no company.
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    /// companies, secrets, users, sessions, resolve or usage.
    route_group: String,
    requests: i64,
}

#[derive(Object)]
pub struct UsageList {
    items: Vec<UsageRowOut>,
    /// Sum of `requests` over the items.
    total: i64,
}

impl UsageList {
    pub fn from_rows(rows: Vec<UsageRow>) -> Self {
        let total = rows.iter().map(|r| r.requests).sum();
        let items = rows
            .into_iter()
            .map(|r| UsageRowOut {
                day: r.day,
                application_id: r.application_id,
                company_id: Some(r.company_id).filter(|c| !c.is_empty()),
                route_group: r.route_group,
                requests: r.requests,
            })
            .collect();
        Self { items, total }
    }
}

#[derive(ApiResponse)]
enum CsvResponse {
    /// day,application_id,company_id,route_group,requests
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

const MAX_DAYS: i64 = 366;
const MAX_ROWS: u32 = 100_000;

/// The period of a report: default the last 30 days, at most a year.
pub fn usage_filter(from: Option<NaiveDate>, to: Option<NaiveDate>) -> DomainResult<UsageFilter> {
    let to = to.unwrap_or_else(|| Utc::now().date_naive());
    let from = from.unwrap_or(to - Duration::days(29));
    if from > to {
        return Err(DomainError::invalid("from", "must not be after to"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(DomainError::invalid(
            "from",
            format!("the period is at most {MAX_DAYS} days"),
        ));
    }
    Ok(UsageFilter {
        from_day: Some(from.to_string()),
        to_day: Some(to.to_string()),
        ..Default::default()
    })
}

impl UsageApi {
    async fn rows(
        &self,
        who: &UserPrincipal,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        company: Option<String>,
        application: Option<String>,
    ) -> DomainResult<Vec<UsageRow>> {
        let mut filter = usage_filter(from, to)?;
        let company = company
            .map(|c| {
                CompanyId::parse(&c)
                    .ok_or_else(|| DomainError::invalid("company_id", "is not a company id"))
            })
            .transpose()?;
        let reach = Reach::check(who, company)?;
        filter.application_id = application
            .map(|a| {
                ApplicationId::parse(&a)
                    .map(|a| a.to_string())
                    .ok_or_else(|| {
                        DomainError::invalid("application_id", "is not an application id")
                    })
            })
            .transpose()?;
        usage::report(
            &self.state.usage,
            &self.state.store,
            &reach,
            filter,
            MAX_ROWS,
        )
        .await
    }
}

#[OpenApi(tag = "Tag::Usage")]
impl UsageApi {
    /// Usage by day, application, company and route group. The owner sees everything; a
    /// company admin only their company.
    #[oai(path = "/usage", method = "get", operation_id = "get_usage")]
    async fn usage(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// First day (UTC), inclusive; default 29 days before `to`.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today.
        to: Query<Option<Day>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        application_id: Query<Option<Text<ID_MAX>>>,
    ) -> ApiResult<Json<UsageList>> {
        let who = auth.user(&self.state, &caller).await?;
        let rows = self
            .rows(
                &who,
                days(from.0),
                days(to.0),
                company_id.0.map(Into::into),
                application_id.0.map(Into::into),
            )
            .await?;
        Ok(Json(UsageList::from_rows(rows)))
    }

    /// The same report as CSV.
    #[oai(path = "/usage.csv", method = "get", operation_id = "get_usage_csv")]
    async fn usage_csv(
        &self,
        auth: UserAuth,
        caller: Caller,
        from: Query<Option<Day>>,
        to: Query<Option<Day>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        application_id: Query<Option<Text<ID_MAX>>>,
    ) -> ApiResult<CsvResponse> {
        let who = auth.user(&self.state, &caller).await?;
        let rows = self
            .rows(
                &who,
                days(from.0),
                days(to.0),
                company_id.0.map(Into::into),
                application_id.0.map(Into::into),
            )
            .await?;
        let mut csv = String::from("day,application_id,company_id,route_group,requests\n");
        for r in rows {
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                r.day, r.application_id, r.company_id, r.route_group, r.requests
            ));
        }
        Ok(CsvResponse::Csv(
            PlainText(csv),
            "attachment; filename=\"armario-usage.csv\"".into(),
        ))
    }
}
