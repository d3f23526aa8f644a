//! Usage reports: requests of applications per day, company and route group.

use chrono::{Duration, NaiveDate, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::access::Reach;
use crate::api::auth::{Caller, UserAuth};
use crate::api::day::{days, Day};
use crate::api::enums::RouteGroup;
use crate::api::input::{Text, CURSOR_MAX, ID_MAX};
use crate::api::statuses::ReadOneErrors;
use crate::api::Tag;
use crate::db::usage::UsageFilter;
use crate::domain::page_size;
use crate::domain::UserPrincipal;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId};
use crate::service::usage::UsageReport;
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
    route_group: RouteGroup,
    requests: i64,
    /// The application's name; absent once it is deleted.
    #[oai(skip_serializing_if_is_none)]
    application_name: Option<String>,
    /// The company's shown name; absent without a company, or once it is deleted.
    #[oai(skip_serializing_if_is_none)]
    company_name: Option<String>,
}

/// One company's requests over the period.
#[derive(Object)]
pub struct CompanyUsageOut {
    company_id: String,
    /// The company's shown name; absent once it is deleted.
    #[oai(skip_serializing_if_is_none)]
    company_name: Option<String>,
    requests: i64,
}

/// A page of requests per company, in company id order.
#[derive(Object)]
pub struct CompanyUsageList {
    items: Vec<CompanyUsageOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

/// How the CSV is written: `en` (comma-separated, English headers) or `pt-BR` (semicolon-
/// separated with a UTF-8 byte order mark and Portuguese headers, as spreadsheets set to
/// Brazilian Portuguese open it).
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvLocale {
    #[oai(rename = "en")]
    En,
    #[oai(rename = "pt-BR")]
    PtBr,
}

/// A CSV field: quoted when it holds the separator, a quote or a line break.
pub(crate) fn csv_field(value: &str, sep: char) -> String {
    if value.contains(sep) || value.contains('"') || value.contains('\n') || value.contains('\r') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A page of a usage report, oldest day first.
#[derive(Object)]
pub struct UsageList {
    items: Vec<UsageRowOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
    /// Sum of `requests` over the whole report (every page), not only this page.
    total: i64,
}

impl UsageList {
    pub fn from_report(report: UsageReport) -> Self {
        let items = report
            .page
            .items
            .into_iter()
            .map(|r| UsageRowOut {
                day: r.day,
                application_id: r.application_id,
                company_id: Some(r.company_id).filter(|c| !c.is_empty()),
                route_group: RouteGroup::from_stored(&r.route_group),
                requests: r.requests,
                application_name: r.application_name,
                company_name: r.company_name,
            })
            .collect();
        Self {
            items,
            next_cursor: report.page.next_cursor,
            total: report.total,
        }
    }
}

#[derive(ApiResponse)]
enum CsvResponse {
    /// day, application_id, application_name, company_id, company_name, route_group, requests
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
    /// The report's filter and what the caller may see of it.
    fn scope(
        who: &UserPrincipal,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        company: Option<String>,
        application: Option<String>,
    ) -> DomainResult<(UsageFilter, Reach)> {
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
        Ok((filter, reach))
    }
}

#[OpenApi(tag = "Tag::Usage")]
impl UsageApi {
    /// Report application requests.
    ///
    /// By day, application, company and route group between `from` and `to` (UTC days, inclusive).
    /// The owner sees everything; a company admin only their company.
    #[oai(path = "/usage", method = "get", operation_id = "get_usage")]
    #[allow(clippy::too_many_arguments)]
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
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<UsageList>, ReadOneErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let (from, to) = (days(from.0), days(to.0));
        let (filter, reach) = Self::scope(
            &who,
            from,
            to,
            company_id.0.map(Into::into),
            application_id.0.map(Into::into),
        )?;
        let limit = page_size(limit.0)?;
        let (recorder, store) = (&self.state.usage, &self.state.store);
        let report = usage::report_page(
            recorder,
            store,
            &reach,
            filter,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(UsageList::from_report(report)))
    }

    /// Report requests per company.
    ///
    /// The period's requests summed per company, with the company's name, in company id order;
    /// requests that named no company are left out. The owner sees every company; a company
    /// admin only their own.
    #[oai(
        path = "/usage/companies",
        method = "get",
        operation_id = "get_usage_by_company"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn usage_by_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// First day (UTC), inclusive; default 29 days before `to`.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today.
        to: Query<Option<Day>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        application_id: Query<Option<Text<ID_MAX>>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<CompanyUsageList>, ReadOneErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let (from, to) = (days(from.0), days(to.0));
        let (filter, reach) = Self::scope(
            &who,
            from,
            to,
            company_id.0.map(Into::into),
            application_id.0.map(Into::into),
        )?;
        let limit = page_size(limit.0)?;
        let page = usage::by_company(
            &self.state.usage,
            &self.state.store,
            &reach,
            filter,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(Json(CompanyUsageList {
            items: page
                .items
                .into_iter()
                .map(|t| CompanyUsageOut {
                    company_id: t.company_id,
                    company_name: t.company_name,
                    requests: t.requests,
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Report application requests as CSV.
    ///
    /// The same report as `GET /usage`, as `text/csv` with the names beside the ids, whole
    /// (every row of the period, at most 100000) in one file: an export is meant to be opened
    /// at once, so it takes no cursor.
    #[oai(path = "/usage.csv", method = "get", operation_id = "get_usage_csv")]
    #[allow(clippy::too_many_arguments)]
    async fn usage_csv(
        &self,
        auth: UserAuth,
        caller: Caller,
        from: Query<Option<Day>>,
        to: Query<Option<Day>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        application_id: Query<Option<Text<ID_MAX>>>,
        /// `pt-BR` writes what a spreadsheet set to Brazilian Portuguese opens as columns:
        /// `;`-separated UTF-8 with a byte order mark. Default `en`: `,`-separated.
        locale: Query<Option<CsvLocale>>,
    ) -> Result<CsvResponse, ReadOneErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let (from, to) = (days(from.0), days(to.0));
        let (filter, reach) = Self::scope(
            &who,
            from,
            to,
            company_id.0.map(Into::into),
            application_id.0.map(Into::into),
        )?;
        let (recorder, store) = (&self.state.usage, &self.state.store);
        let rows = usage::report(recorder, store, &reach, filter, MAX_ROWS).await?;
        let locale = locale.0.unwrap_or(CsvLocale::En);
        let (sep, header, mut csv) = match locale {
            CsvLocale::En => (
                ',',
                [
                    "day",
                    "application_id",
                    "application_name",
                    "company_id",
                    "company_name",
                    "route_group",
                    "requests",
                ],
                String::new(),
            ),
            CsvLocale::PtBr => (
                ';',
                [
                    "dia",
                    "id_aplicacao",
                    "aplicacao",
                    "id_empresa",
                    "empresa",
                    "grupo_de_rotas",
                    "requisicoes",
                ],
                String::from('\u{feff}'),
            ),
        };
        csv.push_str(&header.join(&sep.to_string()));
        csv.push_str("\r\n");
        for r in rows {
            let fields = [
                r.day,
                r.application_id,
                r.application_name.unwrap_or_default(),
                r.company_id,
                r.company_name.unwrap_or_default(),
                r.route_group,
                r.requests.to_string(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f, sep)).collect();
            csv.push_str(&line.join(&sep.to_string()));
            csv.push_str("\r\n");
        }
        Ok(CsvResponse::Csv(
            PlainText(csv),
            "attachment; filename=\"armario-usage.csv\"".into(),
        ))
    }
}
