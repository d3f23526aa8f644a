//! The SQL functions that seal and open cells under a company's key, registered on every
//! connection of the store.
//!
//! Queries call `armario_open(table, column, company, value)` on a sealed column to read it
//! and `armario_seal(table, column, company, value)` to write it; `armario_email_index(email)`
//! gives the keyed index a user is found by. A connection opened without the master key (unit
//! tests, a restore finished by the console) still has the functions: they pass clear values
//! through and write in clear, and the server seals what is in clear when it next starts
//! ([`super::company_keys::seal_pending`]).

use std::sync::Arc;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::crypto::cell::{aad, open_cell, seal_cell, CELL_MAGIC};
use crate::crypto::company_keys::KeyRing;

/// Registers the sealing functions on `conn`, with the ring when the master key is known.
pub fn register(conn: &Connection, ring: Option<Arc<KeyRing>>) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let r = ring.clone();
    conn.create_scalar_function("armario_open", 4, det, move |ctx| open(ctx, r.as_deref()))?;
    // `armario_open(table, column, company, value, sealed_key, key_id)`: the same with the
    // company's row of `company_keys` joined by the query, for reads that visit many companies
    // in turn (the audit chain's walk), where looking each key up from inside the function
    // prepared a statement per company.
    let r = ring.clone();
    conn.create_scalar_function("armario_open", 6, det, move |ctx| open(ctx, r.as_deref()))?;
    let r = ring.clone();
    conn.create_scalar_function("armario_seal", 4, FunctionFlags::SQLITE_UTF8, move |ctx| {
        seal(ctx, r.as_deref())
    })?;
    let r = ring.clone();
    conn.create_scalar_function("armario_email_index", 1, det, move |ctx| {
        let Some(ring) = r.as_deref() else {
            return Ok(None);
        };
        Ok(ctx
            .get::<Option<String>>(0)?
            .map(|email| ring.email_index(&email)))
    })?;
    let r = ring.clone();
    conn.create_scalar_function(
        "armario_new_company_key",
        1,
        FunctionFlags::SQLITE_UTF8,
        move |ctx| {
            let Some(ring) = r.as_deref() else {
                return Ok(None);
            };
            let company: String = ctx.get(0)?;
            let (key, sealed) = ring.new_company_key(&company);
            ring.remember(&company, &key);
            Ok(Some(sealed.bytes))
        },
    )?;
    let r = ring.clone();
    conn.create_scalar_function("armario_master_key_id", 0, det, move |_| {
        Ok(r.as_deref().map(|ring| ring.current_key_id().to_string()))
    })?;
    conn.create_scalar_function(
        "armario_forget_company_key",
        1,
        FunctionFlags::SQLITE_UTF8,
        move |ctx| {
            if let Some(ring) = ring.as_deref() {
                ring.forget(&ctx.get::<String>(0)?);
            }
            Ok(true)
        },
    )
}

fn failed(message: String) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(message.into())
}

/// The company's key: from the ring's memory, else read from `company_keys` and opened.
/// `None` when the company has none (erased, or not sealed yet).
// rusqlite has no safe call for the connection a function was called on.
#[allow(unsafe_code)]
fn key_of(
    ctx: &Context<'_>,
    ring: &KeyRing,
    company: &str,
) -> rusqlite::Result<Option<Zeroizing<[u8; 32]>>> {
    if let Some(key) = ring.cached(company) {
        return Ok(Some(key));
    }
    if ctx.len() == 6 {
        // The query joined the company's key: no statement to run.
        let sealed = ctx.get::<Option<Vec<u8>>>(4)?;
        let key_id = ctx.get::<Option<String>>(5)?;
        return match (sealed, key_id) {
            (Some(sealed), Some(key_id)) => ring
                .open_company_key(company, &sealed, &key_id)
                .map(Some)
                .map_err(|e| failed(e.to_string())),
            _ => Ok(None),
        };
    }
    // SAFETY: SQLite lets a function run statements on the connection that called it; the
    // reference is dropped before the function returns and never closes the connection.
    let conn = unsafe { ctx.get_connection()? };
    let row: Option<(Vec<u8>, String)> = conn
        .query_row(
            "SELECT sealed, key_id FROM company_keys WHERE company_id = ?1 AND sealed IS NOT NULL",
            [company],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((sealed, key_id)) = row else {
        return Ok(None);
    };
    ring.open_company_key(company, &sealed, &key_id)
        .map(Some)
        .map_err(|e| failed(e.to_string()))
}

/// A value SQLite lends, owned.
pub(crate) fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn names(ctx: &Context<'_>) -> rusqlite::Result<(String, String, Option<String>)> {
    Ok((ctx.get(0)?, ctx.get(1)?, ctx.get(2)?))
}

fn open(ctx: &Context<'_>, ring: Option<&KeyRing>) -> rusqlite::Result<Value> {
    let cell = match ctx.get_raw(3) {
        ValueRef::Blob(b) if b.starts_with(CELL_MAGIC) => b.to_vec(),
        other => return Ok(owned(other)),
    };
    let (table, column, company) = names(ctx)?;
    open_value(
        &table,
        &column,
        company.as_deref(),
        Value::Blob(cell),
        ring,
        |ring, company| key_of(ctx, ring, company),
    )
}

/// A company's key as the store finds it: `None` when the company has none.
pub(crate) type CompanyKey = Option<Zeroizing<[u8; 32]>>;

/// A cell as read: a clear value passes through; a sealed one opens under its company's key
/// (`key` finds it), or the read fails saying what is missing.
pub(crate) fn open_value(
    table: &str,
    column: &str,
    company: Option<&str>,
    value: Value,
    ring: Option<&KeyRing>,
    key: impl FnOnce(&KeyRing, &str) -> rusqlite::Result<CompanyKey>,
) -> rusqlite::Result<Value> {
    let cell = match value {
        Value::Blob(b) if b.starts_with(CELL_MAGIC) => b,
        other => return Ok(other),
    };
    let company =
        company.ok_or_else(|| failed(format!("a sealed {table}.{column} has no company")))?;
    let ring = ring.ok_or_else(|| {
        failed(format!(
            "{table}.{column} is sealed and the master key was not given"
        ))
    })?;
    let key = key(ring, company)?.ok_or_else(|| {
        failed(format!(
            "company {company} has no data key to open {table}.{column}"
        ))
    })?;
    open_cell(&key, &aad(table, column, company), &cell).ok_or_else(|| {
        failed(format!(
            "a sealed {table}.{column} of company {company} does not open"
        ))
    })
}

fn seal(ctx: &Context<'_>, ring: Option<&KeyRing>) -> rusqlite::Result<Value> {
    let value = owned(ctx.get_raw(3));
    let (table, column, company) = names(ctx)?;
    seal_value(
        &table,
        &column,
        company.as_deref(),
        value,
        ring,
        |ring, company| key_of(ctx, ring, company),
    )
}

/// A value as written to a sealed column: sealed under its company's key (`key` finds it);
/// kept in clear without a company, without the master key, or for a company without a key.
pub(crate) fn seal_value(
    table: &str,
    column: &str,
    company: Option<&str>,
    value: Value,
    ring: Option<&KeyRing>,
    key: impl FnOnce(&KeyRing, &str) -> rusqlite::Result<CompanyKey>,
) -> rusqlite::Result<Value> {
    let (Some(company), Some(ring)) = (company, ring) else {
        return Ok(value);
    };
    if matches!(&value, Value::Blob(b) if b.starts_with(CELL_MAGIC)) {
        return Ok(value);
    }
    // A company without a key (erased, or created where the master key was not given) keeps
    // the value in clear: an erased company's rows hold only pseudonyms, and the server seals
    // the others when it starts.
    let Some(key) = key(ring, company)? else {
        return Ok(value);
    };
    Ok(seal_cell(&key, &aad(table, column, company), &value).unwrap_or(value))
}
