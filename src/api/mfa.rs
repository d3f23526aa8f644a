//! Two-factor sign-in: the signed-in person's own authenticator (set up, confirm, turn off,
//! new recovery codes), resets by the owner and company admins, and the policies. The sign-in's
//! second step is in `session.rs`, beside the first.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::access::Admin;
use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::{Text, PASSWORD_MAX};
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{
    ActionErrors, ChangeErrors, MfaErrors, MfaStartErrors, PolicyErrors, ReadErrors, ReadOneErrors,
    SignedInErrors,
};
use crate::api::Tag;
use crate::crypto::SecretString;
use crate::domain::mfa::MfaPolicy;
use crate::ids::{CompanyId, UserId};
use crate::service::{mfa, mfa_admin, AppState};

/// The longest code field accepted: a TOTP code is 6 digits, a recovery code 11 characters;
/// spaces are allowed.
pub const CODE_MAX: usize = 32;

pub struct MfaApi {
    state: AppState,
}

impl MfaApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Where the signed-in person's second factor stands.
#[derive(Object)]
struct MfaStatusOut {
    /// A confirmed authenticator is asked for at every sign-in.
    enabled: bool,
    /// A set-up was started and awaits its first code.
    pending: bool,
    /// Recovery codes not yet used.
    recovery_codes_left: i64,
    /// A policy requires a second factor of this person; until it is on, only this page, the
    /// current user and sign-out answer (`mfa_enrollment_required`).
    required: bool,
}

/// A new authenticator's secret, shown once: as text, as a URI and as a QR code.
#[derive(Object)]
struct MfaEnrolmentOut {
    /// The base32 secret, to type into an authenticator app.
    secret: String,
    /// The `otpauth://totp/…` URI the QR code holds.
    otpauth_uri: String,
    /// The QR code, drawn by armario as an SVG document.
    qr_svg: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaCodeIn {
    /// The 6-digit code the authenticator shows now.
    code: Text<CODE_MAX>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct MfaDisableIn {
    /// A current 6-digit code; or give `password`.
    #[oai(skip_serializing_if_is_none)]
    code: Option<Text<CODE_MAX>>,
    /// The account's password, when the authenticator is lost.
    #[oai(skip_serializing_if_is_none)]
    password: Option<Text<PASSWORD_MAX>>,
}

/// Ten single-use recovery codes, shown only now; each replaces a code once.
#[derive(Object)]
struct RecoveryCodesOut {
    recovery_codes: Vec<String>,
}

/// Who must use a second factor in a company.
#[derive(Enum, Clone, Copy, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
enum MfaPolicyDto {
    /// Nobody is required to (anyone may).
    Off,
    /// The company's admins.
    Admins,
    /// Everyone in the company.
    Everyone,
}

impl From<MfaPolicyDto> for MfaPolicy {
    fn from(p: MfaPolicyDto) -> Self {
        match p {
            MfaPolicyDto::Off => Self::Off,
            MfaPolicyDto::Admins => Self::Admins,
            MfaPolicyDto::Everyone => Self::Everyone,
        }
    }
}

impl From<MfaPolicy> for MfaPolicyDto {
    fn from(p: MfaPolicy) -> Self {
        match p {
            MfaPolicy::Off => Self::Off,
            MfaPolicy::Admins => Self::Admins,
            MfaPolicy::Everyone => Self::Everyone,
        }
    }
}

/// A company's two-factor policy.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompanyMfaPolicy {
    policy: MfaPolicyDto,
}

/// The platform's two-factor policy for owners.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerMfaPolicy {
    /// Every owner must set up two-factor sign-in.
    require_for_owners: bool,
}

#[OpenApi(tag = "Tag::Mfa")]
impl MfaApi {
    /// Read where your second factor stands.
    ///
    /// Open to a user whom a policy requires to set it up and who has not yet.
    #[oai(path = "/auth/mfa", method = "get", operation_id = "get_my_mfa")]
    async fn status(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<MfaStatusOut>, SignedInErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let s = mfa::status(&self.state.sign_in(), &who).await?;
        Ok(Json(MfaStatusOut {
            enabled: s.enabled,
            pending: s.pending,
            recovery_codes_left: s.recovery_codes_left,
            required: s.required,
        }))
    }

    /// Start setting up an authenticator app.
    ///
    /// Answers a fresh secret (as text, `otpauth://` URI and QR code in SVG); it counts once
    /// confirmed with a first code. Starting again replaces an unconfirmed secret; with one
    /// already on, 409: turn it off first.
    #[oai(
        path = "/auth/mfa/totp",
        method = "post",
        operation_id = "start_mfa_setup"
    )]
    async fn start(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<CreatedResponse<MfaEnrolmentOut>, MfaStartErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let e = mfa::start(&self.state.sign_in(), &who).await?;
        Ok(CreatedResponse::Created(Json(MfaEnrolmentOut {
            secret: e.secret.expose().to_string(),
            otpauth_uri: e.otpauth_uri.expose().to_string(),
            qr_svg: e.qr_svg,
        })))
    }

    /// Confirm the authenticator with its first code.
    ///
    /// From now on every sign-in asks for a code. Answers ten single-use recovery codes, shown
    /// only now. A wrong code is a 400 naming `code`; throttled (429 with `Retry-After`).
    #[oai(
        path = "/auth/mfa/totp/confirm",
        method = "post",
        operation_id = "confirm_mfa_setup"
    )]
    async fn confirm(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<MfaCodeIn>,
    ) -> Result<Json<RecoveryCodesOut>, MfaErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let codes = mfa::confirm(&self.state.sign_in(), &who, &body.0.code).await?;
        Ok(Json(RecoveryCodesOut {
            recovery_codes: codes,
        }))
    }

    /// Turn two-factor sign-in off.
    ///
    /// Needs a current code or the password (throttled). Recovery codes stop working. A user
    /// whom a policy requires it of must set it up again before anything else.
    #[oai(
        path = "/auth/mfa/disable",
        method = "post",
        operation_id = "disable_mfa"
    )]
    async fn disable(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<MfaDisableIn>,
    ) -> Result<NoContentResponse, MfaErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let b = body.0;
        let password = b.password.map(SecretString::new);
        mfa::disable(
            &self.state.sign_in(),
            &who,
            b.code.as_deref(),
            password.as_ref(),
        )
        .await?;
        Ok(NoContentResponse::Done)
    }

    /// Get new recovery codes.
    ///
    /// Needs a current code (throttled). The old codes stop working; the ten new ones are shown
    /// only now.
    #[oai(
        path = "/auth/mfa/recovery-codes",
        method = "post",
        operation_id = "regenerate_mfa_recovery_codes"
    )]
    async fn regenerate(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<MfaCodeIn>,
    ) -> Result<Json<RecoveryCodesOut>, MfaErrors> {
        let who = auth.user_enrolling(&self.state, &caller).await?;
        let codes = mfa::regenerate(&self.state.sign_in(), &who, &body.0.code).await?;
        Ok(Json(RecoveryCodesOut {
            recovery_codes: codes,
        }))
    }

    /// Reset any user's second factor.
    ///
    /// Owner only. The user signs in with the password alone and may set it up again.
    #[oai(
        path = "/users/:user_id/mfa",
        method = "delete",
        operation_id = "reset_user_mfa"
    )]
    async fn reset_any(
        &self,
        auth: UserAuth,
        caller: Caller,
        user_id: Path<UserId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        mfa_admin::reset_by_owner(&owner, &self.state.store, user_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Reset a company user's second factor.
    ///
    /// A company admin or the owner. Another company's user is a 404.
    #[oai(
        path = "/companies/:id/users/:user_id/mfa",
        method = "delete",
        operation_id = "reset_company_user_mfa"
    )]
    async fn reset_in_company(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        user_id: Path<UserId>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        mfa_admin::reset_in_company(&scope, &self.state.store, user_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Read the owners' two-factor policy.
    ///
    /// Owner only.
    #[oai(
        path = "/settings/mfa-policy",
        method = "get",
        operation_id = "get_owner_mfa_policy"
    )]
    async fn owner_policy(
        &self,
        auth: UserAuth,
        caller: Caller,
    ) -> Result<Json<OwnerMfaPolicy>, ReadErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let required = mfa_admin::owners_required(&owner, &self.state.store).await?;
        Ok(Json(OwnerMfaPolicy {
            require_for_owners: required,
        }))
    }

    /// Require (or stop requiring) two-factor sign-in of owners.
    ///
    /// Owner only. An owner without a second factor can then only set one up.
    #[oai(
        path = "/settings/mfa-policy",
        method = "put",
        operation_id = "set_owner_mfa_policy"
    )]
    async fn set_owner_policy(
        &self,
        auth: UserAuth,
        caller: Caller,
        body: JsonBody<OwnerMfaPolicy>,
    ) -> Result<Json<OwnerMfaPolicy>, PolicyErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let required = body.0.require_for_owners;
        mfa_admin::set_owners_required(&owner, &self.state.store, required).await?;
        Ok(Json(OwnerMfaPolicy {
            require_for_owners: required,
        }))
    }

    /// Read a company's two-factor policy.
    ///
    /// A company admin or the owner.
    #[oai(
        path = "/companies/:id/mfa-policy",
        method = "get",
        operation_id = "get_company_mfa_policy"
    )]
    async fn company_policy(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
    ) -> Result<Json<CompanyMfaPolicy>, ReadOneErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let policy = mfa_admin::company_policy(&scope, &self.state.store).await?;
        Ok(Json(CompanyMfaPolicy {
            policy: policy.into(),
        }))
    }

    /// Require two-factor sign-in of a company's admins or of everyone.
    ///
    /// A company admin or the owner. Users it binds who have no second factor can then only
    /// set one up.
    #[oai(
        path = "/companies/:id/mfa-policy",
        method = "put",
        operation_id = "set_company_mfa_policy"
    )]
    async fn set_company_policy(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<CompanyId>,
        body: JsonBody<CompanyMfaPolicy>,
    ) -> Result<Json<CompanyMfaPolicy>, ChangeErrors> {
        let scope = auth.company::<Admin>(&self.state, &caller, id.0).await?;
        let policy = body.0.policy;
        mfa_admin::set_company_policy(&scope, &self.state.store, policy.into()).await?;
        Ok(Json(CompanyMfaPolicy { policy }))
    }
}
