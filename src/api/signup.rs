//! Self-service sign-up: a company and its first admin, both waiting for the owner's approval.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use serde::Deserialize;

use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::enums::SignupState;
use crate::api::input::{
    Cnpj, Email, Text, COMPANY_NAME_MAX, PASSWORD_MAX, PERSON_NAME_MAX, PHONE_MAX,
};
use crate::api::language::Lang;
use crate::api::messages;
use crate::api::statuses::SignUpErrors;
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::company::{CompanyInput, NewCompany};
use crate::domain::user::{NewUser, Role};
use crate::service::companies::prefix_field;
use crate::service::{signup, AppState};

pub struct SignupApi {
    state: AppState,
}

impl SignupApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupCompanyIn {
    legal_name: Text<COMPANY_NAME_MAX>,
    #[oai(nullable)]
    trade_name: Option<Text<COMPANY_NAME_MAX>>,
    /// Numeric or alphanumeric, formatted (`12.ABC.345/01DE-35`) or bare, in any case; check
    /// digits are verified.
    cnpj: Cnpj,
    contact_email: Email,
    #[oai(nullable)]
    contact_phone: Option<Text<PHONE_MAX>>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupAdminIn {
    name: Text<PERSON_NAME_MAX>,
    email: Email,
    /// At least 10 characters.
    password: Text<PASSWORD_MAX>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupIn {
    company: SignupCompanyIn,
    admin: SignupAdminIn,
}

/// The sign-up was received. The answer is the same whether or not the CNPJ or the e-mail is
/// already in use, so it reveals neither; the owner sees any clash when reviewing it.
#[derive(Object)]
struct SignupReceived {
    status: SignupState,
    /// What happens next, for a person.
    message: String,
}

/// What a person reads after signing up, in the language the request asks for.
const SIGNUP_RECEIVED: &str = "thank you: the sign-up waits for approval; once approved, sign \
                               in with the e-mail and password you chose";

#[derive(ApiResponse)]
enum SignupResponse {
    /// Received; the owner reviews every sign-up before anyone can sign in.
    #[oai(status = 202)]
    Accepted(Json<SignupReceived>),
}

#[OpenApi(tag = "Tag::Signup")]
impl SignupApi {
    /// Sign a company up.
    ///
    /// Public. The company and its first admin wait for the owner's approval before they can sign
    /// in. Throttled per IP and overall (429 with `Retry-After`). The answer is the same whether or
    /// not the CNPJ or e-mail is taken, so it reveals neither; a pending sign-up holds neither.
    #[oai(path = "/signup", method = "post", operation_id = "sign_up")]
    async fn signup(
        &self,
        body: JsonBody<SignupIn>,
        caller: Caller,
    ) -> Result<SignupResponse, SignUpErrors> {
        let SignupIn {
            company: c,
            admin: a,
        } = body.0;
        let company = NewCompany::validate(CompanyInput {
            legal_name: c.legal_name.into(),
            trade_name: c.trade_name.map(Into::into),
            cnpj: c.cnpj.into(),
            contact_email: Some(c.contact_email.into_inner()).filter(|e| !e.trim().is_empty()),
            contact_phone: c.contact_phone.map(Into::into),
            ..Default::default()
        })
        .map_err(|e| prefix_field(e, "company."))?;
        if company.contact_email.is_none() {
            return Err(
                crate::error::DomainError::invalid("company.contact_email", "is required").into(),
            );
        }
        let admin = NewUser::validate(
            &a.email,
            &a.name,
            Role::CompanyAdmin,
            SecretString::new(a.password.into_inner()),
        )
        .map_err(|e| prefix_field(e, "admin."))?;
        let handles = signup::Signups {
            store: &self.state.store,
            passwords: &self.state.passwords,
            throttle: &self.state.signups,
            sealer: &self.state.sealer,
            mail: &self.state.mail,
        };
        // The letter follows the language the person asked in; pt-BR when they did not say.
        let letter_lang = caller.language.unwrap_or(Lang::PtBr);
        signup::signup(handles, company, admin, letter_lang, caller.ip).await?;
        let lang = caller.language.unwrap_or(Lang::En);
        Ok(SignupResponse::Accepted(Json(SignupReceived {
            status: SignupState::PendingReview,
            message: messages::localize(SIGNUP_RECEIVED, lang),
        })))
    }
}
