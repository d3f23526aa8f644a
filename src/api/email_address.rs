//! A person's e-mail address: the link that verifies a sign-up's address, and a change of
//! address confirmed from the new one.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::enums::EmailChangeState;
use crate::api::input::{Email, Text, PASSWORD_MAX, TOKEN_MAX};
use crate::api::language::Lang;
use crate::api::messages;
use crate::api::session::NoContentResponse;
use crate::api::statuses::{EmailChangeConfirmErrors, EmailChangeErrors, EmailVerifyErrors};
use crate::api::users::UserOut;
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::validate;
use crate::service::{email_address, AppState};

pub struct EmailAddressApi {
    state: AppState,
}

impl EmailAddressApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailVerifyIn {
    /// The token from the link in the message (after `#token=`, prefix `arm_verify_`).
    token: Text<TOKEN_MAX>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailChangeIn {
    /// The address the account should move to.
    new_email: Text<{ Email::MAX }>,
    /// The account's current password.
    password: Text<PASSWORD_MAX>,
}

/// The change was asked for; it takes effect when the link sent to the new address is opened.
#[derive(Object)]
struct EmailChangeRequested {
    status: EmailChangeState,
    /// What happens next, for a person.
    message: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailChangeConfirmIn {
    /// The token from the link sent to the new address (after `#token=`, prefix `arm_email_`).
    token: Text<TOKEN_MAX>,
}

const CHANGE_REQUESTED: &str = "a message with a link to confirm the change is on its way to \
                                the new address; the link works once, for 24 hours, and until \
                                then the account keeps its e-mail";

#[derive(ApiResponse)]
enum EmailChangeResponse {
    /// Taken; the new address receives a link.
    #[oai(status = 202)]
    Accepted(Json<EmailChangeRequested>),
}

#[OpenApi(tag = "Tag::Auth")]
impl EmailAddressApi {
    /// Verify an address with the link sent to it.
    ///
    /// A sign-up's admin receives the link at the address they gave; the owner sees in the
    /// approvals queue which sign-ups verified theirs. A used, expired or unknown token is a 400
    /// naming `token`.
    #[oai(
        path = "/auth/email/verify",
        method = "post",
        operation_id = "verify_email"
    )]
    async fn verify(
        &self,
        body: JsonBody<EmailVerifyIn>,
        caller: Caller,
    ) -> Result<NoContentResponse, EmailVerifyErrors> {
        email_address::verify(&self.state.store, &body.0.token, caller.ip).await?;
        Ok(NoContentResponse::Done)
    }

    /// Ask to change your own e-mail address.
    ///
    /// Needs the current password (throttled like a sign-in). A single-use link valid 24 hours
    /// goes to the new address; the account keeps its address until the link is opened. The
    /// old address is told once the change is made.
    #[oai(
        path = "/auth/email",
        method = "post",
        operation_id = "request_email_change"
    )]
    async fn request_change(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<EmailChangeIn>,
    ) -> Result<EmailChangeResponse, EmailChangeErrors> {
        let who = auth.user(&self.state, &caller).await?;
        let b = body.0;
        let new_email = validate::email("new_email", &b.new_email)?;
        let password = SecretString::new(b.password.into_inner());
        email_address::request_change(&self.state.addresses(), &who, new_email, &password).await?;
        let lang = caller.language.unwrap_or(Lang::En);
        Ok(EmailChangeResponse::Accepted(Json(EmailChangeRequested {
            status: EmailChangeState::ConfirmationSent,
            message: messages::localize(CHANGE_REQUESTED, lang),
        })))
    }

    /// Confirm a change of e-mail address with the link sent to the new address.
    ///
    /// Public: the token is the proof. The account moves to the new address, which counts as
    /// verified, and the old address receives a notice without any link. A used, expired or
    /// unknown token is a 400 naming `token`; a new address taken meanwhile by another account
    /// is a 409 naming `email`.
    #[oai(
        path = "/auth/email/confirm",
        method = "post",
        operation_id = "confirm_email_change"
    )]
    async fn confirm(
        &self,
        body: JsonBody<EmailChangeConfirmIn>,
        caller: Caller,
    ) -> Result<Json<UserOut>, EmailChangeConfirmErrors> {
        let user = email_address::confirm_change(&self.state.addresses(), &body.0.token, caller.ip)
            .await?;
        Ok(Json(user.into()))
    }
}
