//! The encarregado's (DPO's) contacts and exports (LGPD arts. 18 and 41). Thin handlers over
//! `service::dpo` and `service::export`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use serde_json::Value;

use crate::access::{Admin, Member};
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{Text, PHONE_MAX};
use crate::api::statuses::{ChangeErrors, ReadErrors, ReadOneErrors, SettingsErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::privacy::{Dpo, DPO_NAME_MAX};
use crate::error::DomainError;
use crate::ids::{CompanyId, UserId};
use crate::service::{dpo, export, AppState};

pub struct DpoExportApi {
    state: AppState,
}

impl DpoExportApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// The encarregado's (DPO's) contacts.
#[derive(Object, Deserialize)]
#[oai(rename = "Dpo")]
#[serde(deny_unknown_fields)]
struct DpoIn {
    name: Text<DPO_NAME_MAX>,
    email: Text<254>,
    #[oai(nullable)]
    #[serde(default)]
    phone: Option<Text<PHONE_MAX>>,
}

/// The encarregado's (DPO's) contacts; absent when none is set.
#[derive(Object)]
struct DpoOut {
    #[oai(skip_serializing_if_is_none)]
    name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    email: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    phone: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Option<Dpo>> for DpoOut {
    fn from(d: Option<Dpo>) -> Self {
        match d {
            None => Self {
                name: None,
                email: None,
                phone: None,
                updated_at: None,
            },
            Some(d) => Self {
                name: Some(d.name),
                email: Some(d.email),
                phone: (!d.phone.is_empty()).then_some(d.phone),
                updated_at: Some(ts(d.updated_at)),
            },
        }
    }
}

/// An export: `manifest` says what is in it (format, version, when, about whom, each section
/// with its count); `data` holds one list of records per section.
#[derive(Object)]
struct ExportArchive {
    manifest: Value,
    data: Value,
}

impl From<export::Archive> for ExportArchive {
    fn from(a: export::Archive) -> Self {
        let mut v = a.0;
        Self {
            manifest: v["manifest"].take(),
            data: v["data"].take(),
        }
    }
}

fn dpo_of(b: DpoIn) -> Result<Dpo, DomainError> {
    Dpo::validate(&b.name, &b.email, b.phone.as_deref())
}

#[OpenApi(tag = "Tag::Companies")]
impl DpoExportApi {
    /// Read the platform's encarregado (DPO).
    ///
    /// Any signed-in user. Empty when the owner has set none.
    #[oai(
        path = "/settings/dpo",
        method = "get",
        operation_id = "get_platform_dpo"
    )]
    async fn platform(&self, auth: UserAuth, caller: Caller) -> Result<Json<DpoOut>, ReadErrors> {
        auth.user(&self.state, &caller).await?;
        Ok(Json(dpo::platform(&self.state.store).await?.into()))
    }

    /// Set the platform's encarregado (DPO).
    ///
    /// Owner only. Name and e-mail required, phone optional. Audited as `dpo.changed`.
    #[oai(
        path = "/settings/dpo",
        method = "put",
        operation_id = "set_platform_dpo"
    )]
    async fn set_platform(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<DpoIn>,
    ) -> Result<Json<DpoOut>, SettingsErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let d = dpo_of(body.0)?;
        Ok(Json(
            Some(dpo::set_platform(&self.state.store, &owner, d).await?).into(),
        ))
    }

    /// Read a company's encarregado (DPO).
    ///
    /// Any user of the company, or the owner. Empty when the company has set none.
    #[oai(
        path = "/companies/:id/dpo",
        method = "get",
        operation_id = "get_company_dpo"
    )]
    async fn company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<DpoOut>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        Ok(Json(dpo::company(&self.state.store, &scope).await?.into()))
    }

    /// Set a company's encarregado (DPO).
    ///
    /// The company's admin or the owner. Name and e-mail required, phone optional. Audited as
    /// `dpo.changed`.
    #[oai(
        path = "/companies/:id/dpo",
        method = "put",
        operation_id = "set_company_dpo"
    )]
    async fn set_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<DpoIn>,
    ) -> Result<Json<DpoOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let d = dpo_of(body.0)?;
        Ok(Json(
            Some(dpo::set_company(&self.state.store, &scope, d).await?).into(),
        ))
    }

    /// Export a company's data.
    ///
    /// The company's admin or the owner. The company, its users, sessions, invitations,
    /// secrets (kind and hint only), links, domains, configuration, usage, audit events,
    /// data-subject requests and encarregados, with a manifest. Audited as `privacy.exported`.
    #[oai(
        path = "/companies/:id/export",
        method = "post",
        operation_id = "export_company"
    )]
    async fn export_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<ExportArchive>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        Ok(Json(
            export::company(&self.state.store, &scope).await?.into(),
        ))
    }

    /// Export a person's data.
    ///
    /// The person themselves, their company's admin or the owner. Their account, sessions,
    /// second factor (without its secret), application roles, consents, the audit events
    /// they did or that were about them, their data-subject requests and the encarregados,
    /// with a manifest. Audited as `privacy.exported`.
    #[oai(
        path = "/companies/:id/users/:user_id/export",
        method = "post",
        operation_id = "export_user"
    )]
    async fn export_user(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<ExportArchive>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        Ok(Json(
            export::person(&self.state.store, &scope, user_id.0)
                .await?
                .into(),
        ))
    }
}
