//! The one shape of an audited change: in one transaction, the change runs and, when it changed
//! something, its audit event is recorded with the capability's actor. Company-scoped changes
//! first load the company, so a company deleted meanwhile is "not found".

use crate::access::{CompanyScope, Level};
use crate::clock::now_ms;
use crate::db;
use crate::db::Db;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::Company;
use crate::error::DomainResult;

/// What a change returns: its value, and the audit event when something changed.
pub(crate) struct Change<T> {
    value: T,
    event: Option<NewAuditEvent>,
}

impl<T> Change<T> {
    pub(crate) fn audited(value: T, event: NewAuditEvent) -> Self {
        Self {
            value,
            event: Some(event),
        }
    }

    /// Nothing changed, so there is nothing to audit.
    pub(crate) fn unchanged(value: T) -> Self {
        Self { value, event: None }
    }
}

/// A change by `ctx`: `f` gets the transaction and the time of the change.
pub(crate) fn audited<T, F>(
    ctx: AuditCtx,
    mut f: F,
) -> impl FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static
where
    F: FnMut(&Db<'_>, i64) -> DomainResult<Change<T>> + Send + 'static,
{
    move |tx| {
        let now = now_ms();
        let Change { value, event } = f(tx, now)?;
        if let Some(event) = event {
            db::audit::insert(tx, &ctx, &event, now)?;
        }
        Ok(value)
    }
}

/// A change to the scope's company: `f` gets the transaction, the company as it is, and the
/// time; the event is recorded for that company.
pub(crate) fn in_company<L: Level, T, F>(
    scope: &CompanyScope<L>,
    mut f: F,
) -> impl FnMut(&Db<'_>) -> DomainResult<T> + Send + 'static
where
    F: FnMut(&Db<'_>, Company, i64) -> DomainResult<Change<T>> + Send + 'static,
{
    let id = scope.company().clone();
    audited(scope.audit(), move |tx, now| {
        let company = crate::service::companies::load(tx, &id)?;
        let Change { value, event } = f(tx, company, now)?;
        Ok(Change {
            value,
            event: event.map(|e| e.company(&id)),
        })
    })
}
