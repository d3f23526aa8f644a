//! The audit log as a hash chain. Each event's link is SHA-256 over the previous link and a
//! canonical encoding of the event; the personal fields (the IP and the details, which may name
//! people) enter only as a salted commitment stored beside the event. Anonymising a person
//! replaces those fields and drops the salt: the commitment, and so the chain, stays as it was,
//! and without the salt the commitment no longer confirms a guessed name or e-mail.

use sha2::{Digest, Sha256};

/// The link before the first event of a chain that was never pruned.
pub const GENESIS: [u8; 32] = [0; 32];
const LINK_TAG: &[u8] = b"armario.audit.link.v1";
const PERSONAL_TAG: &[u8] = b"armario.audit.personal.v1";

/// The fields the chain covers directly (everything but the personal ones).
pub struct ChainedFields<'a> {
    pub id: i64,
    pub at: i64,
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub company_id: Option<&'a str>,
    pub action: &'a str,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<&'a str>,
}

/// Length-prefixed, so no two different field lists encode the same bytes.
fn put_text(h: &mut Sha256, v: Option<&str>) {
    match v {
        None => h.update([0u8]),
        Some(s) => {
            h.update([1u8]);
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
    }
}

/// The commitment to an event's personal fields.
pub fn personal_commit(salt: &[u8], ip: Option<&str>, details: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(PERSONAL_TAG);
    h.update((salt.len() as u64).to_be_bytes());
    h.update(salt);
    put_text(&mut h, ip);
    put_text(&mut h, Some(details));
    h.finalize().into()
}

/// The link of one event, given the previous link.
pub fn link(prev: &[u8], f: &ChainedFields<'_>, commit: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LINK_TAG);
    h.update((prev.len() as u64).to_be_bytes());
    h.update(prev);
    h.update(f.id.to_be_bytes());
    h.update(f.at.to_be_bytes());
    put_text(&mut h, Some(f.actor_kind));
    put_text(&mut h, f.actor_id);
    put_text(&mut h, f.company_id);
    put_text(&mut h, Some(f.action));
    put_text(&mut h, f.target_kind);
    put_text(&mut h, f.target_id);
    h.update((commit.len() as u64).to_be_bytes());
    h.update(commit);
    h.finalize().into()
}

/// A fresh salt for one event's commitment.
pub fn new_salt() -> [u8; 16] {
    rand::random()
}

/// How the chain was found broken, at the first event that breaks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// The event's fields no longer match its link or its commitment.
    Edited,
    /// The event is gone (its link remains, or the next event no longer follows the last one).
    Deleted,
    /// The event has no link: it was written outside armario.
    Inserted,
}

impl BreakKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Deleted => "deleted",
            Self::Inserted => "inserted",
        }
    }
}

/// The first break found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub event_id: i64,
    pub kind: BreakKind,
    pub message: String,
}

/// The last link of a chain: what a backup's manifest records.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainHead {
    pub event_id: i64,
    /// The link, lowercase hex.
    pub hash: String,
}

/// What a verification found.
#[derive(Clone, Debug, Default)]
pub struct ChainReport {
    pub events_checked: i64,
    /// Events whose personal fields were anonymised (their commitment is kept, unchecked).
    pub anonymised: i64,
    pub head: Option<ChainHead>,
    pub broken: Option<Break>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(action: &str) -> ChainedFields<'_> {
        ChainedFields {
            id: 7,
            at: 1,
            actor_kind: "user",
            actor_id: Some("u"),
            company_id: None,
            action,
            target_kind: None,
            target_id: None,
        }
    }

    #[test]
    fn every_field_and_the_previous_link_change_the_link() {
        let c = personal_commit(b"salt", Some("10.0.0.1"), "{}");
        let base = link(&GENESIS, &fields("a.b"), &c);
        assert_ne!(base, link(&GENESIS, &fields("a.c"), &c));
        assert_ne!(base, link(&[1; 32], &fields("a.b"), &c));
        let other = personal_commit(b"salt", Some("10.0.0.2"), "{}");
        assert_ne!(base, link(&GENESIS, &fields("a.b"), &other));
        // None and the empty string are different values.
        assert_ne!(
            personal_commit(b"s", None, "{}"),
            personal_commit(b"s", Some(""), "{}")
        );
    }
}
