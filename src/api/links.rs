//! Links between applications and companies, and companies' custom domains.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::access::{Admin, Member};
use serde::Deserialize;

use crate::api::applications::application_id;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::companies::company_id;
use crate::api::error::ApiResult;
use crate::api::input::{HostName, List, Text, ID_MAX, MAX_SCOPES, SCOPE_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::application::{validate_domain, validate_scopes, Link};
use crate::error::DomainError;
use crate::ids::{CompanyId, LinkId};
use crate::service::{hosts, links, AppState};

pub struct LinksApi {
    state: AppState,
}

impl LinksApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Permission for an application to act for a company, with scopes.
#[derive(Object)]
#[oai(rename = "Link")]
pub struct LinkOut {
    id: String,
    application_id: String,
    company_id: String,
    application_name: String,
    /// The company's trade name, or its legal name.
    company_name: String,
    /// company:read, users:read, usage:read, secrets:<kind>:read.
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Link> for LinkOut {
    fn from(l: Link) -> Self {
        Self {
            id: l.id.to_string(),
            application_id: l.application_id.to_string(),
            company_id: l.company_id.to_string(),
            application_name: l.application_name,
            company_name: l.company_name,
            scopes: l.scopes,
            created_at: ts(l.created_at),
            updated_at: ts(l.updated_at),
        }
    }
}

#[derive(Object)]
struct LinkList {
    items: Vec<LinkOut>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkCreateIn {
    application_id: Text<ID_MAX>,
    company_id: Text<ID_MAX>,
    scopes: Scopes,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkPatchIn {
    scopes: Scopes,
}

/// A custom domain of a company, unique across companies.
#[derive(Object)]
struct DomainOut {
    domain: String,
    created_at: DateTime<Utc>,
}

#[derive(Object)]
struct DomainList {
    items: Vec<DomainOut>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainIn {
    /// A host name such as app.padaria.com.br; not the base domain nor a name under it (there a
    /// company answers at its slug).
    domain: HostName,
}

/// Scopes of a link.
type Scopes = List<Text<SCOPE_MAX>, MAX_SCOPES>;

fn scope_strings(scopes: Scopes) -> Vec<String> {
    scopes.into_inner().into_iter().map(Into::into).collect()
}

fn list_out(items: Vec<Link>) -> Json<LinkList> {
    Json(LinkList {
        items: items.into_iter().map(Into::into).collect(),
    })
}

#[OpenApi(tag = "Tag::Links")]
impl LinksApi {
    /// Every link, optionally of one application or one company (owner only).
    #[oai(path = "/links", method = "get", operation_id = "list_links")]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        application_id: Query<Option<Text<ID_MAX>>>,
        company_id: Query<Option<Text<ID_MAX>>>,
    ) -> ApiResult<Json<LinkList>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let app = application_id
            .0
            .map(|a| self::application_id(&a))
            .transpose()?;
        let company = company_id.0.map(|c| self::company_id(&c)).transpose()?;
        Ok(list_out(
            links::list(&self.state.store, &owner, app, company).await?,
        ))
    }

    /// Link an application to a company with scopes (owner only).
    #[oai(path = "/links", method = "post", operation_id = "create_link")]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<LinkCreateIn>,
    ) -> ApiResult<CreatedResponse<LinkOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let app = application_id(&b.application_id)
            .map_err(|_| DomainError::invalid("application_id", "no such application"))?;
        let company = CompanyId::parse(&b.company_id)
            .ok_or_else(|| DomainError::invalid("company_id", "no such company"))?;
        let scopes = validate_scopes("scopes", &scope_strings(b.scopes))?;
        Ok(CreatedResponse::Created(Json(
            links::create(&self.state.key_writer(), &owner, app, company, scopes)
                .await?
                .into(),
        )))
    }

    /// Change a link's scopes (owner only).
    #[oai(path = "/links/:id", method = "patch", operation_id = "update_link")]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<LinkId>,
        body: JsonBody<LinkPatchIn>,
    ) -> ApiResult<Json<LinkOut>> {
        let owner = auth.owner(&self.state, &caller).await?;
        let scopes = validate_scopes("scopes", &scope_strings(body.0.scopes))?;
        Ok(Json(
            links::set_scopes(&self.state.key_writer(), &owner, id.0, scopes)
                .await?
                .into(),
        ))
    }

    /// Remove a link (owner only).
    #[oai(path = "/links/:id", method = "delete", operation_id = "delete_link")]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<LinkId>,
    ) -> ApiResult<NoContentResponse> {
        let owner = auth.owner(&self.state, &caller).await?;
        links::revoke(&self.state.key_writer(), &owner, id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// The applications linked to a company (company admin or owner).
    #[oai(
        path = "/companies/:id/links",
        method = "get",
        operation_id = "list_company_links"
    )]
    async fn company_links(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> ApiResult<Json<LinkList>> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        Ok(list_out(
            links::list_for_company(&self.state.store, &scope).await?,
        ))
    }

    /// Revoke an application's access to a company (company admin or owner).
    #[oai(
        path = "/companies/:id/links/:link_id",
        method = "delete",
        operation_id = "revoke_company_link"
    )]
    async fn revoke_company_link(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        link_id: Path<LinkId>,
    ) -> ApiResult<NoContentResponse> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        links::revoke_in_company(&self.state.key_writer(), &scope, link_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// A company's custom domains.
    #[oai(
        path = "/companies/:id/domains",
        method = "get",
        operation_id = "list_company_domains"
    )]
    async fn domains(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> ApiResult<Json<DomainList>> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let items = links::domains(&self.state.store, &scope).await?;
        Ok(Json(DomainList {
            items: items
                .into_iter()
                .map(|(domain, at)| DomainOut {
                    domain,
                    created_at: ts(at),
                })
                .collect(),
        }))
    }

    /// Add a custom domain (company admin or owner); a domain belongs to one company only.
    #[oai(
        path = "/companies/:id/domains",
        method = "post",
        operation_id = "add_company_domain"
    )]
    async fn add_domain(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<DomainIn>,
    ) -> ApiResult<CreatedResponse<DomainOut>> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let domain = validate_domain("domain", &body.0.domain)?;
        let base = hosts::base_domain(&self.state);
        links::add_domain(&self.state.store, base, &scope, domain.clone()).await?;
        Ok(CreatedResponse::Created(Json(DomainOut {
            domain,
            created_at: ts(crate::clock::now_ms()),
        })))
    }

    /// Remove a custom domain (company admin or owner).
    #[oai(
        path = "/companies/:id/domains/:domain",
        method = "delete",
        operation_id = "remove_company_domain"
    )]
    async fn remove_domain(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        domain: Path<HostName>,
    ) -> ApiResult<NoContentResponse> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let domain = domain.0.trim().to_ascii_lowercase();
        links::remove_domain(&self.state.store, &scope, domain).await?;
        Ok(NoContentResponse::Done)
    }
}
