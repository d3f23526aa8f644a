//! The domain error: what went wrong, in terms a caller can act on. HTTP mapping lives in
//! `api::error`; this type knows nothing of HTTP.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that cannot be accepted; `field` names the offending field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The object does not exist, or the caller may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is already taken, or the object is in a state that forbids the change.
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// A plan limit would be exceeded.
    #[error("{field}: {message}")]
    LimitExceeded { field: String, message: String },
    /// The caller is known but lacks the right.
    #[error("{0}")]
    Forbidden(String),
    /// A policy requires the signed-in user to set up two-factor sign-in before anything else.
    #[error("two-factor sign-in must be set up first")]
    MfaEnrollmentRequired,
    /// No valid credential was presented.
    #[error("{0}")]
    Unauthorized(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// The disk is full: the write was refused and nothing changed. The text says what SQLite
    /// reported, for the log.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Anything unexpected. The text goes to the log only, never to a client.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(err: impl fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }
}

/// Unique-constraint violations become `Conflict` here and nowhere else.
impl From<rusqlite::Error> for DomainError {
    fn from(err: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(code, _) = &err {
            if code.code == rusqlite::ErrorCode::DiskFull {
                return DomainError::StorageFull(err.to_string());
            }
        }
        if let rusqlite::Error::SqliteFailure(code, Some(msg)) = &err {
            if code.code == rusqlite::ErrorCode::ConstraintViolation {
                if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
                    let first = cols.split(',').next().unwrap_or(cols).trim();
                    let column = first.rsplit('.').next().unwrap_or(first);
                    // A user's address is unique through its keyed index (the address is sealed).
                    let field = match column {
                        "email_index" => "email",
                        other => other,
                    }
                    .to_string();
                    return DomainError::conflict(field, "is already in use");
                }
            }
        }
        DomainError::Internal(err.to_string())
    }
}

impl From<r2d2::Error> for DomainError {
    fn from(err: r2d2::Error) -> Self {
        DomainError::Internal(format!("connection pool: {err}"))
    }
}
