//! Anonymised reports for third parties: usage and audit over a period, personal data turned
//! into pseudonyms per recipient (`domain::anonymise`, `crypto::pseudonym`). Owner only.

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, ResponseContent};

use crate::access::Owner;
use crate::api::auth::{Caller, UserAuth};
use crate::api::day::{days, Day};
use crate::api::enums::{ActorKind, RouteGroup};
use crate::api::error::ApiError;
use crate::api::input::Text;
use crate::api::statuses::OwnerActionErrors;
use crate::api::time::ts;
use crate::api::usage::csv_field;
use crate::api::Tag;
use crate::domain::anonymise::AnonEvent;
use crate::service::reports::{self, ReportRequest, RECIPIENT_MAX};
use crate::service::AppState;

pub struct ReportsApi {
    state: AppState,
}

impl ReportsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// `json` (default) or `csv`: `;`-separated UTF-8 with a byte order mark, as spreadsheets set
/// to Brazilian Portuguese open it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename = "ReportFormat", rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

/// An audit event with every person in it replaced by a pseudonym.
#[derive(Object)]
struct AnonAuditEvent {
    id: i64,
    /// When; midnight UTC of its day with `day_precision`.
    at: DateTime<Utc>,
    actor_kind: ActorKind,
    /// An application's id, or a pseudonym (`user-…`) for a user.
    #[oai(skip_serializing_if_is_none)]
    actor: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    action: String,
    #[oai(skip_serializing_if_is_none)]
    target_kind: Option<String>,
    /// A company's, application's or other business object's id, or a pseudonym.
    #[oai(skip_serializing_if_is_none)]
    target: Option<String>,
    /// The IP's pseudonym (`ip-…`).
    #[oai(skip_serializing_if_is_none)]
    ip: Option<String>,
    /// Only the details that name no one, and pseudonyms for those that do.
    details: serde_json::Value,
}

impl From<AnonEvent> for AnonAuditEvent {
    fn from(e: AnonEvent) -> Self {
        Self {
            id: e.id,
            at: ts(e.at),
            actor_kind: ActorKind::from_stored(&e.actor_kind),
            actor: e.actor,
            company_id: e.company_id,
            action: e.action,
            target_kind: e.target_kind,
            target: e.target,
            ip: e.ip,
            details: e.details,
        }
    }
}

/// An anonymised audit report: the period, the recipient label and the events, oldest first.
#[derive(Object)]
struct AnonAuditReport {
    from: String,
    to: String,
    recipient: String,
    items: Vec<AnonAuditEvent>,
}

/// Requests of one application, on one day, for one company, in one route group; no names.
#[derive(Object)]
struct AnonUsageRow {
    day: String,
    application_id: String,
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    route_group: RouteGroup,
    requests: i64,
}

/// An anonymised usage report: the period, the recipient label and the rows.
#[derive(Object)]
struct AnonUsageReport {
    from: String,
    to: String,
    recipient: String,
    items: Vec<AnonUsageRow>,
}

#[derive(ResponseContent)]
enum AuditBody {
    Json(Json<AnonAuditReport>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ResponseContent)]
enum UsageBody {
    Json(Json<AnonUsageReport>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
enum AuditReportResponse {
    /// The report, as JSON or CSV (`format`), as an attachment.
    #[oai(status = 200)]
    Ok(AuditBody, #[oai(header = "Content-Disposition")] String),
}

#[derive(ApiResponse)]
enum UsageReportResponse {
    /// The report, as JSON or CSV (`format`), as an attachment.
    #[oai(status = 200)]
    Ok(UsageBody, #[oai(header = "Content-Disposition")] String),
}

/// A BOM, `;`-separated lines ending in CRLF.
fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::from('\u{feff}');
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = r.iter().map(|f| csv_field(f, ';')).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    out
}

fn attachment(kind: &str, format: ReportFormat) -> String {
    let ext = if format == ReportFormat::Csv {
        "csv"
    } else {
        "json"
    };
    format!("attachment; filename=\"armario-{kind}-anonimizado.{ext}\"")
}

fn fmt_name(f: ReportFormat) -> &'static str {
    match f {
        ReportFormat::Json => "json",
        ReportFormat::Csv => "csv",
    }
}

impl ReportsApi {
    async fn request(
        &self,
        auth: UserAuth,
        caller: Caller,
        from: Option<Day>,
        to: Option<Day>,
        recipient: Option<Text<RECIPIENT_MAX>>,
        day_precision: Option<bool>,
    ) -> Result<(Owner, ReportRequest), ApiError> {
        let owner = auth.owner(&self.state, &caller).await?;
        let req = ReportRequest::new(
            days(from),
            days(to),
            recipient.as_deref(),
            day_precision.unwrap_or(false),
            Utc::now().date_naive(),
        )?;
        Ok((owner, req))
    }
}

#[OpenApi(tag = "Tag::Audit")]
impl ReportsApi {
    /// Export an anonymised audit report.
    ///
    /// Owner only. The audit events of the period (at most 100000), for sharing with a third
    /// party: user ids, e-mails, names, IPs, user agents and phones become keyed-hash
    /// pseudonyms, stable across reports for one `recipient` and unrelated between two; free
    /// text in details is dropped; actions, times, company and application ids are kept.
    /// Audited as `report.exported`.
    #[oai(
        path = "/reports/audit",
        method = "get",
        operation_id = "export_audit_report"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// First day (UTC), inclusive; default 29 days before `to`.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today. The period is at most 366 days.
        to: Query<Option<Day>>,
        /// Who the report is for (`auditoria-2026`): each label gets pseudonyms of its own.
        recipient: Query<Option<Text<RECIPIENT_MAX>>>,
        /// Cut every time to its day (midnight UTC).
        day_precision: Query<Option<bool>>,
        /// `json` (default) or `csv`.
        format: Query<Option<ReportFormat>>,
    ) -> Result<AuditReportResponse, OwnerActionErrors> {
        let (owner, req) = self
            .request(auth, caller, from.0, to.0, recipient.0, day_precision.0)
            .await?;
        let format = format.0.unwrap_or(ReportFormat::Json);
        let s = &self.state;
        let events =
            reports::audit(&s.store, &s.report_key, &owner, &req, fmt_name(format)).await?;
        let body = match format {
            ReportFormat::Json => AuditBody::Json(Json(AnonAuditReport {
                from: req.from.to_string(),
                to: req.to.to_string(),
                recipient: req.recipient.clone(),
                items: events.into_iter().map(Into::into).collect(),
            })),
            ReportFormat::Csv => AuditBody::Csv(PlainText(csv(
                &[
                    "id",
                    "at",
                    "actor_kind",
                    "actor",
                    "company_id",
                    "action",
                    "target_kind",
                    "target",
                    "ip",
                    "details",
                ],
                events.into_iter().map(|e| {
                    vec![
                        e.id.to_string(),
                        ts(e.at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        e.actor_kind,
                        e.actor.unwrap_or_default(),
                        e.company_id.unwrap_or_default(),
                        e.action,
                        e.target_kind.unwrap_or_default(),
                        e.target.unwrap_or_default(),
                        e.ip.unwrap_or_default(),
                        e.details.to_string(),
                    ]
                }),
            ))),
        };
        Ok(AuditReportResponse::Ok(
            body,
            attachment("auditoria", format),
        ))
    }

    /// Export an anonymised usage report.
    ///
    /// Owner only. Requests per day, application, company and route group over the period
    /// (at most 100000 rows), with ids only: a company's name may be a person's (a sole
    /// trader's), so names are left out. Audited as `report.exported`.
    #[oai(
        path = "/reports/usage",
        method = "get",
        operation_id = "export_usage_report"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn usage(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// First day (UTC), inclusive; default 29 days before `to`.
        from: Query<Option<Day>>,
        /// Last day (UTC), inclusive; default today. The period is at most 366 days.
        to: Query<Option<Day>>,
        /// Who the report is for; recorded in the audit.
        recipient: Query<Option<Text<RECIPIENT_MAX>>>,
        /// `json` (default) or `csv`.
        format: Query<Option<ReportFormat>>,
    ) -> Result<UsageReportResponse, OwnerActionErrors> {
        let (owner, req) = self
            .request(auth, caller, from.0, to.0, recipient.0, None)
            .await?;
        let format = format.0.unwrap_or(ReportFormat::Json);
        let s = &self.state;
        let rows = reports::usage(&s.usage, &s.store, &owner, &req, fmt_name(format)).await?;
        let body = match format {
            ReportFormat::Json => UsageBody::Json(Json(AnonUsageReport {
                from: req.from.to_string(),
                to: req.to.to_string(),
                recipient: req.recipient.clone(),
                items: rows
                    .into_iter()
                    .map(|r| AnonUsageRow {
                        day: r.day,
                        application_id: r.application_id,
                        company_id: Some(r.company_id).filter(|c| !c.is_empty()),
                        route_group: RouteGroup::from_stored(&r.route_group),
                        requests: r.requests,
                    })
                    .collect(),
            })),
            ReportFormat::Csv => UsageBody::Csv(PlainText(csv(
                &[
                    "dia",
                    "id_aplicacao",
                    "id_empresa",
                    "grupo_de_rotas",
                    "requisicoes",
                ],
                rows.into_iter().map(|r| {
                    vec![
                        r.day,
                        r.application_id,
                        r.company_id,
                        r.route_group,
                        r.requests.to_string(),
                    ]
                }),
            ))),
        };
        Ok(UsageReportResponse::Ok(body, attachment("uso", format)))
    }
}
