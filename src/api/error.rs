//! The one error shape of the API, `{ "code", "message", "field"?, "error_id"? }`, and the
//! single mapping from domain errors to HTTP statuses.

use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object};

use crate::error::DomainError;

/// What kind of error an answer is, for a program to act on.
#[derive(Enum, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is invalid (400); `field` names it.
    Invalid,
    /// No valid credential (401).
    Unauthorized,
    /// The caller may not do this (403).
    Forbidden,
    /// A policy requires the signed-in user to set up two-factor sign-in first; only reading
    /// oneself, signing out and the set-up routes answer until then (403).
    MfaEnrollmentRequired,
    /// A write made with the session cookie lacks its `X-CSRF-Token` header (403).
    Csrf,
    /// No such object or route (404).
    NotFound,
    /// The method is not allowed on this route (405).
    MethodNotAllowed,
    /// A unique value is taken or the object's state forbids the change (409).
    Conflict,
    /// A plan limit is reached (409).
    LimitExceeded,
    /// The request body is too large (413).
    PayloadTooLarge,
    /// Too many attempts; see `Retry-After` (429).
    TooManyRequests,
    /// The server's disk is full; nothing changed (507).
    StorageFull,
    /// Unexpected error; quote `error_id` (500).
    Internal,
}

/// An error answer.
#[derive(Object, Debug)]
#[oai(example)]
pub struct ErrorBody {
    // No doc comment: it would wrap the enum's $ref in an allOf that generators copy.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
    /// The input field the error is about, when there is one (`cnpj`, `admin.email`, `limit`).
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// For 500s only: the id under which the error was logged.
    #[oai(skip_serializing_if_is_none)]
    pub error_id: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            error_id: None,
        }
    }

    /// An error about `field`, whose path is cut as the body documents it (a refusal from deep
    /// in a service may name a key the client made up).
    fn field(code: ErrorCode, field: String, message: String) -> Self {
        let field = super::body::cut_field(field);
        Self {
            code,
            message: format!("{field}: {message}"),
            field: Some(field),
            error_id: None,
        }
    }
}

/// Every error answer the API has, before an operation's error set (`api::statuses`) narrows
/// it to the statuses that operation documents. Deliberately not an `ApiResponse`: a handler
/// cannot return it, so no operation can claim every status.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(Json<ErrorBody>),
    Unauthorized(Json<ErrorBody>),
    Forbidden(Json<ErrorBody>),
    NotFound(Json<ErrorBody>),
    /// A unique value is taken, the object's state forbids the change, or a plan limit is reached.
    Conflict(Json<ErrorBody>),
    /// Too many attempts; the `Retry-After` value in seconds.
    TooManyRequests(Json<ErrorBody>, String),
    /// The disk is full: the change was refused and nothing changed.
    InsufficientStorage(Json<ErrorBody>),
    /// Unexpected; only its id is answered.
    Internal(Json<ErrorBody>),
}

impl poem_openapi::types::Example for ErrorBody {
    fn example() -> Self {
        Self {
            code: ErrorCode::Invalid,
            message: "cnpj: the check digits do not match".into(),
            field: Some("cnpj".into()),
            error_id: None,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid { field, message } => {
                Self::BadRequest(Json(ErrorBody::field(ErrorCode::Invalid, field, message)))
            }
            DomainError::NotFound(what) => Self::NotFound(Json(ErrorBody::new(
                ErrorCode::NotFound,
                format!("{what} not found"),
            ))),
            DomainError::Conflict { field, message } => {
                Self::Conflict(Json(ErrorBody::field(ErrorCode::Conflict, field, message)))
            }
            DomainError::LimitExceeded { field, message } => Self::Conflict(Json(
                ErrorBody::field(ErrorCode::LimitExceeded, field, message),
            )),
            DomainError::Forbidden(m) => {
                Self::Forbidden(Json(ErrorBody::new(ErrorCode::Forbidden, m)))
            }
            DomainError::MfaEnrollmentRequired => Self::Forbidden(Json(ErrorBody::new(
                ErrorCode::MfaEnrollmentRequired,
                "two-factor sign-in must be set up first: open the two-factor page",
            ))),
            DomainError::Unauthorized(m) => {
                Self::Unauthorized(Json(ErrorBody::new(ErrorCode::Unauthorized, m)))
            }
            DomainError::TooManyRequests { retry_after_secs } => Self::TooManyRequests(
                Json(ErrorBody::new(
                    ErrorCode::TooManyRequests,
                    format!("too many attempts; try again in {retry_after_secs} s"),
                )),
                retry_after_secs.to_string(),
            ),
            DomainError::StorageFull(detail) => {
                tracing::error!(detail = %detail, "a write was refused: the disk is full");
                Self::InsufficientStorage(Json(ErrorBody::new(
                    ErrorCode::StorageFull,
                    "the server's disk is full, so nothing was changed; try again once the operator has freed space",
                )))
            }
            DomainError::Internal(detail) => Self::Internal(Json(internal_body(&detail))),
        }
    }
}

/// Logs an unexpected error under a fresh id and returns the body that carries only the id.
pub fn internal_body(detail: &str) -> ErrorBody {
    let error_id = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(error_id = %error_id, detail = %detail, "internal error");
    ErrorBody {
        code: ErrorCode::Internal,
        message: format!("internal error; quote error id {error_id} when reporting it"),
        field: None,
        error_id: Some(error_id),
    }
}

/// Turns poem-openapi's own errors (a body that does not parse, a bad parameter, a missing
/// credential) into the API's error shape.
pub fn from_poem_error(err: poem::Error) -> ApiError {
    match err.status().as_u16() {
        401 => ApiError::Unauthorized(Json(ErrorBody::new(
            ErrorCode::Unauthorized,
            "sign in or send a valid bearer token",
        ))),
        403 => ApiError::Forbidden(Json(ErrorBody::new(ErrorCode::Forbidden, err.to_string()))),
        404 => ApiError::NotFound(Json(ErrorBody::new(ErrorCode::NotFound, err.to_string()))),
        s if s >= 500 => ApiError::Internal(Json(internal_body(&err.to_string()))),
        _ => ApiError::BadRequest(Json(input_error_body(&err))),
    }
}

/// The 400 body of input refused before a handler ran, naming the field from the error's
/// type: a body field (`JsonBody`), a query or path parameter, or the Content-Type header.
pub fn input_error_body(err: &poem::Error) -> ErrorBody {
    use poem_openapi::error::{ContentTypeError, ParseParamError, ParsePathError};
    let named =
        |field: &str, reason: String| ErrorBody::field(ErrorCode::Invalid, field.into(), reason);
    if let Some(e) = err.downcast_ref::<crate::api::body::InvalidInput>() {
        return named(&e.field, e.reason.clone());
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return named(e.name, e.reason.clone());
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return named(e.name, e.reason.clone());
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return named(
            "Content-Type",
            format!("{e}; send the body as JSON with Content-Type: application/json"),
        );
    }
    ErrorBody::new(ErrorCode::Invalid, err.to_string())
}
