//! Opaque bearer tokens: 256 random bits, base64url, behind a recognisable prefix so secret
//! scanners can spot a leaked one. Only the SHA-256 digest is stored.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const SESSION_PREFIX: &str = "arm_sess_";
pub const SETUP_PREFIX: &str = "arm_setup_";
pub const LOGIN_LINK_PREFIX: &str = "arm_link_";
pub const RESET_PREFIX: &str = "arm_reset_";
pub const INVITE_PREFIX: &str = "arm_invite_";
pub const VERIFY_PREFIX: &str = "arm_verify_";
pub const EMAIL_CHANGE_PREFIX: &str = "arm_email_";
pub const MAGIC_LINK_PREFIX: &str = "arm_magic_";
/// The random value a magic link's browser keeps in a cookie.
pub const MAGIC_NONCE_PREFIX: &str = "arm_mnonce_";
/// The challenge between a sign-in's first factor and its second.
pub const MFA_PREFIX: &str = "arm_mfa_";
pub const API_KEY_PREFIX: &str = "arm_live_";

pub type TokenHash = [u8; 32];

/// Generates a token with `prefix` and returns it with its digest.
pub fn generate(prefix: &str) -> (String, TokenHash) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = digest(&token);
    (token, hash)
}

pub fn digest(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A token that cannot be one of ours is refused before any lookup.
pub fn well_formed(token: &str, prefix: &str) -> bool {
    token.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The CSRF token bound to a session: derived from the session token, so the server needs no
/// extra state and a page without the HttpOnly cookie cannot compute it.
pub fn csrf_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"armario/csrf/v1:");
    h.update(session_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&h.finalize()[..24])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_unique_and_digested() {
        let (a, ha) = generate(SESSION_PREFIX);
        let (b, _) = generate(SESSION_PREFIX);
        assert!(a.starts_with(SESSION_PREFIX));
        assert!(well_formed(&a, SESSION_PREFIX));
        assert!(!well_formed(&a, API_KEY_PREFIX));
        assert_ne!(a, b);
        assert!(constant_time_eq(&ha, &digest(&a)));
        assert_ne!(csrf_for(&a), csrf_for(&b));
    }
}
