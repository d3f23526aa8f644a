//! Companies: list, create, read, edit, and status changes. The shapes they take and answer
//! are in `company_shapes`.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use crate::access::{Admin, Member, OwnerOf};

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
pub use crate::api::company_shapes::{
    CompanyCreateIn, CompanyOut, CompanySortDto, CompanyStatusDto,
};
use crate::api::company_shapes::{CompanyList, CompanyPatchIn};
use crate::api::input::{Text, CURSOR_MAX, SEARCH_MAX};
use crate::api::rendered::Rendered;
use crate::api::session::CreatedResponse;
use crate::api::statuses::{
    ActionErrors, ChangeErrors, CreateErrors, ReadOneErrors, SignedInListErrors,
};
use crate::api::Tag;
use crate::domain::company::{CompanyFilter, CompanyPatch, NewCompany};
use crate::domain::company_sort::CompanySort;
use crate::domain::page_size;
use crate::error::DomainError;
use crate::ids::CompanyId;
use crate::service::companies::{self, StatusAction};
use crate::service::AppState;

pub struct CompaniesApi {
    state: AppState,
}

impl CompaniesApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Parses a company id from a path; an id that cannot exist is simply not found.
pub fn company_id(raw: &str) -> Result<CompanyId, DomainError> {
    CompanyId::parse(raw).ok_or(DomainError::NotFound("company"))
}

#[OpenApi(tag = "Tag::Companies")]
impl CompaniesApi {
    /// List companies.
    ///
    /// The owner sees every company; anyone else only their own. Search with `q`, filter by
    /// `status`, order with `sort` (newest first by default); pages with `limit` and `cursor`,
    /// and `total` counts every match. A cursor keeps the sort it was made with: sending it
    /// with another `sort` is a 400 on `cursor`.
    #[oai(path = "/companies", method = "get", operation_id = "list_companies")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Search in legal name, trade name, slug, or CNPJ characters.
        q: Query<Option<Text<SEARCH_MAX>>>,
        status: Query<Option<CompanyStatusDto>>,
        /// The order; default `-created` (newest first).
        sort: Query<Option<CompanySortDto>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Rendered<CompanyList>, SignedInListErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let filter = CompanyFilter {
            search: crate::domain::text::query("q", q.0.map(Into::into))?,
            status: status.0.map(Into::into),
            only: None,
        };
        let sort = sort.0.map(CompanySort::from).unwrap_or_default();
        let listing = companies::list(
            &self.state.store,
            &who,
            filter,
            sort,
            cursor.0.map(Into::into),
            limit,
        )
        .await?;
        // A page holds up to 200 companies: written directly, not through a `Value`.
        Ok(Rendered::serialized(&CompanyList {
            items: listing.page.items.into_iter().map(Into::into).collect(),
            next_cursor: listing.page.next_cursor,
            total: listing.total,
        }))
    }

    /// Create an active company.
    ///
    /// Owner only. The CNPJ is checked (check digits) and stored without punctuation; the slug is
    /// derived from the name when absent. CNPJ and slug are unique.
    #[oai(path = "/companies", method = "post", operation_id = "create_company")]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<CompanyCreateIn>,
    ) -> Result<CreatedResponse<CompanyOut>, CreateErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let explicit_slug = body.0.slug.as_deref().is_some_and(|s| !s.trim().is_empty());
        let company = NewCompany::validate(body.0.into())?;
        let created = companies::create(&self.state.store, &owner, company, explicit_slug).await?;
        Ok(CreatedResponse::Created(Json(created.into())))
    }

    /// Read a company.
    ///
    /// Any user of the company, or the owner. Another company is a 404.
    #[oai(path = "/companies/:id", method = "get", operation_id = "get_company")]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyOut>, ReadOneErrors> {
        let scope = auth.company::<Member>(&self.state, &caller, id.0).await?;
        let c = companies::get(&self.state.store, &scope).await?;
        Ok(Json(c.into()))
    }

    /// Edit a company's data and branding.
    ///
    /// A company admin edits their company; only the owner changes the plan and the user limit.
    /// Send only the fields to change.
    #[oai(
        path = "/companies/:id",
        method = "patch",
        operation_id = "update_company"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<CompanyPatchIn>,
    ) -> Result<Json<CompanyOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let patch = CompanyPatch::validate(body.0.into())?;
        Ok(Json(
            companies::update(&self.state.store, &scope, patch)
                .await?
                .into(),
        ))
    }

    /// Approve a company that signed up.
    ///
    /// Owner only. The company becomes active and its pending first admin may sign in. 409 when it
    /// clashes with an existing CNPJ or e-mail.
    #[oai(
        path = "/companies/:id/approve",
        method = "post",
        operation_id = "approve_company"
    )]
    async fn approve(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyOut>, ActionErrors> {
        self.status(auth, caller, id.0, StatusAction::Approve).await
    }

    /// Suspend a company.
    ///
    /// Owner only. Its users' sessions are revoked and they cannot sign in until it is reactivated.
    #[oai(
        path = "/companies/:id/suspend",
        method = "post",
        operation_id = "suspend_company"
    )]
    async fn suspend(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyOut>, ActionErrors> {
        self.status(auth, caller, id.0, StatusAction::Suspend).await
    }

    /// Reactivate a suspended or cancelled company.
    ///
    /// Owner only. Its users may sign in again.
    #[oai(
        path = "/companies/:id/reactivate",
        method = "post",
        operation_id = "reactivate_company"
    )]
    async fn reactivate(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyOut>, ActionErrors> {
        self.status(auth, caller, id.0, StatusAction::Reactivate)
            .await
    }

    /// Cancel a company.
    ///
    /// Owner only. Its users' sessions are revoked and they cannot sign in; applications can no
    /// longer act for it.
    #[oai(
        path = "/companies/:id/cancel",
        method = "post",
        operation_id = "cancel_company"
    )]
    async fn cancel(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyOut>, ActionErrors> {
        self.status(auth, caller, id.0, StatusAction::Cancel).await
    }
}

impl CompaniesApi {
    async fn status(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: CompanyId,
        action: StatusAction,
    ) -> Result<Json<CompanyOut>, ActionErrors> {
        let scope = auth.company::<OwnerOf>(&self.state, &caller, id).await?;
        let c = companies::change_status(&self.state.store, &scope, action).await?;
        Ok(Json(c.into()))
    }
}
