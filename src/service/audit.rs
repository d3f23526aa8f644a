//! Reading the audit log. Writing happens inside each change's own transaction.

use crate::access::Reach;
use crate::db;
use crate::db::Store;
use crate::domain::audit::{AuditEvent, AuditFilter};
use crate::domain::Page;
use crate::error::DomainResult;

/// The events `reach` covers: the owner's, everything (or one asked company); a company
/// admin's, their company's, naming only their company's users and linked applications.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    reach: &Reach,
    mut filter: AuditFilter,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<AuditEvent>> {
    filter.company_id = reach.company().cloned();
    // A company admin sees names only of what belongs to their company.
    if let Reach::Company(_) = reach {
        filter.names_within = filter.company_id.clone();
    }
    let before = crate::domain::cursor::open_as(cursor, |k| k.parse::<i64>().ok())?;
    store
        .read_within(reach.confined(), move |c| {
            db::audit::list(c, &filter, before, limit)
        })
        .await
}
