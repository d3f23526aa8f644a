//! Per-company configuration: an application declares a schema (itself, or the owner for it),
//! the owner sets defaults, and a company's values are written by its admin, the owner or the
//! application with `config:write`. Every path checks values the same way, writes them with
//! their audit event (`config.changed`, naming keys, never values) in one transaction, and
//! reads them back with defaults filled in and the problems of values that no longer fit.

use serde_json::{json, Map, Value};

use crate::access::{Admin, AppCompanyScope, CompanyScope, ConfigRead, ConfigWrite, Owner};
use crate::db::configs::StoredSchema;
use crate::db::Db;
use crate::db::{self, Store};
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::domain::config_schema;
use crate::domain::config_values::{self, Problem};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ApplicationId, CompanyId};
use crate::service::app_roles::Declarer;
use crate::service::change::{audited, Change};

/// A company's configuration for one application, as every reader sees it.
#[derive(Debug, Clone)]
pub struct CompanyConfig {
    pub application_id: String,
    pub application_name: String,
    pub schema_version: i64,
    pub schema: Value,
    /// Each declared property's value, else the owner's default, else the schema's.
    pub values: Map<String, Value>,
    /// Only what was saved for the company.
    pub saved: Map<String, Value>,
    pub problems: Vec<Problem>,
}

/// How a write treats the keys it does not name.
#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    /// The body is the whole configuration: keys left out are cleared.
    Replace,
    /// Only the named keys change; `null` clears one.
    Merge,
}

fn view(
    stored: StoredSchema,
    name: String,
    saved: Map<String, Value>,
) -> DomainResult<CompanyConfig> {
    let schema = config_schema::parse(&stored.schema).map_err(DomainError::internal)?;
    Ok(CompanyConfig {
        problems: config_values::problems(&schema, &saved, &stored.defaults),
        values: config_values::effective(&schema, &saved, &stored.defaults),
        application_id: stored.application_id,
        application_name: name,
        schema_version: stored.version,
        schema: stored.schema,
        saved,
    })
}

/// The schema of an application linked to the company, or "not found".
fn linked_schema(
    c: &Db,
    company: &CompanyId,
    app: &ApplicationId,
) -> DomainResult<(StoredSchema, String)> {
    if !db::configs::linked(c, company, app)? {
        return Err(DomainError::NotFound("application"));
    }
    let application = db::applications::get(c, app)?.ok_or(DomainError::NotFound("application"))?;
    let schema =
        db::configs::schema(c, app)?.ok_or(DomainError::NotFound("configuration schema"))?;
    Ok((schema, application.name))
}

fn read_one(c: &Db, company: &CompanyId, app: &ApplicationId) -> DomainResult<CompanyConfig> {
    crate::service::companies::load(c, company)?;
    let (stored, name) = linked_schema(c, company, app)?;
    let saved = db::configs::values(c, company, app)?;
    view(stored, name, saved)
}

/// The declared schema, its version and the owner's defaults; "not found" before the first
/// declaration.
pub async fn schema(store: &Store, who: Declarer<'_>) -> DomainResult<StoredSchema> {
    let app = who.application();
    store
        .read(move |c| {
            db::applications::get(c, &app)?.ok_or(DomainError::NotFound("application"))?;
            db::configs::schema(c, &app)?.ok_or(DomainError::NotFound("configuration schema"))
        })
        .await
}

/// Declares the schema (checked first: nothing outside the subset is stored). A schema equal
/// to the current one changes nothing; any other raises the version. Stored values are kept.
#[tracing::instrument(skip_all)]
pub async fn declare(store: &Store, who: Declarer<'_>, raw: Value) -> DomainResult<StoredSchema> {
    let parsed = config_schema::parse(&raw)?;
    let (app, ctx) = (who.application(), who.audit());
    store
        .write(audited(ctx, move |tx, now| {
            db::applications::get(tx, &app)?.ok_or(DomainError::NotFound("application"))?;
            if let Some(current) = db::configs::schema(tx, &app)? {
                if current.schema == raw {
                    return Ok(Change::unchanged(current));
                }
            }
            let version = db::configs::put_schema(tx, &app, &raw, now)?;
            let names: Vec<&str> = parsed.properties.iter().map(|p| p.name.as_str()).collect();
            let event = NewAuditEvent::new("config.schema_changed")
                .target("application", &app)
                .details(json!({ "version": version, "properties": names }));
            let stored = db::configs::schema(tx, &app)?
                .ok_or_else(|| DomainError::internal("the schema just stored is missing"))?;
            Ok(Change::audited(stored, event))
        }))
        .await
}

/// The owner's defaults: the whole set, each key declared and fitting.
#[tracing::instrument(skip_all)]
pub async fn set_defaults(
    store: &Store,
    owner: &Owner,
    app: ApplicationId,
    defaults: Map<String, Value>,
) -> DomainResult<StoredSchema> {
    store
        .write(audited(owner.audit(), move |tx, now| {
            db::applications::get(tx, &app)?.ok_or(DomainError::NotFound("application"))?;
            let current = db::configs::schema(tx, &app)?
                .ok_or(DomainError::NotFound("configuration schema"))?;
            let schema = config_schema::parse(&current.schema).map_err(DomainError::internal)?;
            config_values::check_defaults(&schema, &defaults)?;
            let keys = changed_keys(&current.defaults, &defaults);
            if keys.is_empty() {
                return Ok(Change::unchanged(current));
            }
            db::configs::put_defaults(tx, &app, &defaults, now)?;
            let event = NewAuditEvent::new("config.defaults_changed")
                .target("application", &app)
                .details(json!({ "keys": keys }));
            let stored = StoredSchema {
                defaults: defaults.clone(),
                updated_at: now,
                ..current
            };
            Ok(Change::audited(stored, event))
        }))
        .await
}

/// Keys added, removed or changed between two sets of values, sorted.
fn changed_keys(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Checks and writes a company's values for one application, audited for the company.
fn write(
    ctx: AuditCtx,
    company: CompanyId,
    app: ApplicationId,
    body: Map<String, Value>,
    mode: Mode,
) -> impl FnMut(&Db<'_>) -> DomainResult<CompanyConfig> + Send + 'static {
    audited(ctx, move |tx, now| {
        crate::service::companies::load(tx, &company)?;
        let (stored, name) = linked_schema(tx, &company, &app)?;
        let schema = config_schema::parse(&stored.schema).map_err(DomainError::internal)?;
        let before = db::configs::values(tx, &company, &app)?;
        let mut after = before.clone();
        if mode == Mode::Replace {
            // Declared keys left out are cleared; keys a changed schema no longer declares are
            // kept (and reported) until cleared on purpose with `null`.
            after.retain(|k, _| schema.property(k).is_none());
        }
        let mut changed = body.clone();
        if mode == Mode::Replace {
            // Keys the body leaves out are cleared: check them as `null` would be.
            for key in before.keys().filter(|k| !body.contains_key(*k)) {
                if schema.property(key).is_some() {
                    changed.insert(key.clone(), Value::Null);
                }
            }
        }
        for (k, v) in &body {
            if v.is_null() {
                after.remove(k);
            } else {
                after.insert(k.clone(), v.clone());
            }
        }
        config_values::check_write(&schema, &changed, &after, &stored.defaults)?;
        let keys = changed_keys(&before, &after);
        if keys.is_empty() {
            return Ok(Change::unchanged(view(stored, name, before)?));
        }
        db::configs::put_values(tx, &company, &app, &after, now)?;
        let event = NewAuditEvent::new("config.changed")
            .company(&company)
            .target("application", &app)
            .details(json!({ "application_id": app.to_string(), "keys": keys }));
        Ok(Change::audited(view(stored, name, after)?, event))
    })
}

/// Every linked application's configuration of the company (those that declared a schema).
pub async fn for_company(
    store: &Store,
    scope: &CompanyScope<Admin>,
) -> DomainResult<Vec<CompanyConfig>> {
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| {
            crate::service::companies::load(c, &company)?;
            let mut out = Vec::new();
            for (stored, name) in db::configs::schemas_linked_to(c, &company)? {
                let app = ApplicationId::parse(&stored.application_id)
                    .ok_or_else(|| DomainError::internal("a stored application id is malformed"))?;
                let saved = db::configs::values(c, &company, &app)?;
                out.push(view(stored, name, saved)?);
            }
            Ok(out)
        })
        .await
}

pub async fn company_read(
    store: &Store,
    scope: &CompanyScope<Admin>,
    app: ApplicationId,
) -> DomainResult<CompanyConfig> {
    let company = scope.company().clone();
    store
        .read_in(scope, move |c| read_one(c, &company, &app))
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn company_write(
    store: &Store,
    scope: &CompanyScope<Admin>,
    app: ApplicationId,
    body: Map<String, Value>,
    mode: Mode,
) -> DomainResult<CompanyConfig> {
    let company = scope.company().clone();
    store
        .write_in(scope, write(scope.audit(), company, app, body, mode))
        .await
}

pub async fn app_read(
    store: &Store,
    scope: &AppCompanyScope<ConfigRead>,
) -> DomainResult<CompanyConfig> {
    let (company, app) = (scope.company().clone(), scope.application_id().clone());
    store
        .read_in(scope, move |c| read_one(c, &company, &app))
        .await
}

#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn app_write(
    store: &Store,
    scope: &AppCompanyScope<ConfigWrite>,
    body: Map<String, Value>,
    mode: Mode,
) -> DomainResult<CompanyConfig> {
    let (company, app) = (scope.company().clone(), scope.application_id().clone());
    store
        .write_in(scope, write(scope.audit(), company, app, body, mode))
        .await
}
