//! Per-company configuration: the schema an application declares (by the owner or by the
//! application itself), the owner's defaults, and each company's values, read and written by
//! the company's admin, the owner and the application with `config:read` / `config:write`.

use std::collections::BTreeMap;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::access::{Admin, AppCompanyScope, ConfigRead, ConfigWrite};
use crate::api::app_auth::AppAuth;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::statuses::{AppChangeErrors, AppLookupErrors, ReadOneErrors, ReplaceErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::db::configs::StoredSchema;
use crate::domain::config_values::Problem;
use crate::ids::{ApplicationId, CompanyId};
use crate::service::app_roles::Declarer;
use crate::service::configs::{self, CompanyConfig, Mode};
use crate::service::AppState;

/// Problems and linked applications answered at most: each is a page's worth.
const MAX_LISTED: usize = 200;

pub struct ConfigsApi {
    state: AppState,
}

impl ConfigsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// A configuration schema to declare: the supported subset of JSON Schema (see the README).
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSchemaIn {
    /// An object schema; a keyword outside the subset is refused naming its JSON pointer.
    schema: BTreeMap<String, Value>,
}

/// Configuration values: property name to value.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigValuesIn {
    /// On PUT, the whole configuration (declared keys left out are cleared); on PATCH, only
    /// the keys to change, `null` clearing one. A bad value is a 400 whose `field` is its
    /// property path.
    values: BTreeMap<String, Value>,
}

/// An application's declared schema and the owner's defaults.
#[derive(Object)]
struct ConfigSchemaOut {
    application_id: String,
    /// Raised by each change of the schema.
    version: i64,
    schema: Value,
    /// The owner's defaults, used where a company has saved no value.
    defaults: BTreeMap<String, Value>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<StoredSchema> for ConfigSchemaOut {
    fn from(s: StoredSchema) -> Self {
        Self {
            application_id: s.application_id,
            version: s.version,
            schema: s.schema,
            defaults: s.defaults.into_iter().collect(),
            updated_at: ts(s.updated_at),
        }
    }
}

/// A stored value that does not fit the current schema: kept, and reported here.
#[derive(Object)]
struct ConfigProblem {
    /// The property path: `greeting`, `phones[2]`, `hours.mon[0]`.
    path: String,
    reason: String,
}

/// A company's configuration for one application.
#[derive(Object)]
struct CompanyConfigOut {
    application_id: String,
    application_name: String,
    /// The version of the schema the values are read against.
    schema_version: i64,
    schema: Value,
    /// Each declared property's saved value, else the owner's default, else the schema's;
    /// keys the schema no longer declares are kept as saved.
    values: BTreeMap<String, Value>,
    /// Only what was saved for the company.
    saved: BTreeMap<String, Value>,
    /// Values that do not fit the current schema (empty when all fit).
    problems: Vec<ConfigProblem>,
}

fn obj(m: Map<String, Value>) -> BTreeMap<String, Value> {
    m.into_iter().collect()
}

impl From<CompanyConfig> for CompanyConfigOut {
    fn from(c: CompanyConfig) -> Self {
        Self {
            application_id: c.application_id,
            application_name: c.application_name,
            schema_version: c.schema_version,
            schema: c.schema,
            values: obj(c.values),
            saved: obj(c.saved),
            problems: c
                .problems
                .into_iter()
                .take(MAX_LISTED)
                .map(|Problem { path, reason }| ConfigProblem { path, reason })
                .collect(),
        }
    }
}

/// The configurations of the applications linked to a company that declared a schema.
#[derive(Object)]
struct CompanyConfigList {
    items: Vec<CompanyConfigOut>,
}

fn schema_of(body: ConfigSchemaIn) -> Value {
    Value::Object(body.schema.into_iter().collect())
}

fn values_of(body: ConfigValuesIn) -> Map<String, Value> {
    body.values.into_iter().collect()
}

#[OpenApi]
impl ConfigsApi {
    /// Read an application's configuration schema.
    ///
    /// Owner only. The declared schema, its version and the owner's defaults; 404 before the
    /// first declaration.
    #[oai(
        path = "/applications/:id/config-schema",
        method = "get",
        operation_id = "get_config_schema",
        tag = "Tag::Applications"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> Result<Json<ConfigSchemaOut>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let s = configs::schema(&self.state.store, Declarer::Owner(&owner, id.0)).await?;
        Ok(Json(s.into()))
    }

    /// Declare an application's configuration schema.
    ///
    /// Owner only. Each change raises the version; companies' values are kept, and those that
    /// no longer fit are reported on read. Audited as `config.schema_changed`.
    #[oai(
        path = "/applications/:id/config-schema",
        method = "put",
        operation_id = "set_config_schema",
        tag = "Tag::Applications"
    )]
    async fn put(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<ConfigSchemaIn>,
    ) -> Result<Json<ConfigSchemaOut>, ReplaceErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let s = configs::declare(&self.state.store, who, schema_of(body.0)).await?;
        Ok(Json(s.into()))
    }

    /// Set an application's configuration defaults.
    ///
    /// Owner only. The whole set of defaults, each checked against the schema; a company's
    /// saved value wins over a default. Audited as `config.defaults_changed`.
    #[oai(
        path = "/applications/:id/config-defaults",
        method = "put",
        operation_id = "set_config_defaults",
        tag = "Tag::Applications"
    )]
    async fn defaults(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<ConfigValuesIn>,
    ) -> Result<Json<ConfigSchemaOut>, ReplaceErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let s = configs::set_defaults(&self.state.store, &owner, id.0, values_of(body.0)).await?;
        Ok(Json(s.into()))
    }

    /// Read the calling application's configuration schema.
    ///
    /// The schema this application declared, its version and the owner's defaults; 404 before
    /// the first declaration.
    #[oai(
        path = "/app/config-schema",
        method = "get",
        operation_id = "get_own_config_schema",
        tag = "Tag::App"
    )]
    async fn own(
        &self,
        auth: AppAuth,
        caller: Caller,
    ) -> Result<Json<ConfigSchemaOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let s = configs::schema(&self.state.store, Declarer::App(&app)).await?;
        Ok(Json(s.into()))
    }

    /// Declare the calling application's configuration schema.
    ///
    /// The same as the owner's `PUT /applications/{id}/config-schema`, for the application
    /// itself, audited with the application as the actor.
    #[oai(
        path = "/app/config-schema",
        method = "put",
        operation_id = "set_own_config_schema",
        tag = "Tag::App"
    )]
    async fn put_own(
        &self,
        auth: AppAuth,
        caller: Caller,
        body: JsonBody<ConfigSchemaIn>,
    ) -> Result<Json<ConfigSchemaOut>, AppChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        let s = configs::declare(&self.state.store, Declarer::App(&app), schema_of(body.0)).await?;
        Ok(Json(s.into()))
    }

    /// Read a linked company's configuration.
    ///
    /// Needs the scope `config:read`. The values with defaults filled in, and the problems of
    /// saved values the current schema no longer accepts. An unlinked company is a 404.
    #[oai(
        path = "/app/companies/:id/config",
        method = "get",
        operation_id = "get_linked_company_config",
        tag = "Tag::App"
    )]
    async fn app_get(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyConfigOut>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let scope = AppCompanyScope::check(&app, id.0, ConfigRead)?;
        Ok(Json(
            configs::app_read(&self.state.store, &scope).await?.into(),
        ))
    }

    /// Replace a linked company's configuration.
    ///
    /// Needs the scope `config:write`. The whole configuration: declared keys left out are
    /// cleared; keys the schema no longer declares stay until cleared with PATCH and `null`.
    /// Audited and sent as `config.changed`, naming the changed keys, never the values.
    #[oai(
        path = "/app/companies/:id/config",
        method = "put",
        operation_id = "put_linked_company_config",
        tag = "Tag::App"
    )]
    async fn app_put(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<ConfigValuesIn>,
    ) -> Result<Json<CompanyConfigOut>, ReplaceErrors> {
        let app = auth.app(&self.state, &caller)?;
        let scope = AppCompanyScope::check(&app, id.0, ConfigWrite)?;
        let c =
            configs::app_write(&self.state.store, &scope, values_of(body.0), Mode::Replace).await?;
        Ok(Json(c.into()))
    }

    /// Change some of a linked company's configuration.
    ///
    /// Needs the scope `config:write`. Only the named keys change; `null` clears one back to
    /// its default. Audited and sent as `config.changed`.
    #[oai(
        path = "/app/companies/:id/config",
        method = "patch",
        operation_id = "patch_linked_company_config",
        tag = "Tag::App"
    )]
    async fn app_patch(
        &self,
        auth: AppAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<ConfigValuesIn>,
    ) -> Result<Json<CompanyConfigOut>, ReplaceErrors> {
        let app = auth.app(&self.state, &caller)?;
        let scope = AppCompanyScope::check(&app, id.0, ConfigWrite)?;
        let c =
            configs::app_write(&self.state.store, &scope, values_of(body.0), Mode::Merge).await?;
        Ok(Json(c.into()))
    }

    /// List a company's configurations.
    ///
    /// A company admin or the owner. One per linked application that declared a schema, with
    /// its values, defaults filled in, and the problems of values that no longer fit.
    #[oai(
        path = "/companies/:id/config",
        method = "get",
        operation_id = "list_company_configs",
        tag = "Tag::Companies"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyConfigList>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let items = configs::for_company(&self.state.store, &scope).await?;
        Ok(Json(CompanyConfigList {
            items: items.into_iter().take(MAX_LISTED).map(Into::into).collect(),
        }))
    }

    /// Read a company's configuration for one application.
    ///
    /// A company admin or the owner. An application not linked to the company is a 404.
    #[oai(
        path = "/companies/:id/config/:application_id",
        method = "get",
        operation_id = "get_company_config",
        tag = "Tag::Companies"
    )]
    async fn one(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        application_id: Path<ApplicationId>,
    ) -> Result<Json<CompanyConfigOut>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        Ok(Json(
            configs::company_read(&self.state.store, &scope, application_id.0)
                .await?
                .into(),
        ))
    }

    /// Save a company's configuration for one application.
    ///
    /// A company admin or the owner. The whole configuration, checked field by field against
    /// the schema: a bad value is a 400 naming its property path, and nothing is saved.
    /// Audited and sent as `config.changed`.
    #[oai(
        path = "/companies/:id/config/:application_id",
        method = "put",
        operation_id = "put_company_config",
        tag = "Tag::Companies"
    )]
    async fn save(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        application_id: Path<ApplicationId>,
        body: JsonBody<ConfigValuesIn>,
    ) -> Result<Json<CompanyConfigOut>, ReplaceErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let c = configs::company_write(
            &self.state.store,
            &scope,
            application_id.0,
            values_of(body.0),
            Mode::Replace,
        )
        .await?;
        Ok(Json(c.into()))
    }
}
