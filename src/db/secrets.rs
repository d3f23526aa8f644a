//! SQL for sealed company secrets. Values arrive here sealed under the master key; the store
//! seals them again under the company's own key (`db::company_keys`), so erasing the company
//! makes them unreadable even to the master key.

use rusqlite::{params, OptionalExtension};

use crate::db::sql::Db;
use crate::domain::Page;
use crate::error::DomainResult;
use crate::ids::CompanyId;

pub struct SecretMeta {
    pub kind: String,
    pub hint: String,
    pub key_id: String,
    pub updated_at: i64,
}

pub struct SealedRow {
    pub sealed: Vec<u8>,
    pub key_id: String,
}

pub fn upsert(
    conn: &Db,
    company: &CompanyId,
    kind: &str,
    sealed: &[u8],
    key_id: &str,
    hint: &str,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO company_secrets (company_id, kind, sealed, key_id, hint, updated_at) VALUES (?1, ?2, armario_seal('company_secrets', 'sealed', ?1, ?3), ?4, ?5, ?6)
         ON CONFLICT (company_id, kind) DO UPDATE SET sealed = excluded.sealed, key_id = excluded.key_id,
           hint = excluded.hint, updated_at = excluded.updated_at",
        params![company, kind, sealed, key_id, hint, now],
    )?;
    Ok(())
}

/// A page of one company's secrets (never their values), in kind order.
pub fn list(
    conn: &Db,
    company: &CompanyId,
    after: Option<&str>,
    limit: u32,
) -> DomainResult<Page<SecretMeta>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, hint, key_id, updated_at FROM company_secrets WHERE company_id = ?1 \
         AND (?2 IS NULL OR kind > ?2) ORDER BY kind LIMIT ?3",
    )?;
    super::keyset(
        &mut stmt,
        params![company, after, limit + 1],
        limit,
        |r| {
            Ok(SecretMeta {
                kind: r.get(0)?,
                hint: r.get(1)?,
                key_id: r.get(2)?,
                updated_at: r.get(3)?,
            })
        },
        |m| m.kind.clone(),
    )
}

pub fn get_sealed(conn: &Db, company: &CompanyId, kind: &str) -> DomainResult<Option<SealedRow>> {
    Ok(super::cached_row(
        conn,
        "SELECT armario_open('company_secrets', 'sealed', company_id, sealed), key_id \
         FROM company_secrets WHERE company_id = ?1 AND kind = ?2",
        params![company, kind],
        |r| {
            Ok(SealedRow {
                sealed: r.get(0)?,
                key_id: r.get(1)?,
            })
        },
    )
    .optional()?)
}

pub fn delete(conn: &Db, company: &CompanyId, kind: &str) -> DomainResult<bool> {
    Ok(super::cached_execute(
        conn,
        "DELETE FROM company_secrets WHERE company_id = ?1 AND kind = ?2",
        params![company, kind],
    )? > 0)
}

/// Every sealed value, for re-encryption under a new key.
pub fn all_sealed(conn: &Db) -> DomainResult<Vec<(CompanyId, String, SealedRow)>> {
    let mut stmt =
         conn.prepare_cached(
        "SELECT company_id, kind, armario_open('company_secrets', 'sealed', company_id, sealed), key_id \
         FROM company_secrets",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                SealedRow {
                    sealed: r.get(2)?,
                    key_id: r.get(3)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn replace_sealed(
    conn: &Db,
    company: &CompanyId,
    kind: &str,
    sealed: &[u8],
    key_id: &str,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE company_secrets SET sealed = armario_seal('company_secrets', 'sealed', ?1, ?3), \
         key_id = ?4 WHERE company_id = ?1 AND kind = ?2",
        params![company, kind, sealed, key_id],
    )?;
    Ok(())
}
