//! Sessions people can see and end: their own (`/auth/sessions`), their company's users' (a
//! company admin, under the company) and anyone's (the owner). A session is named by its
//! public id; its token and the token's digest never leave the server.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::access::Admin;
use crate::api::auth::{Caller, UserAuth};
use crate::api::input::{Text, CURSOR_MAX, ID_MAX};
use crate::api::session::NoContentResponse;
use crate::api::statuses::{EndSessionErrors, ReadOneErrors, SignOutErrors, SignedInListErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::domain::session::Session;
use crate::domain::{page_size, user_agent, Page};
use crate::error::DomainError;
use crate::ids::{CompanyId, SessionId, UserId};
use crate::service::{sessions, AppState};

pub struct SessionsApi {
    state: AppState,
}

impl SessionsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// A signed-in session, as its user and admins see it.
#[derive(Object)]
#[oai(rename = "Session")]
pub struct SessionOut {
    /// The session's public id (prefix `ses_`); it is not the token and reveals nothing of it.
    id: String,
    user_id: String,
    user_name: String,
    user_email: String,
    /// The user's company; absent for the platform owner.
    #[oai(skip_serializing_if_is_none)]
    company_id: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    /// When the session was last used, to within about a minute.
    last_seen_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    /// The address the session signed in from.
    #[oai(skip_serializing_if_is_none)]
    ip: Option<String>,
    /// The browser and its major version, read from the user agent ("Chrome 131").
    #[oai(skip_serializing_if_is_none)]
    browser: Option<String>,
    /// The operating system, read from the user agent ("Linux").
    #[oai(skip_serializing_if_is_none)]
    os: Option<String>,
    /// The full `User-Agent` the session signed in with (first 256 characters).
    #[oai(skip_serializing_if_is_none)]
    user_agent: Option<String>,
    /// True for the session that made this request.
    current: bool,
}

impl From<Session> for SessionOut {
    fn from(s: Session) -> Self {
        let agent = user_agent::parse(s.user_agent.as_deref().unwrap_or(""));
        Self {
            id: s.id.to_string(),
            user_id: s.user_id.to_string(),
            user_name: s.user_name,
            user_email: s.user_email,
            company_id: s.company_id.map(|c| c.to_string()),
            created_at: ts(s.created_at),
            last_seen_at: ts(s.last_seen_at),
            expires_at: ts(s.expires_at),
            ip: s.ip,
            browser: agent.browser,
            os: agent.os,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}

/// A page of sessions, oldest first.
#[derive(Object)]
pub struct SessionList {
    items: Vec<SessionOut>,
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

fn list_out(page: Page<Session>) -> Json<SessionList> {
    Json(SessionList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    })
}

/// How many sessions an end closed.
#[derive(Object)]
pub struct SessionsEnded {
    ended: u64,
}

fn ended(count: usize) -> Json<SessionsEnded> {
    Json(SessionsEnded {
        ended: count as u64,
    })
}

fn user_filter(raw: Option<Text<ID_MAX>>) -> Result<Option<UserId>, DomainError> {
    raw.map(|u| {
        UserId::parse(&u).ok_or_else(|| DomainError::invalid("user_id", "is not a user id"))
    })
    .transpose()
}

#[OpenApi]
impl SessionsApi {
    /// List my active sessions.
    ///
    /// Every signed-in user. The caller's live sessions, oldest first, with when each started
    /// and was last used, its address and browser; `current` marks the one making this
    /// request. Pages with `limit` and `cursor`.
    #[oai(
        path = "/auth/sessions",
        method = "get",
        operation_id = "list_my_sessions",
        tag = "Tag::Auth"
    )]
    async fn list_mine(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<SessionList>, SignedInListErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let cursor = cursor.0.map(Into::into);
        Ok(list_out(
            sessions::list_own(&self.state.store, &who, cursor, limit).await?,
        ))
    }

    /// End one of my sessions.
    ///
    /// Every signed-in user, on their own sessions: the session stops working at once (ending
    /// the current one signs out). Another person's session is a 404.
    #[oai(
        path = "/auth/sessions/:session_id",
        method = "delete",
        operation_id = "end_my_session",
        tag = "Tag::Auth"
    )]
    async fn end_mine(
        &self,
        auth: UserAuth,
        caller: Caller,
        session_id: Path<SessionId>,
    ) -> Result<NoContentResponse, EndSessionErrors> {
        let who = auth.user(&self.state, &caller).await?;
        sessions::end_own(&self.state.store, &who, session_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// End all my other sessions.
    ///
    /// Every signed-in user. Every session of the caller but the one making this request stops
    /// working; answers how many ended.
    #[oai(
        path = "/auth/other-sessions",
        method = "delete",
        operation_id = "end_my_other_sessions",
        tag = "Tag::Auth"
    )]
    async fn end_others(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<SessionsEnded>, SignOutErrors> {
        let who = auth.user(&self.state, &caller).await?;
        Ok(ended(sessions::end_others(&self.state.store, &who).await?))
    }

    /// List a company's sessions.
    ///
    /// A company admin or the owner. The live sessions of the company's users, oldest first,
    /// or of one of them with `user_id` (404 when the user is not the company's). Pages with
    /// `limit` and `cursor`.
    #[oai(
        path = "/companies/:id/sessions",
        method = "get",
        operation_id = "list_company_sessions",
        tag = "Tag::Users"
    )]
    async fn list_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        /// Only this user's sessions.
        user_id: Query<Option<Text<ID_MAX>>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<SessionList>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let user = user_filter(user_id.0)?;
        let limit = page_size(limit.0)?;
        let cursor = cursor.0.map(Into::into);
        let page = sessions::list_company(&self.state.store, &scope, user, cursor, limit).await?;
        Ok(list_out(page))
    }

    /// End a session of a company's user.
    ///
    /// A company admin or the owner. The session stops working at once. A session of another
    /// company's user is a 404.
    #[oai(
        path = "/companies/:id/sessions/:session_id",
        method = "delete",
        operation_id = "end_company_session",
        tag = "Tag::Users"
    )]
    async fn end_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        session_id: Path<SessionId>,
    ) -> Result<NoContentResponse, EndSessionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        sessions::end_in_company(&self.state.store, &scope, session_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// End every session of a company's user.
    ///
    /// A company admin or the owner. All the user's sessions stop working; answers how many
    /// ended. Another company's user is a 404.
    #[oai(
        path = "/companies/:id/users/:user_id/sessions",
        method = "delete",
        operation_id = "end_company_user_sessions",
        tag = "Tag::Users"
    )]
    async fn end_company_user(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<Json<SessionsEnded>, EndSessionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let count = sessions::end_user_in_company(&self.state.store, &scope, user_id.0).await?;
        Ok(ended(count))
    }

    /// List everyone's sessions.
    ///
    /// The owner only. The live sessions of every user, oldest first, or of one user with
    /// `user_id` (404 for an unknown user). Pages with `limit` and `cursor`.
    #[oai(
        path = "/sessions",
        method = "get",
        operation_id = "list_sessions",
        tag = "Tag::Users"
    )]
    async fn list_all(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Only this user's sessions.
        user_id: Query<Option<Text<ID_MAX>>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<SessionList>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let user = user_filter(user_id.0)?;
        let limit = page_size(limit.0)?;
        let cursor = cursor.0.map(Into::into);
        Ok(list_out(
            sessions::list_all(&self.state.store, &owner, user, cursor, limit).await?,
        ))
    }

    /// End anyone's session.
    ///
    /// The owner only. The session stops working at once.
    #[oai(
        path = "/sessions/:session_id",
        method = "delete",
        operation_id = "end_session",
        tag = "Tag::Users"
    )]
    async fn end_any(
        &self,
        auth: UserAuth,
        caller: Caller,
        session_id: Path<SessionId>,
    ) -> Result<NoContentResponse, EndSessionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        sessions::end_any(&self.state.store, &owner, session_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// End every session of a user.
    ///
    /// The owner only, for any user (the platform's owners too). All the user's sessions stop
    /// working; answers how many ended.
    #[oai(
        path = "/users/:user_id/sessions",
        method = "delete",
        operation_id = "end_user_sessions",
        tag = "Tag::Users"
    )]
    async fn end_user(
        &self,
        auth: UserAuth,
        caller: Caller,
        user_id: Path<UserId>,
    ) -> Result<Json<SessionsEnded>, EndSessionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let count = sessions::end_user(&self.state.store, &owner, user_id.0).await?;
        Ok(ended(count))
    }
}
