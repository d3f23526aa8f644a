//! The owner's overview: counts that the dashboard shows at a glance.

use chrono::{Duration, Utc};

use crate::access::Owner;
use crate::db;
use crate::db::usage::UsageFilter;
use crate::db::Store;
use crate::error::DomainResult;
use crate::service::usage::UsageRecorder;

pub struct Overview {
    pub companies_by_status: Vec<(String, i64)>,
    pub users: i64,
    pub pending_users: i64,
    pub applications: i64,
    pub requests_7d: i64,
    pub requests_30d: i64,
    pub mail: db::outbox::Counts,
    pub provisioning: db::provisioning::Counts,
    /// The latest provisioning failures, newest first.
    pub provisioning_failures: Vec<db::provisioning::Failure>,
}

pub async fn overview(
    store: &Store,
    usage: &UsageRecorder,
    _owner: &Owner,
) -> DomainResult<Overview> {
    usage.flush(store).await?;
    let today = Utc::now().date_naive();
    let since = |days: i64| (today - Duration::days(days - 1)).to_string();
    let (d7, d30) = (since(7), since(30));
    store
        .read(move |c| {
            let requests = |from: &str| -> DomainResult<i64> {
                let f = UsageFilter {
                    from_day: Some(from.to_string()),
                    ..Default::default()
                };
                Ok(db::usage::query(c, &f, u32::MAX)?
                    .iter()
                    .map(|r| r.requests)
                    .sum())
            };
            Ok(Overview {
                companies_by_status: db::companies::count_by_status(c)?,
                users: db::users::count_all(c)?,
                pending_users: db::users::count_pending(c)?,
                applications: db::applications::count(c)?,
                requests_7d: requests(&d7)?,
                requests_30d: requests(&d30)?,
                mail: db::outbox::counts(c)?,
                provisioning: db::provisioning::counts(c)?,
                provisioning_failures: db::provisioning::failures(c, 10)?,
            })
        })
        .await
}
