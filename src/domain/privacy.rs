//! Data-subject requests (LGPD art. 18) and the encarregado's contacts: what a request is, the
//! deadline the law sets, and which status changes make sense.

use crate::domain::validate;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CompanyId, PrivacyRequestId, UserId};

/// LGPD art. 19, II: a complete answer within 15 days of the request.
pub const DUE_DAYS: i64 = 15;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest details, notes or refusal reason kept.
pub const TEXT_MAX: usize = 2000;
pub const DPO_NAME_MAX: usize = 200;

/// When a request made at `created_at` (Unix ms) must be answered.
pub fn due_at(created_at: i64) -> i64 {
    created_at + DUE_DAYS * DAY_MS
}

/// The rights of LGPD art. 18 a request can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Access,
    Correction,
    Portability,
    Anonymisation,
    Deletion,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Correction => "correction",
            Self::Portability => "portability",
            Self::Anonymisation => "anonymisation",
            Self::Deletion => "deletion",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "access" => Self::Access,
            "correction" => Self::Correction,
            "portability" => Self::Portability,
            "anonymisation" => Self::Anonymisation,
            "deletion" => Self::Deletion,
            _ => return None,
        })
    }

    /// Whether fulfilling the request means erasing the person: the erasure service is the
    /// one step that serves it (see `service::privacy_requests::Fulfilment`).
    pub fn erases(self) -> bool {
        matches!(self, Self::Anonymisation | Self::Deletion)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Open,
    InProgress,
    Fulfilled,
    Refused,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Fulfilled => "fulfilled",
            Self::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "in_progress" => Self::InProgress,
            "fulfilled" => Self::Fulfilled,
            "refused" => Self::Refused,
            _ => return None,
        })
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Fulfilled | Self::Refused)
    }
}

/// A stored request.
#[derive(Clone, Debug)]
pub struct PrivacyRequest {
    pub id: PrivacyRequestId,
    pub company_id: CompanyId,
    pub subject_id: UserId,
    pub subject_name: Option<String>,
    pub requested_by: UserId,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub details: String,
    pub notes: String,
    pub refusal_reason: Option<String>,
    pub created_at: i64,
    pub due_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

impl PrivacyRequest {
    /// Still open past its due date.
    pub fn overdue(&self, now: i64) -> bool {
        !self.status.is_closed() && now > self.due_at
    }
}

/// How the owner moves a request on; absent fields stay.
#[derive(Debug, Default)]
pub struct RequestUpdate {
    pub status: Option<RequestStatus>,
    pub notes: Option<String>,
    pub refusal_reason: Option<String>,
}

impl RequestUpdate {
    /// A refusal must say why (LGPD art. 18 §4): the reason is required with `refused`, and
    /// refused only. A closed request stays closed.
    pub fn validate(
        status: Option<RequestStatus>,
        notes: Option<&str>,
        refusal_reason: Option<&str>,
    ) -> DomainResult<Self> {
        // Notes may be cleared: an empty string is kept as empty, not as absent.
        let notes = notes
            .map(|n| validate::optional("notes", Some(n), TEXT_MAX).map(Option::unwrap_or_default))
            .transpose()?;
        let reason = validate::optional("refusal_reason", refusal_reason, TEXT_MAX)?;
        match (status, &reason) {
            (Some(RequestStatus::Refused), None) => {
                return Err(DomainError::invalid(
                    "refusal_reason",
                    "a refusal must say why",
                ))
            }
            (Some(RequestStatus::Refused), Some(_)) => {}
            (_, Some(_)) => {
                return Err(DomainError::invalid(
                    "refusal_reason",
                    "only a refused request has a reason",
                ))
            }
            _ => {}
        }
        Ok(Self {
            status,
            notes,
            refusal_reason: reason,
        })
    }
}

/// An encarregado's contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dpo {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub updated_at: i64,
}

impl Dpo {
    pub fn validate(name: &str, email: &str, phone: Option<&str>) -> DomainResult<Self> {
        Ok(Self {
            name: validate::required("name", name, DPO_NAME_MAX)?,
            email: validate::email("email", email)?,
            phone: validate::optional_phone("phone", phone)?.unwrap_or_default(),
            updated_at: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_fifteen_days_later() {
        assert_eq!(due_at(0), 15 * 86_400_000);
    }

    #[test]
    fn refusal_needs_a_reason_and_only_refusal_has_one() {
        let e = RequestUpdate::validate(Some(RequestStatus::Refused), None, None).unwrap_err();
        assert!(matches!(e, DomainError::Invalid { ref field, .. } if field == "refusal_reason"));
        let e =
            RequestUpdate::validate(Some(RequestStatus::Fulfilled), None, Some("x")).unwrap_err();
        assert!(matches!(e, DomainError::Invalid { ref field, .. } if field == "refusal_reason"));
        assert!(RequestUpdate::validate(Some(RequestStatus::Refused), None, Some("x")).is_ok());
    }
}
