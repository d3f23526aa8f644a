//! Provisioning: what an application says about setting a linked company up on its side.

use crate::error::{DomainError, DomainResult};

/// Where an application stands with a linked company.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvisioningState {
    /// Someone asked the application to provision (again); it has not answered since.
    Requested,
    /// The application is setting the company up.
    Provisioning,
    /// The company is ready on the application's side.
    Ready,
    /// The application could not set the company up; its message says why.
    Failed,
}

impl ProvisioningState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Provisioning => "provisioning",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => Self::Requested,
            "provisioning" => Self::Provisioning,
            "ready" => Self::Ready,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// The longest message an application reports.
pub const MESSAGE_MAX: usize = 500;

/// A report's message: required when provisioning failed (someone must learn why), trimmed,
/// and at most [`MESSAGE_MAX`] characters of one line.
pub fn check_message(
    state: ProvisioningState,
    message: Option<String>,
) -> DomainResult<Option<String>> {
    let message = message
        .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|m| !m.is_empty());
    if let Some(m) = &message {
        if m.chars().count() > MESSAGE_MAX {
            return Err(DomainError::invalid(
                "message",
                "must have at most 500 characters",
            ));
        }
    }
    if state == ProvisioningState::Failed && message.is_none() {
        return Err(DomainError::invalid(
            "message",
            "say why provisioning failed",
        ));
    }
    Ok(message)
}

/// A link's provisioning as last reported or requested.
#[derive(Clone, Debug)]
pub struct Provisioning {
    pub state: ProvisioningState,
    pub message: Option<String>,
    pub reported_at: Option<i64>,
    pub requested_at: Option<i64>,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_must_say_why_and_messages_are_one_bounded_line() {
        use ProvisioningState::*;
        assert!(check_message(Failed, None).is_err());
        assert!(check_message(Failed, Some("  ".into())).is_err());
        assert_eq!(
            check_message(Failed, Some(" no\n  quota ".into())).unwrap(),
            Some("no quota".into())
        );
        assert_eq!(check_message(Ready, None).unwrap(), None);
        assert!(check_message(Ready, Some("x".repeat(501))).is_err());
        for s in [Requested, Provisioning, Ready, Failed] {
            assert_eq!(ProvisioningState::parse(s.as_str()), Some(s));
        }
    }
}
