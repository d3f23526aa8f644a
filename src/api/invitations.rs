//! Invitations: a company admin (or the owner) invites by e-mail with a role; the invitee
//! accepts with the link's token, choosing a name and a password.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::Admin;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::enums::LanguageDto;
use crate::api::input::{Email, Text, CURSOR_MAX, PASSWORD_MAX, PERSON_NAME_MAX, TOKEN_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{ActionErrors, ChangeErrors, InviteAcceptErrors, ReadOneErrors};
use crate::api::time::{opt_ts, ts};
use crate::api::users::{role_str, CompanyRoleDto, RoleDto, UserOut};
use crate::api::Tag;
use crate::clock::now_ms;
use crate::crypto::SecretString;
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::language::Lang;
use crate::domain::{page_size, validate, Page, Role};
use crate::ids::{CompanyId, InvitationId};
use crate::service::{invitations, AppState};

pub struct InvitationsApi {
    state: AppState,
}

impl InvitationsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Where an invitation stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum InvitationStatusDto {
    /// Its link works and it holds a seat of the plan.
    Pending,
    /// Its link is dead; resending brings it back.
    Expired,
    Accepted,
    Revoked,
}

impl From<InvitationState> for InvitationStatusDto {
    fn from(s: InvitationState) -> Self {
        match s {
            InvitationState::Pending => Self::Pending,
            InvitationState::Expired => Self::Expired,
            InvitationState::Accepted => Self::Accepted,
            InvitationState::Revoked => Self::Revoked,
        }
    }
}

/// An invitation to join a company. Its link is only in the message sent to the address.
#[derive(Object)]
#[oai(rename = "Invitation")]
pub struct InvitationOut {
    id: String,
    company_id: String,
    email: String,
    role: RoleDto,
    // The language its messages are written in. (A doc comment would wrap the enum's $ref in
    // an allOf, which some generators cannot read; the enum says what it is.)
    language: LanguageDto,
    status: InvitationStatusDto,
    /// When the link stops working.
    expires_at: chrono::DateTime<chrono::Utc>,
    /// When the last message went out.
    sent_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    accepted_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
}

fn out(i: Invitation, now: i64) -> InvitationOut {
    InvitationOut {
        status: i.state(now).into(),
        id: i.id.to_string(),
        company_id: i.company_id.to_string(),
        email: i.email,
        role: i.role.into(),
        language: i.language.into(),
        expires_at: ts(i.expires_at),
        sent_at: ts(i.sent_at),
        accepted_at: opt_ts(i.accepted_at),
        revoked_at: opt_ts(i.revoked_at),
        created_at: ts(i.created_at),
    }
}

/// A page of invitations.
#[derive(Object)]
pub struct InvitationList {
    items: Vec<InvitationOut>,
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

fn list_out(page: Page<Invitation>) -> Json<InvitationList> {
    let now = now_ms();
    Json(InvitationList {
        items: page.items.into_iter().map(|i| out(i, now)).collect(),
        next_cursor: page.next_cursor,
    })
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationCreateIn {
    /// Where the invitation goes; no live user or pending invitation may have it.
    email: Email,
    role: CompanyRoleDto,
    // The language of the message (and of any resent one). Absent: the language
    // `Accept-Language` names, else `pt-BR`. (No doc comment: see `Invitation::language`.)
    #[oai(skip_serializing_if_is_none)]
    language: Option<LanguageDto>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationAcceptIn {
    /// The token from the link in the message (after `#token=`, prefix `arm_invite_`).
    token: Text<TOKEN_MAX>,
    /// The invitee's name, as others will see it.
    name: Text<PERSON_NAME_MAX>,
    /// At least 10 characters.
    password: Text<PASSWORD_MAX>,
}

#[OpenApi(tag = "Tag::Users")]
impl InvitationsApi {
    /// Invite someone to a company by e-mail.
    ///
    /// A company admin or the owner. A message with a single-use link valid 7 days goes to the
    /// address, in `language` (else the language `Accept-Language` names, else pt-BR). A pending invitation counts against the plan's user limit (409
    /// `limit_exceeded`); an address that a live user or a pending invitation has is a 409
    /// naming `email`.
    #[oai(
        path = "/companies/:id/invitations",
        method = "post",
        operation_id = "create_invitation"
    )]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<InvitationCreateIn>,
    ) -> Result<CreatedResponse<InvitationOut>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let b = body.0;
        let email = validate::email("email", &b.email)?;
        let role = Role::parse_company_role("role", role_str(b.role))?;
        let language = b
            .language
            .map(Into::into)
            .or(caller.language)
            .unwrap_or(Lang::PtBr);
        let i = invitations::create(&self.state.invites(), &scope, email, role, language).await?;
        Ok(CreatedResponse::Created(Json(out(i, now_ms()))))
    }

    /// List a company's invitations.
    ///
    /// A company admin or the owner. Every invitation, pending or not, oldest first; pages with
    /// `limit` and `cursor`.
    #[oai(
        path = "/companies/:id/invitations",
        method = "get",
        operation_id = "list_invitations"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<InvitationList>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let limit = page_size(limit.0)?;
        let page =
            invitations::list(&self.state.store, &scope, cursor.0.map(Into::into), limit).await?;
        Ok(list_out(page))
    }

    /// Send an invitation again.
    ///
    /// A company admin or the owner. A new link valid 7 days goes out, in the invitation's
    /// language, and the old link stops working; an expired invitation comes back if its address and a seat are free. 409 for
    /// an accepted or revoked invitation.
    #[oai(
        path = "/companies/:id/invitations/:invitation_id/resend",
        method = "post",
        operation_id = "resend_invitation"
    )]
    async fn resend(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        invitation_id: Path<InvitationId>,
    ) -> Result<Json<InvitationOut>, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let i = invitations::resend(&self.state.invites(), &scope, invitation_id.0).await?;
        Ok(Json(out(i, now_ms())))
    }

    /// Revoke an invitation.
    ///
    /// A company admin or the owner. Its link stops working and its seat is free again. 409
    /// for an invitation already accepted or revoked.
    #[oai(
        path = "/companies/:id/invitations/:invitation_id",
        method = "delete",
        operation_id = "revoke_invitation"
    )]
    async fn revoke(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        invitation_id: Path<InvitationId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        invitations::revoke(&self.state.store, &scope, invitation_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Accept an invitation with its link's token.
    ///
    /// Public. Creates the active user with the invited role, who signs in with the chosen
    /// password. A used, expired, revoked or unknown token is a 400 naming `token`; 409 when
    /// the address became a user's meanwhile or the plan's user limit is reached. Throttled
    /// per IP (429 with `Retry-After`).
    #[oai(
        path = "/invitations/accept",
        method = "post",
        operation_id = "accept_invitation"
    )]
    async fn accept(
        &self,
        body: JsonBody<InvitationAcceptIn>,
        caller: Caller,
    ) -> Result<CreatedResponse<UserOut>, InviteAcceptErrors> {
        let b = body.0;
        let password = SecretString::new(b.password.into_inner());
        let user = invitations::accept(
            &self.state.invites(),
            &b.token,
            &b.name,
            &password,
            caller.ip,
        )
        .await?;
        Ok(CreatedResponse::Created(Json(user.into())))
    }
}
