//! The company wall's two sides. Every company-owned table has a row-level security policy
//! that shows a transaction only the rows of the company it was opened for (the setting
//! `armario.company_id`), or every row when it was opened for the platform (`armario.scope`).
//! Both settings are local to the transaction, so a pooled connection carries nothing over,
//! and a transaction opened with neither sees no company's rows at all.

use postgres::{Client, Transaction};

use crate::ids::CompanyId;

/// A transaction that sees one company's rows, whatever its queries forget to filter.
pub fn company_transaction<'a>(
    client: &'a mut Client,
    company: &CompanyId,
) -> Result<Transaction<'a>, postgres::Error> {
    let mut tx = client.transaction()?;
    // The platform scope is cleared too, whatever the connection did before.
    tx.execute(
        "SELECT set_config('armario.company_id', $1, true), set_config('armario.scope', '', true)",
        &[&company.as_str()],
    )?;
    Ok(tx)
}

/// A transaction for the owner and the operator: every company's rows.
pub fn platform_transaction(client: &mut Client) -> Result<Transaction<'_>, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.batch_execute("SELECT set_config('armario.scope', 'platform', true)")?;
    Ok(tx)
}
