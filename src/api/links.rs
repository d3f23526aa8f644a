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
use crate::api::input::{HostName, List, Text, CURSOR_MAX, ID_MAX, MAX_SCOPES, SCOPE_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{ActionErrors, ChangeErrors, ReadOneErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::application::{validate_domain, validate_scopes, Link};
use crate::domain::plan::{external_id, EXTERNAL_ID_MAX};
use crate::domain::{page_size, Page};
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
    /// company:read, users:read, usage:read, config:read, config:write, billing:write,
    /// secrets:<kind>:read.
    scopes: Vec<String>,
    /// The application's own id for the company (unique per application); absent when unset.
    #[oai(skip_serializing_if_is_none)]
    external_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    // What the application last reported about provisioning the company; absent before its
    // first report.
    #[oai(skip_serializing_if_is_none)]
    provisioning: Option<crate::api::provisioning::ProvisioningOut>,
}

impl From<Link> for LinkOut {
    fn from(l: Link) -> Self {
        Self {
            id: l.id.to_string(),
            application_id: l.application_id.to_string(),
            company_id: l.company_id.to_string(),
            application_name: l.application_name,
            company_name: l.company_name,
            provisioning: l.provisioning.map(Into::into),
            scopes: l.scopes,
            external_id: l.external_id,
            created_at: ts(l.created_at),
            updated_at: ts(l.updated_at),
        }
    }
}

/// A page of links, in id order.
#[derive(Object)]
struct LinkList {
    items: Vec<LinkOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
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
    #[oai(nullable)]
    #[serde(default)]
    scopes: Option<Scopes>,
    /// The application's own id for the company, at most 200 characters, unique per
    /// application (409 when another link of the application has it); empty clears it.
    #[oai(nullable)]
    #[serde(default)]
    external_id: Option<Text<EXTERNAL_ID_MAX>>,
}

/// A custom domain of a company, unique across companies.
#[derive(Object)]
struct DomainOut {
    domain: String,
    created_at: DateTime<Utc>,
}

/// A page of custom domains, in name order.
#[derive(Object)]
struct DomainList {
    items: Vec<DomainOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
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

fn list_out(page: Page<Link>) -> Json<LinkList> {
    Json(LinkList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    })
}

#[OpenApi(tag = "Tag::Links")]
impl LinksApi {
    /// List links between applications and companies.
    ///
    /// Owner only. Every link, or those of one application or one company.
    #[oai(path = "/links", method = "get", operation_id = "list_links")]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        application_id: Query<Option<Text<ID_MAX>>>,
        company_id: Query<Option<Text<ID_MAX>>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<LinkList>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let app = application_id
            .0
            .map(|a| self::application_id(&a))
            .transpose()?;
        let company = company_id.0.map(|c| self::company_id(&c)).transpose()?;
        let limit = page_size(limit.0)?;
        let page = links::list(
            &self.state.store,
            &owner,
            app,
            company,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        Ok(list_out(page))
    }

    /// Link an application to a company.
    ///
    /// Owner only. The scopes say what the application may do for the company: `company:read`,
    /// `users:read`, `usage:read`, `config:read`, `config:write`, `billing:write`,
    /// `secrets:<kind>:read`. One link per pair (409 when it exists).
    #[oai(path = "/links", method = "post", operation_id = "create_link")]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<LinkCreateIn>,
    ) -> Result<CreatedResponse<LinkOut>, ChangeErrors> {
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

    /// Change a link's scopes or external id.
    ///
    /// Owner only. The new scopes apply to the application's next request; the external id
    /// is the application's own id for the company (409 when another of its links has it).
    #[oai(path = "/links/:id", method = "patch", operation_id = "update_link")]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<LinkId>,
        body: JsonBody<LinkPatchIn>,
    ) -> Result<Json<LinkOut>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let b = body.0;
        let change = links::LinkChange {
            scopes: b
                .scopes
                .map(|s| validate_scopes("scopes", &scope_strings(s)))
                .transpose()?,
            external_id: b
                .external_id
                .map(|e| external_id("external_id", &e))
                .transpose()?,
        };
        if change.scopes.is_none() && change.external_id.is_none() {
            return Err(
                DomainError::invalid("body", "must name at least one field to change").into(),
            );
        }
        Ok(Json(
            links::update(&self.state.key_writer(), &owner, id.0, change)
                .await?
                .into(),
        ))
    }

    /// Remove a link.
    ///
    /// Owner only. The application can no longer act for the company, at once.
    #[oai(path = "/links/:id", method = "delete", operation_id = "delete_link")]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<LinkId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        links::revoke(&self.state.key_writer(), &owner, id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// List the applications linked to a company.
    ///
    /// A company admin or the owner. Each link with its scopes.
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
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<LinkList>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let limit = page_size(limit.0)?;
        let page =
            links::list_for_company(&self.state.store, &scope, cursor.0.map(Into::into), limit)
                .await?;
        Ok(list_out(page))
    }

    /// Revoke an application's access to a company.
    ///
    /// A company admin or the owner. The application can no longer act for the company, at once.
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
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        links::revoke_in_company(&self.state.key_writer(), &scope, link_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// List a company's custom domains.
    ///
    /// Any user of the company, or the owner.
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
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<DomainList>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let limit = page_size(limit.0)?;
        let page =
            links::domains(&self.state.store, &scope, cursor.0.map(Into::into), limit).await?;
        Ok(Json(DomainList {
            items: page
                .items
                .into_iter()
                .map(|(domain, at)| DomainOut {
                    domain,
                    created_at: ts(at),
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Add a custom domain to a company.
    ///
    /// A company admin or the owner. A domain belongs to one company only (409 when taken);
    /// applications find the company by it with `GET /app/resolve`.
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
    ) -> Result<CreatedResponse<DomainOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let domain = validate_domain("domain", &body.0.domain)?;
        let base = hosts::base_domain(&self.state.settings);
        links::add_domain(&self.state.store, base, &scope, domain.clone()).await?;
        Ok(CreatedResponse::Created(Json(DomainOut {
            domain,
            created_at: ts(crate::clock::now_ms()),
        })))
    }

    /// Remove a custom domain.
    ///
    /// A company admin or the owner.
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
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let domain = domain.0.trim().to_ascii_lowercase();
        links::remove_domain(&self.state.store, &scope, domain).await?;
        Ok(NoContentResponse::Done)
    }
}
