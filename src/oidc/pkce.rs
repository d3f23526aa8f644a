//! PKCE (RFC 7636), S256 only: `plain` would hand the verifier to anyone who sees the
//! authorization request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Checks a `code_challenge` and its method as the authorization request carries them.
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<String, String> {
    let challenge = challenge
        .filter(|c| !c.is_empty())
        .ok_or("code_challenge is required (PKCE with S256)")?;
    match method {
        Some("S256") => {}
        Some("plain") => return Err("code_challenge_method plain is refused: use S256".into()),
        None => return Err("code_challenge_method is required and must be S256".into()),
        Some(_) => return Err("code_challenge_method must be S256".into()),
    }
    if challenge.len() != 43 || !challenge.bytes().all(is_unreserved_b64) {
        return Err("code_challenge must be 43 base64url characters (a SHA-256)".into());
    }
    Ok(challenge.to_string())
}

fn is_unreserved_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Whether `verifier` hashes to `challenge`.
pub fn verify(verifier: &str, challenge: &str) -> bool {
    let shape_ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !shape_ok {
        return false;
    }
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    crate::crypto::token::constant_time_eq(digest.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_verifies() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_challenge(Some(challenge), Some("S256")).is_ok());
        assert!(verify(verifier, challenge));
        assert!(!verify(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
            challenge
        ));
    }

    #[test]
    fn plain_and_missing_are_refused() {
        let c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_challenge(Some(c), Some("plain"))
            .unwrap_err()
            .contains("plain"));
        assert!(check_challenge(Some(c), None).is_err());
        assert!(check_challenge(None, Some("S256")).is_err());
    }
}
