//! Invitations to join a company with a role, accepted through a single-use link.

use crate::ids::{CompanyId, InvitationId, UserId};

use super::language::Lang;
use super::Role;

/// How long an invitation's link works: 7 days.
pub const INVITATION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: InvitationId,
    pub company_id: CompanyId,
    pub email: String,
    pub role: Role,
    /// The language its messages are written in; a resent message keeps it.
    pub language: Lang,
    pub expires_at: i64,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub sent_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Where an invitation stands at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

impl Invitation {
    pub fn state(&self, now: i64) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Accepted
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}
