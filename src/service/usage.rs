//! Usage of the API by applications: counted in memory per application, company, route group
//! and day, and added to the store in one transaction every few seconds (and at shutdown), so
//! counting costs no database write per request. A crash loses at most the last interval.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;

use crate::access::{AppCompanyScope, Reach, UsageRead};
use crate::clock::now_ms;
use crate::db;
use crate::db::usage::{UsageAfter, UsageFilter, UsageKey, UsageRow};
use crate::db::Store;
use crate::domain::{AppPrincipal, Page};
use crate::error::DomainResult;
use crate::ids::{ApplicationId, CompanyId, CredentialId};

pub const DEFAULT_FLUSH_SECS: u64 = 5;

/// What a request is counted under, cheap to build on the request path (the day as a number).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Pending {
    day: i64,
    application_id: ApplicationId,
    company_id: Option<CompanyId>,
    route_group: &'static str,
}

impl Pending {
    fn key(&self) -> UsageKey {
        let day = chrono::DateTime::from_timestamp(self.day * 86_400, 0).unwrap_or_default();
        UsageKey {
            day: day.format("%Y-%m-%d").to_string(),
            application_id: self.application_id.to_string(),
            company_id: self
                .company_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            route_group: self.route_group,
        }
    }
}

#[derive(Default)]
pub struct UsageRecorder {
    counts: Mutex<HashMap<Pending, u64>>,
    last_used: Mutex<HashMap<CredentialId, (i64, Option<String>)>>,
}

impl UsageRecorder {
    /// Counts one request of `app` (about `company`, if any) in `route_group`.
    pub fn record(
        &self,
        app: &AppPrincipal,
        company: Option<&CompanyId>,
        route_group: &'static str,
    ) {
        let key = Pending {
            day: Utc::now().timestamp().div_euclid(86_400),
            application_id: app.application_id.clone(),
            company_id: company.cloned(),
            route_group,
        };
        *self
            .counts
            .lock()
            .expect("usage lock")
            .entry(key)
            .or_insert(0) += 1;
        self.last_used
            .lock()
            .expect("usage lock")
            .insert(app.credential_id.clone(), (now_ms(), app.ip.clone()));
    }

    /// Writes what was counted since the last flush; on failure the counts are kept.
    pub async fn flush(&self, store: &Store) -> DomainResult<()> {
        let counts = std::mem::take(&mut *self.counts.lock().expect("usage lock"));
        let used = std::mem::take(&mut *self.last_used.lock().expect("usage lock"));
        if counts.is_empty() && used.is_empty() {
            return Ok(());
        }
        let (c2, u2) = (counts.clone(), used.clone());
        let result = store
            .write(move |tx| {
                for (k, n) in &c2 {
                    db::usage::add(tx, &k.key(), *n)?;
                }
                for (id, (at, ip)) in &u2 {
                    db::applications::touch_credential(tx, id, *at, ip.as_deref())?;
                }
                Ok(())
            })
            .await;
        if result.is_err() {
            let mut current = self.counts.lock().expect("usage lock");
            for (k, n) in counts {
                *current.entry(k).or_insert(0) += n;
            }
            let mut last = self.last_used.lock().expect("usage lock");
            for (id, v) in used {
                last.entry(id).or_insert(v);
            }
        }
        result
    }

    /// Flushes every `every` until `stop` resolves, then once more.
    pub async fn run(
        &self,
        store: Store,
        every: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.flush(&store).await {
                        tracing::error!(error = %e, "usage flush failed; counts kept for the next try");
                    }
                }
                _ = &mut stop => break,
            }
        }
        if let Err(e) = self.flush(&store).await {
            tracing::error!(error = %e, "final usage flush failed");
        }
    }
}

/// A page of a usage report and the sum of requests over the whole report.
pub struct UsageReport {
    pub page: Page<UsageRow>,
    pub total: i64,
}

/// Every row of a usage report over what `reach` covers, at most `limit` (the CSV export),
/// after flushing what is pending, so it includes the latest requests.
pub async fn report(
    recorder: &UsageRecorder,
    store: &Store,
    reach: &Reach,
    mut filter: UsageFilter,
    limit: u32,
) -> DomainResult<Vec<UsageRow>> {
    filter.company_id = reach.company().map(ToString::to_string);
    recorder.flush(store).await?;
    store
        .read_within(reach.confined(), move |c| {
            db::usage::query(c, &filter, limit)
        })
        .await
}

/// A page of a usage report over what `reach` covers.
pub async fn report_page(
    recorder: &UsageRecorder,
    store: &Store,
    reach: &Reach,
    mut filter: UsageFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<UsageReport> {
    filter.company_id = reach.company().map(ToString::to_string);
    page(recorder, store, reach.confined(), filter, cursor, limit).await
}

/// Requests per company over the period, for what `reach` covers, a page in company id order.
pub async fn by_company(
    recorder: &UsageRecorder,
    store: &Store,
    reach: &Reach,
    mut filter: UsageFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<db::usage::CompanyTotal>> {
    filter.company_id = reach.company().map(ToString::to_string);
    let after = crate::domain::cursor::open(cursor)?;
    recorder.flush(store).await?;
    store
        .read_within(reach.confined(), move |c| {
            db::usage::by_company(c, &filter, after.as_deref(), limit)
        })
        .await
}

/// A page of a linked company's usage by the application itself.
pub async fn for_application(
    recorder: &UsageRecorder,
    store: &Store,
    scope: &AppCompanyScope<UsageRead>,
    mut filter: UsageFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<UsageReport> {
    filter.application_id = Some(scope.application_id().to_string());
    filter.company_id = Some(scope.company().to_string());
    page(recorder, store, Some(scope), filter, cursor, limit).await
}

/// A page of usage, read for the company when the caller is confined to one (`scope`).
async fn page(
    recorder: &UsageRecorder,
    store: &Store,
    scope: Option<&impl crate::db::InCompany>,
    filter: UsageFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<UsageReport> {
    let after = crate::domain::cursor::open_as(cursor, UsageAfter::parse)?;
    recorder.flush(store).await?;
    store
        .read_within(scope, move |c| {
            Ok(UsageReport {
                page: db::usage::page(c, &filter, after.as_ref(), limit)?,
                total: db::usage::total(c, &filter)?,
            })
        })
        .await
}
