//! `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): an application that registered a
//! public key proves itself with a short JWT signed by the private half.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The longest an assertion may live: it is a one-shot proof, not a session.
pub const MAX_LIFETIME_SECS: i64 = 300;

/// The registered key, checked: a public key of a kind we verify, with no private part.
pub fn public_key(jwk: &serde_json::Value) -> Result<(DecodingKey, Algorithm), String> {
    if jwk.get("d").is_some() || jwk.get("p").is_some() {
        return Err("must be a public key: it carries a private part".into());
    }
    let parsed: Jwk =
        serde_json::from_value(jwk.clone()).map_err(|_| "is not a JSON Web Key".to_string())?;
    let alg = match &parsed.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            jsonwebtoken::jwk::EllipticCurve::P256 => Algorithm::ES256,
            jsonwebtoken::jwk::EllipticCurve::P384 => Algorithm::ES384,
            _ => return Err("EC keys must be on P-256 or P-384".into()),
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            jsonwebtoken::jwk::EllipticCurve::Ed25519 => Algorithm::EdDSA,
            _ => return Err("OKP keys must be Ed25519".into()),
        },
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::OctetKey(_) => {
            return Err("must be a public key, not a shared secret".into())
        }
    };
    let key = DecodingKey::from_jwk(&parsed).map_err(|_| "does not parse as a key".to_string())?;
    Ok((key, alg))
}

#[derive(Deserialize)]
pub struct AssertionClaims {
    pub jti: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: Option<i64>,
}

/// Checks an assertion's signature and claims: `iss` = `sub` = the client id, `aud` one of
/// `audiences`, not expired, not living longer than five minutes. The caller checks `jti`
/// was not seen before.
pub fn verify(
    token: &str,
    jwk: &serde_json::Value,
    client_id: &str,
    audiences: &[&str],
    now_secs: i64,
) -> Result<AssertionClaims, &'static str> {
    let (key, alg) = public_key(jwk).map_err(|_| "the registered key is unusable")?;
    let header = jsonwebtoken::decode_header(token).map_err(|_| "malformed assertion")?;
    if header.alg != alg {
        return Err("the assertion's algorithm does not match the registered key");
    }
    let mut v = Validation::new(alg);
    v.leeway = 5;
    v.set_issuer(&[client_id]);
    v.sub = Some(client_id.to_string());
    v.set_audience(audiences);
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let claims = jsonwebtoken::decode::<AssertionClaims>(token, &key, &v)
        .map_err(|_| "the assertion is invalid, expired or not for this server")?
        .claims;
    let issued = claims.iat.unwrap_or(now_secs);
    if claims.exp - issued.min(now_secs) > MAX_LIFETIME_SECS {
        return Err("the assertion lives longer than five minutes");
    }
    if claims.jti.is_empty() || claims.jti.len() > 200 {
        return Err("the assertion needs a jti");
    }
    Ok(claims)
}
