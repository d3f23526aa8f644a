//! Anonymised reports for third parties (see `domain::anonymise` for what is kept): usage and
//! audit over a period, pseudonymised for one recipient. Each one is audited as
//! `report.exported` with its kind, period and recipient label.

use chrono::NaiveDate;
use serde_json::json;

use crate::access::{Owner, Reach};
use crate::crypto::pseudonym::ReportKey;
use crate::db::usage::{UsageFilter, UsageRow};
use crate::db::{self, Store};
use crate::domain::anonymise::{self, AnonEvent};
use crate::domain::NewAuditEvent;
use crate::error::{DomainError, DomainResult};
use crate::service::change::{audited, Change};
use crate::service::usage::UsageRecorder;

/// Rows in one report at most, as for the usage CSV.
pub const MAX_ROWS: u32 = 100_000;
/// The longest period, as for the audit log and usage reports.
pub const MAX_DAYS: i64 = 366;
pub const RECIPIENT_MAX: usize = 64;

/// What a report covers and for whom.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Who the report is for; each label gets pseudonyms of its own. Empty: the default.
    pub recipient: String,
    /// Times cut to the day (midnight UTC).
    pub day_precision: bool,
}

impl ReportRequest {
    /// `from` and `to` are UTC days, inclusive; by default the last 30 days.
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        recipient: Option<&str>,
        day_precision: bool,
        today: NaiveDate,
    ) -> DomainResult<Self> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - chrono::Duration::days(29));
        if from > to {
            return Err(DomainError::invalid("from", "must not be after to"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(DomainError::invalid(
                "from",
                format!("the period is at most {MAX_DAYS} days"),
            ));
        }
        let recipient = recipient.unwrap_or_default().trim().to_string();
        if recipient.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "recipient",
                "must not contain control characters",
            ));
        }
        Ok(Self {
            from,
            to,
            recipient,
            day_precision,
        })
    }

    fn bounds_ms(&self) -> (i64, i64) {
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp_millis()
        };
        (start(self.from), start(self.to + chrono::Duration::days(1)))
    }

    fn exported(&self, kind: &'static str, format: &'static str, rows: usize) -> NewAuditEvent {
        NewAuditEvent::new("report.exported").details(json!({
            "kind": kind,
            "format": format,
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "recipient": self.recipient,
            "day_precision": self.day_precision,
            "count": rows,
        }))
    }
}

async fn record(store: &Store, owner: &Owner, event: NewAuditEvent) -> DomainResult<()> {
    store
        .write(audited(owner.audit(), move |_, _| {
            Ok(Change::audited((), event.clone()))
        }))
        .await
}

/// The audit events of the period, pseudonymised for the request's recipient.
pub async fn audit(
    store: &Store,
    key: &ReportKey,
    owner: &Owner,
    req: &ReportRequest,
    format: &'static str,
) -> DomainResult<Vec<AnonEvent>> {
    let (from, to) = req.bounds_ms();
    let raw = store
        .read(move |c| db::reports::audit_between(c, from, to, MAX_ROWS))
        .await?;
    let p = key.for_recipient(&req.recipient);
    let events: Vec<AnonEvent> = raw
        .into_iter()
        .map(|e| anonymise::event(e, &p, req.day_precision))
        .collect();
    record(store, owner, req.exported("audit", format, events.len())).await?;
    Ok(events)
}

/// Requests per day, application, company and route group. Usage holds no person's data but
/// names, which a report leaves out: ids only.
pub async fn usage(
    recorder: &UsageRecorder,
    store: &Store,
    owner: &Owner,
    req: &ReportRequest,
    format: &'static str,
) -> DomainResult<Vec<UsageRow>> {
    let filter = UsageFilter {
        from_day: Some(req.from.to_string()),
        to_day: Some(req.to.to_string()),
        ..Default::default()
    };
    let reach = Reach::Platform {
        owner: owner.clone(),
        company: None,
    };
    let mut rows = crate::service::usage::report(recorder, store, &reach, filter, MAX_ROWS).await?;
    for r in &mut rows {
        r.application_name = None;
        r.company_name = None;
    }
    record(store, owner, req.exported("usage", format, rows.len())).await?;
    Ok(rows)
}
