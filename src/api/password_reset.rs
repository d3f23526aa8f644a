//! Password reset from the sign-in pages: ask for a link by e-mail, then set a new password
//! with it.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::enums::ResetState;
use crate::api::input::{Email, Text, PASSWORD_MAX, TOKEN_MAX};
use crate::api::language::Lang;
use crate::api::messages;
use crate::api::session::NoContentResponse;
use crate::api::statuses::{ResetConfirmErrors, ResetRequestErrors};
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::validate;
use crate::service::{password_reset, AppState};

pub struct PasswordResetApi {
    state: AppState,
}

impl PasswordResetApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequestIn {
    /// The account's e-mail address.
    email: Text<{ Email::MAX }>,
}

/// The request was taken. The answer is the same whether or not the address has an account.
#[derive(Object)]
struct ResetRequested {
    status: ResetState,
    /// What happens next, for a person.
    message: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetConfirmIn {
    /// The token from the link in the message (after `#token=`, prefix `arm_reset_`).
    token: Text<TOKEN_MAX>,
    /// At least 10 characters.
    new_password: Text<PASSWORD_MAX>,
}

/// What a person reads after asking for a reset link, in the language the request asks for.
const RESET_REQUESTED: &str = "if the address has an account, a message with a link to choose a \
                               new password is on its way; the link works once, for 30 minutes";

#[derive(ApiResponse)]
enum ResetRequestResponse {
    /// Taken; a message goes out if the address has an active account.
    #[oai(status = 202)]
    Accepted(Json<ResetRequested>),
}

#[OpenApi(tag = "Tag::Auth")]
impl PasswordResetApi {
    /// Ask for a password reset link by e-mail.
    ///
    /// If the e-mail belongs to an active account, a message with a single-use link valid 30
    /// minutes is sent to it. The answer, and the time it takes, are the same for any address.
    /// Throttled per address and per IP (429 with `Retry-After`).
    #[oai(
        path = "/auth/password-reset",
        method = "post",
        operation_id = "request_password_reset"
    )]
    async fn request(
        &self,
        body: JsonBody<ResetRequestIn>,
        caller: Caller,
    ) -> Result<ResetRequestResponse, ResetRequestErrors> {
        let email = validate::email("email", &body.0.email)?;
        let lang = caller.language.unwrap_or(Lang::En);
        password_reset::request(&self.state.resets(), &email, caller.ip).await?;
        Ok(ResetRequestResponse::Accepted(Json(ResetRequested {
            status: ResetState::SentIfKnown,
            message: messages::localize(RESET_REQUESTED, lang),
        })))
    }

    /// Choose a new password with a reset link's token.
    ///
    /// Every session of the account ends; sign in again with the new password. A used, expired
    /// or unknown token is a 400 naming `token`.
    #[oai(
        path = "/auth/password-reset/confirm",
        method = "post",
        operation_id = "confirm_password_reset"
    )]
    async fn confirm(
        &self,
        body: JsonBody<ResetConfirmIn>,
        caller: Caller,
    ) -> Result<NoContentResponse, ResetConfirmErrors> {
        let b = body.0;
        let password = SecretString::new(b.new_password);
        password_reset::confirm(&self.state.resets(), &b.token, &password, caller.ip).await?;
        Ok(NoContentResponse::Done)
    }
}
