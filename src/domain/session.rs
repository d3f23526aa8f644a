//! A session as its owner and admins see it: never its token or the token's digest, only a
//! public id chosen at random when it starts.

use crate::ids::{CompanyId, SessionId, UserId};

/// How long a session's `last_seen_at` may lag behind its use: a request writes it at most
/// once a minute per session, so reads stay reads.
pub const LAST_SEEN_STEP_MS: i64 = 60_000;

/// Whether a use at `now` should record itself, given the session was last recorded at
/// `last_seen_at`.
pub fn needs_touch(last_seen_at: i64, now: i64) -> bool {
    now - last_seen_at >= LAST_SEEN_STEP_MS
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub user_name: String,
    pub user_email: String,
    pub company_id: Option<CompanyId>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session that made the request.
    pub current: bool,
}

/// Which sessions a list covers.
#[derive(Debug, Clone)]
pub enum SessionFilter {
    /// One user's.
    User(UserId),
    /// Every user's of one company, or one of them.
    Company(CompanyId, Option<UserId>),
    /// Everyone's (the owner), or one user's.
    All(Option<UserId>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_is_recorded_at_most_once_a_minute() {
        assert!(!needs_touch(1_000, 1_000));
        assert!(!needs_touch(1_000, 60_999));
        assert!(needs_touch(1_000, 61_000));
        assert!(needs_touch(0, i64::from(u32::MAX)));
    }
}
