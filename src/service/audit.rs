//! Reading the audit log. Writing happens inside each change's own transaction.

use crate::db;
use crate::domain::audit::{AuditEvent, AuditFilter};
use crate::domain::{Page, UserPrincipal};
use crate::error::{DomainError, DomainResult};
use crate::service::AppState;

#[tracing::instrument(skip_all)]
pub async fn list(
    state: &AppState,
    who: &UserPrincipal,
    mut filter: AuditFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<AuditEvent>> {
    if !who.is_owner() {
        let own = who
            .company_id
            .clone()
            .ok_or_else(|| DomainError::Forbidden("no company".into()))?;
        if let Some(asked) = &filter.company_id {
            who.require_company_read(asked, "company")?;
        }
        who.require_company_admin(&own, "company")?;
        filter.names_within = Some(own.clone());
        filter.company_id = Some(own);
    }
    let before = crate::domain::cursor::open_as(cursor, |k| k.parse::<i64>().ok())?;
    state
        .store
        .read(move |c| db::audit::list(c, &filter, before, limit))
        .await
}
