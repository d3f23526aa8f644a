//! Erasure of a company or of a person (LGPD art. 18, IV and VI). Thin handlers over
//! `service::erasure`: a preview that counts what will be lost, and the erasure itself behind a
//! typed confirmation.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::{Admin, OwnerOf};
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::Text;
use crate::api::statuses::{ChangeErrors, ReadOneErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::db::erasure::Counts;
use crate::domain::erasure::{Erasure, ErasureKind};
use crate::ids::{CompanyId, UserId};
use crate::service::{erasure, AppState};

pub struct ErasureApi {
    state: AppState,
}

impl ErasureApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// What was, or would be, erased.
#[derive(Enum, Clone, Copy)]
#[oai(rename = "ErasureKind", rename_all = "snake_case")]
enum KindOut {
    Person,
    Company,
}

impl From<ErasureKind> for KindOut {
    fn from(k: ErasureKind) -> Self {
        match k {
            ErasureKind::Person => Self::Person,
            ErasureKind::Company => Self::Company,
        }
    }
}

/// Rows an erasure takes, by kind. Audit events are kept, with the pseudonym in place of
/// personal fields.
#[derive(Object)]
#[oai(rename = "ErasureCounts")]
struct CountsOut {
    /// People erased (one for a person).
    users: i64,
    /// Open sessions ended.
    sessions: i64,
    /// Pending invitations removed.
    invitations: i64,
    /// Second factors (authenticator apps) removed.
    second_factors: i64,
    /// Application roles and sign-in consents removed.
    grants: i64,
    /// Sealed third-party credentials destroyed.
    secrets: i64,
    /// Links to applications revoked.
    links: i64,
    /// Configuration values deleted.
    config_values: i64,
    /// Custom domains removed.
    domains: i64,
    /// Audit events kept with the pseudonym.
    audit_events: i64,
}

impl From<Counts> for CountsOut {
    fn from(c: Counts) -> Self {
        Self {
            users: c.users,
            sessions: c.sessions,
            invitations: c.invitations,
            second_factors: c.second_factors,
            grants: c.grants,
            secrets: c.secrets,
            links: c.links,
            config_values: c.config_values,
            domains: c.domains,
            audit_events: c.audit_events,
        }
    }
}

/// An entry of the erasure ledger.
#[derive(Object)]
#[oai(rename = "Erasure")]
struct ErasureOut {
    /// `ers_` and 32 hex digits.
    id: String,
    kind: KindOut,
    company_id: String,
    #[oai(skip_serializing_if_is_none)]
    user_id: Option<String>,
    /// What now stands for the person or company (`Titular apagado <pseudonym>`,
    /// `<pseudonym>@apagado.invalid`, `Empresa apagada <pseudonym>`).
    pseudonym: String,
    /// Company fields kept as they were.
    kept: Vec<String>,
    erased_at: chrono::DateTime<chrono::Utc>,
}

impl From<Erasure> for ErasureOut {
    fn from(e: Erasure) -> Self {
        Self {
            id: e.id,
            kind: e.kind.into(),
            company_id: e.company_id,
            user_id: e.user_id,
            pseudonym: e.pseudonym,
            kept: e.kept,
            erased_at: ts(e.erased_at),
        }
    }
}

/// What an erasure would take, or took when `erasure` is present.
#[derive(Object)]
struct ErasurePreview {
    kind: KindOut,
    /// The company's or person's name as shown.
    subject: String,
    counts: CountsOut,
    /// Company fields that would be kept (the `ARMARIO_ERASURE_KEEP` setting). `erasure` is
    /// present once erased.
    kept: Vec<String>,
    #[oai(skip_serializing_if_is_none)]
    erasure: Option<ErasureOut>,
}

impl From<erasure::Preview> for ErasurePreview {
    fn from(p: erasure::Preview) -> Self {
        Self {
            kind: p.kind.into(),
            subject: p.subject,
            counts: p.counts.into(),
            kept: p.kept,
            erasure: p.done.map(Into::into),
        }
    }
}

/// The confirmation of an erasure.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureIn {
    /// The company's CNPJ (formatted or not) or slug; for a person, their e-mail address.
    confirmation: Text<254>,
}

#[OpenApi(tag = "Tag::Companies")]
impl ErasureApi {
    /// Preview a company's erasure.
    ///
    /// Owner only. Counts what erasing the company would take (people, sessions, secrets,
    /// links, configuration values, ...) and names the fields kept; once erased, the entry.
    #[oai(
        path = "/companies/:id/erasure",
        method = "get",
        operation_id = "preview_company_erasure"
    )]
    async fn preview_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<ErasurePreview>, ReadOneErrors> {
        let scope = auth.company::<OwnerOf>(&self.state, &caller, id.0).await?;
        let keep = self.state.settings.erasure_keep.clone();
        let p = erasure::preview_company(&self.state.store, &scope, keep).await?;
        Ok(Json(p.into()))
    }

    /// Erase a company.
    ///
    /// Owner only; `confirmation` must repeat the company's CNPJ or slug (400 otherwise). Its
    /// people are erased, its secrets destroyed, its configuration deleted, its links revoked
    /// at once, and every company field not kept replaced or emptied; it stays cancelled.
    /// Sends `company.erased` to the applications that were linked. Audited as
    /// `company.erased`. A second erasure is a 409.
    #[oai(
        path = "/companies/:id/erasure",
        method = "post",
        operation_id = "erase_company"
    )]
    async fn erase_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<ErasureIn>,
    ) -> Result<Json<ErasureOut>, ChangeErrors> {
        let scope = auth.company::<OwnerOf>(&self.state, &caller, id.0).await?;
        let keep = self.state.settings.erasure_keep.clone();
        let typed = body.0.confirmation.to_string();
        let e = erasure::erase_company(&self.state.key_writer(), &scope, keep, typed).await?;
        self.state.erased().await;
        Ok(Json(e.into()))
    }

    /// Preview a person's erasure.
    ///
    /// The company's admin or the owner. Counts the sessions, invitations, second factors and
    /// grants erasing the person would take; once erased, the entry.
    #[oai(
        path = "/companies/:id/users/:user_id/erasure",
        method = "get",
        operation_id = "preview_user_erasure"
    )]
    async fn preview_user(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<ErasurePreview>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let p = erasure::preview_person(&self.state.store, &scope, user_id.0).await?;
        Ok(Json(p.into()))
    }

    /// Erase a person.
    ///
    /// The company's admin or the owner; `confirmation` must repeat the person's e-mail
    /// address (400 otherwise). Name and e-mail are replaced by a pseudonym, the account is
    /// disabled, sessions, invitations, second factors and grants are removed, and audit
    /// events keep the pseudonym. The last admin cannot erase themselves. Audited as
    /// `user.erased`. A second erasure is a 409.
    #[oai(
        path = "/companies/:id/users/:user_id/erasure",
        method = "post",
        operation_id = "erase_user"
    )]
    async fn erase_user(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
        body: JsonBody<ErasureIn>,
    ) -> Result<Json<ErasureOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let typed = body.0.confirmation.to_string();
        let e = erasure::erase_person(&self.state.store, &scope, user_id.0, typed).await?;
        self.state.erased().await;
        Ok(Json(e.into()))
    }
}
