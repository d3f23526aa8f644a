//! The one error shape of the API, `{ "code", "message", "field"?, "error_id"? }`, and the
//! single mapping from domain errors to HTTP statuses.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::error::DomainError;

/// An error answer.
#[derive(Object, Debug)]
pub struct ErrorBody {
    /// Machine-readable code: invalid, unauthorized, forbidden, csrf, not_found, conflict,
    /// limit_exceeded, too_many_requests, storage_full, internal.
    pub code: String,
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
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            field: None,
            error_id: None,
        }
    }

    fn field(code: &str, field: String, message: String) -> Self {
        Self {
            code: code.into(),
            message: format!("{field}: {message}"),
            field: Some(field),
            error_id: None,
        }
    }
}

#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "from_poem_error")]
pub enum ApiError {
    /// The input is invalid; `field` names the field.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid credential.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The caller may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such object, or it belongs to someone else.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// A unique value is taken, the object's state forbids the change, or a plan limit is reached.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Too many attempts; retry after the given seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
    /// The server's disk is full: the change was refused and nothing changed. Retry once space
    /// is freed.
    #[oai(status = 507)]
    InsufficientStorage(Json<ErrorBody>),
    /// Unexpected error; only its id is returned, the details are in the log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid { field, message } => {
                Self::BadRequest(Json(ErrorBody::field("invalid", field, message)))
            }
            DomainError::NotFound(what) => Self::NotFound(Json(ErrorBody::new(
                "not_found",
                format!("{what} not found"),
            ))),
            DomainError::Conflict { field, message } => {
                Self::Conflict(Json(ErrorBody::field("conflict", field, message)))
            }
            DomainError::LimitExceeded { field, message } => {
                Self::Conflict(Json(ErrorBody::field("limit_exceeded", field, message)))
            }
            DomainError::Forbidden(m) => Self::Forbidden(Json(ErrorBody::new("forbidden", m))),
            DomainError::Unauthorized(m) => {
                Self::Unauthorized(Json(ErrorBody::new("unauthorized", m)))
            }
            DomainError::TooManyRequests { retry_after_secs } => Self::TooManyRequests(
                Json(ErrorBody::new(
                    "too_many_requests",
                    format!("too many attempts; try again in {retry_after_secs} s"),
                )),
                retry_after_secs.to_string(),
            ),
            DomainError::StorageFull(detail) => {
                tracing::error!(detail = %detail, "a write was refused: the disk is full");
                Self::InsufficientStorage(Json(ErrorBody::new(
                    "storage_full",
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
        code: "internal".into(),
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
            "unauthorized",
            "sign in or send a valid bearer token",
        ))),
        403 => ApiError::Forbidden(Json(ErrorBody::new("forbidden", err.to_string()))),
        404 => ApiError::NotFound(Json(ErrorBody::new("not_found", err.to_string()))),
        s if s >= 500 => ApiError::Internal(Json(internal_body(&err.to_string()))),
        _ => ApiError::BadRequest(Json(input_error_body(&err))),
    }
}

/// The 400 body of input refused before a handler ran, naming the field from the error's
/// type: a body field (`JsonBody`), a query or path parameter, or the Content-Type header.
pub fn input_error_body(err: &poem::Error) -> ErrorBody {
    use poem_openapi::error::{ContentTypeError, ParseParamError, ParsePathError};
    let named = |field: &str, reason: String| ErrorBody::field("invalid", field.into(), reason);
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
    ErrorBody::new("invalid", err.to_string())
}
