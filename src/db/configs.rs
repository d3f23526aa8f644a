//! SQL for applications' configuration schemas, the owner's defaults and companies' values.

use rusqlite::{params, OptionalExtension};
use serde_json::{Map, Value};

use crate::db::sql::{Db, Row};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId};

/// An application's declared schema, as stored.
#[derive(Clone, Debug)]
pub struct StoredSchema {
    pub application_id: String,
    pub schema: Value,
    pub version: i64,
    pub defaults: Map<String, Value>,
    pub updated_at: i64,
}

fn json_object(text: &str) -> DomainResult<Map<String, Value>> {
    match serde_json::from_str(text).map_err(DomainError::internal)? {
        Value::Object(m) => Ok(m),
        _ => Err(DomainError::internal(
            "a stored configuration is not an object",
        )),
    }
}

fn schema_row(r: &Row<'_>) -> rusqlite::Result<(String, String, i64, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_schema(row: (String, String, i64, String, i64)) -> DomainResult<StoredSchema> {
    Ok(StoredSchema {
        application_id: row.0,
        schema: serde_json::from_str(&row.1).map_err(DomainError::internal)?,
        version: row.2,
        defaults: json_object(&row.3)?,
        updated_at: row.4,
    })
}

pub fn schema(conn: &Db, app: &ApplicationId) -> DomainResult<Option<StoredSchema>> {
    conn.query_row(
        "SELECT application_id, schema, version, defaults, updated_at
         FROM app_config_schemas WHERE application_id = ?1",
        [app],
        schema_row,
    )
    .optional()?
    .map(to_schema)
    .transpose()
}

/// Stores a new schema and raises its version (1 for the first).
pub fn put_schema(conn: &Db, app: &ApplicationId, schema: &Value, now: i64) -> DomainResult<i64> {
    Ok(conn.query_row(
        "INSERT INTO app_config_schemas (application_id, schema, version, updated_at)
         VALUES (?1, ?2, 1, ?3)
         ON CONFLICT (application_id) DO UPDATE
            SET schema = excluded.schema, version = app_config_schemas.version + 1, updated_at = excluded.updated_at
         RETURNING version",
        params![app, schema.to_string(), now],
        |r| r.get(0),
    )?)
}

pub fn put_defaults(
    conn: &Db,
    app: &ApplicationId,
    defaults: &Map<String, Value>,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "UPDATE app_config_schemas SET defaults = ?2, updated_at = ?3 WHERE application_id = ?1",
        params![app, Value::Object(defaults.clone()).to_string(), now],
    )?;
    Ok(())
}

/// The schemas of the applications linked to a company, in application id order.
pub fn schemas_linked_to(
    conn: &Db,
    company: &CompanyId,
) -> DomainResult<Vec<(StoredSchema, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.application_id, s.schema, s.version, s.defaults, s.updated_at, a.name
         FROM app_config_schemas s
         JOIN applications a ON a.id = s.application_id
         WHERE s.application_id IN (SELECT application_id FROM links WHERE company_id = ?1)
         ORDER BY s.application_id",
    )?;
    let rows = stmt.query_map([company], |r| Ok((schema_row(r)?, r.get::<_, String>(5)?)))?;
    rows.map(|r| {
        let (row, name) = r?;
        Ok((to_schema(row)?, name))
    })
    .collect()
}

/// Whether the application is linked to the company.
pub fn linked(conn: &Db, company: &CompanyId, app: &ApplicationId) -> DomainResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM links WHERE company_id = ?1 AND application_id = ?2",
            params![company, app],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A company's stored values for one application (empty when never saved).
pub fn values(
    conn: &Db,
    company: &CompanyId,
    app: &ApplicationId,
) -> DomainResult<Map<String, Value>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT config FROM company_configs WHERE company_id = ?1 AND application_id = ?2",
            params![company, app],
            |r| r.get(0),
        )
        .optional()?;
    text.map_or(Ok(Map::new()), |t| json_object(&t))
}

pub fn put_values(
    conn: &Db,
    company: &CompanyId,
    app: &ApplicationId,
    values: &Map<String, Value>,
    now: i64,
) -> DomainResult<()> {
    super::cached_execute(
        conn,
        "INSERT INTO company_configs (company_id, application_id, config, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (company_id, application_id) DO UPDATE
            SET config = excluded.config, updated_at = excluded.updated_at",
        params![company, app, Value::Object(values.clone()).to_string(), now],
    )?;
    Ok(())
}
