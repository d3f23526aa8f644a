//! Self-service sign-up: a company and its first admin, both waiting for the owner's approval.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::auth::Caller;
use crate::api::companies::CompanyOut;
use crate::api::error::ApiResult;
use crate::api::session::CreatedResponse;
use crate::api::users::UserOut;
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::company::{CompanyInput, NewCompany};
use crate::domain::user::{NewUser, Role};
use crate::service::companies::{self, prefix_field};
use crate::service::AppState;

pub struct SignupApi {
    state: AppState,
}

impl SignupApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Object)]
struct SignupCompanyIn {
    legal_name: String,
    #[oai(nullable)]
    trade_name: Option<String>,
    /// Numeric or alphanumeric, formatted (`12.ABC.345/01DE-35`) or bare, in any case; check
    /// digits are verified.
    cnpj: String,
    contact_email: String,
    #[oai(nullable)]
    contact_phone: Option<String>,
}

#[derive(Object)]
struct SignupAdminIn {
    name: String,
    email: String,
    /// At least 10 characters.
    password: String,
}

#[derive(Object)]
struct SignupIn {
    company: SignupCompanyIn,
    admin: SignupAdminIn,
}

/// The pending company and its pending first admin.
#[derive(Object)]
struct SignupOut {
    company: CompanyOut,
    user: UserOut,
}

#[OpenApi(tag = "Tag::Signup")]
impl SignupApi {
    /// Sign a company up. The company and its first admin wait for the owner's approval before
    /// they can sign in.
    #[oai(path = "/signup", method = "post", operation_id = "sign_up")]
    async fn signup(
        &self,
        body: Json<SignupIn>,
        caller: Caller,
    ) -> ApiResult<CreatedResponse<SignupOut>> {
        let SignupIn {
            company: c,
            admin: a,
        } = body.0;
        let company = NewCompany::validate(CompanyInput {
            legal_name: c.legal_name,
            trade_name: c.trade_name,
            cnpj: c.cnpj,
            contact_email: Some(c.contact_email.clone()).filter(|e| !e.trim().is_empty()),
            contact_phone: c.contact_phone,
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
            SecretString::new(a.password),
        )
        .map_err(|e| prefix_field(e, "admin."))?;
        let (company, user) = companies::signup(&self.state, company, admin, caller.ip).await?;
        Ok(CreatedResponse::Created(Json(SignupOut {
            company: company.into(),
            user: user.into(),
        })))
    }
}
