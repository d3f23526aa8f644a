//! The provider's signing keys: ECDSA P-256 (ES256), the private part never leaving this
//! process unsealed. One key signs; every key whose tokens may still be alive is published in
//! the JWKS, so a rotation never cuts a token short.

use std::sync::RwLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{DomainError, DomainResult};

/// The JWS algorithm of every token armario signs.
pub const ALG: &str = "ES256";

/// A freshly generated key pair: the PKCS#8 document (to seal) and its public point.
pub struct NewKey {
    pub kid: String,
    pub pkcs8: zeroize::Zeroizing<Vec<u8>>,
    pub public: PublicPoint,
}

/// The public half as a JWK's `x` and `y` (base64url, 32 bytes each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicPoint {
    pub x: String,
    pub y: String,
}

/// Generates a P-256 key pair with a random key id.
pub fn generate() -> DomainResult<NewKey> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| DomainError::Internal("could not generate a signing key".into()))?;
    let pkcs8 = zeroize::Zeroizing::new(pkcs8.as_ref().to_vec());
    let public = public_point(&pkcs8)?;
    let kid = crate::crypto::token::generate("").0;
    Ok(NewKey {
        kid: kid.chars().take(22).collect(),
        pkcs8,
        public,
    })
}

/// The public point of a PKCS#8 P-256 key.
pub fn public_point(pkcs8: &[u8]) -> DomainResult<PublicPoint> {
    let rng = SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
        .map_err(|_| DomainError::Internal("a signing key does not parse".into()))?;
    // Uncompressed SEC1: 0x04 || x (32) || y (32).
    let point = pair.public_key().as_ref();
    Ok(PublicPoint {
        x: URL_SAFE_NO_PAD.encode(&point[1..33]),
        y: URL_SAFE_NO_PAD.encode(&point[33..65]),
    })
}

struct Signer {
    kid: String,
    key: EncodingKey,
}

struct Verifier {
    kid: String,
    public: PublicPoint,
    key: DecodingKey,
}

/// Why a token was refused; the message never quotes the token.
#[derive(Debug, thiserror::Error)]
pub enum JwtRefused {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not for this audience")]
    Audience,
    #[error("the token is malformed, tampered with or signed by an unknown key")]
    Invalid,
}

/// The key that signs and the keys that verify.
pub struct SigningKeys {
    inner: RwLock<(Option<Signer>, Vec<Verifier>)>,
}

/// One key as the store holds it, opened.
pub struct KeyMaterial {
    pub kid: String,
    /// Present for the key that signs.
    pub pkcs8: Option<zeroize::Zeroizing<Vec<u8>>>,
    pub public: PublicPoint,
}

impl Default for SigningKeys {
    fn default() -> Self {
        Self {
            inner: RwLock::new((None, Vec::new())),
        }
    }
}

impl SigningKeys {
    /// Replaces the set: `keys` are every published key, the one with `pkcs8` signs.
    pub fn load(&self, keys: Vec<KeyMaterial>) -> DomainResult<()> {
        let mut signer = None;
        let mut verifiers = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(pkcs8) = &k.pkcs8 {
                signer = Some(Signer {
                    kid: k.kid.clone(),
                    key: EncodingKey::from_ec_der(pkcs8),
                });
            }
            let key = DecodingKey::from_ec_components(&k.public.x, &k.public.y)
                .map_err(|_| DomainError::Internal("a published key does not parse".into()))?;
            verifiers.push(Verifier {
                kid: k.kid,
                public: k.public,
                key,
            });
        }
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) = (signer, verifiers);
        Ok(())
    }

    /// A key set made in memory, for tests of the token shapes.
    pub fn ephemeral() -> DomainResult<Self> {
        let new = generate()?;
        let keys = Self::default();
        keys.load(vec![KeyMaterial {
            kid: new.kid,
            pkcs8: Some(new.pkcs8),
            public: new.public,
        }])?;
        Ok(keys)
    }

    /// Signs `claims` with the current key.
    pub fn sign<T: Serialize>(&self, claims: &T, typ: &str) -> DomainResult<String> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let signer = guard
            .0
            .as_ref()
            .ok_or_else(|| DomainError::Internal("no signing key is loaded".into()))?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(signer.kid.clone());
        header.typ = Some(typ.to_string());
        jsonwebtoken::encode(&header, claims, &signer.key)
            .map_err(|_| DomainError::Internal("could not sign a token".into()))
    }

    /// As [`Self::verify`] without the expiry and audience checks: for a logout's
    /// `id_token_hint`, which is usually expired.
    pub fn verify_ignoring_expiry<T: DeserializeOwned>(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<T, JwtRefused> {
        self.check(token, issuer, None, false)
    }

    /// Checks signature, `iss`, `exp` (no leeway) and, when given, that `aud` is one of
    /// `audiences`; returns the claims.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        issuer: &str,
        audiences: Option<&[&str]>,
    ) -> Result<T, JwtRefused> {
        self.check(token, issuer, audiences, true)
    }

    fn check<T: DeserializeOwned>(
        &self,
        token: &str,
        issuer: &str,
        audiences: Option<&[&str]>,
        expiry: bool,
    ) -> Result<T, JwtRefused> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| JwtRefused::Invalid)?;
        if header.alg != Algorithm::ES256 {
            return Err(JwtRefused::Invalid);
        }
        let kid = header.kid.ok_or(JwtRefused::Invalid)?;
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let verifier = guard
            .1
            .iter()
            .find(|v| v.kid == kid)
            .ok_or(JwtRefused::Invalid)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = 0;
        validation.validate_exp = expiry;
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(if expiry {
            &["exp", "iss", "sub"][..]
        } else {
            &["iss", "sub"][..]
        });
        match audiences {
            Some(a) => validation.set_audience(a),
            None => validation.validate_aud = false,
        }
        jsonwebtoken::decode::<T>(token, &verifier.key, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => JwtRefused::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidAudience => JwtRefused::Audience,
                _ => JwtRefused::Invalid,
            })
    }

    /// The JSON Web Key Set: every published key.
    pub fn jwks(&self) -> serde_json::Value {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let keys: Vec<_> = guard
            .1
            .iter()
            .map(|v| {
                serde_json::json!({
                    "kty": "EC", "crv": "P-256", "alg": ALG, "use": "sig",
                    "kid": v.kid, "x": v.public.x, "y": v.public.y,
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// The published keys' ids in order, each with whether it signs: compared with the store's
    /// to notice a rotation made elsewhere.
    pub fn kids(&self) -> Vec<(String, bool)> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let signer = guard.0.as_ref().map(|s| s.kid.as_str());
        let mut kids: Vec<_> = guard
            .1
            .iter()
            .map(|v| (v.kid.clone(), Some(v.kid.as_str()) == signer))
            .collect();
        kids.sort();
        kids
    }

    /// The id of the key that signs now.
    pub fn current_kid(&self) -> Option<String> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.0.as_ref().map(|s| s.kid.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize)]
    struct C {
        iss: String,
        sub: String,
        aud: String,
        exp: i64,
    }

    fn claims(exp_in: i64) -> C {
        C {
            iss: "http://issuer".into(),
            sub: "u1".into(),
            aud: "app_1".into(),
            exp: chrono::Utc::now().timestamp() + exp_in,
        }
    }

    #[test]
    fn a_signed_token_verifies_for_its_audience_only() {
        let keys = SigningKeys::ephemeral().unwrap();
        let t = keys.sign(&claims(60), "JWT").unwrap();
        let c: C = keys.verify(&t, "http://issuer", Some(&["app_1"])).unwrap();
        assert_eq!(c.sub, "u1");
        assert!(matches!(
            keys.verify::<C>(&t, "http://issuer", Some(&["app_2"])),
            Err(JwtRefused::Audience)
        ));
        assert!(matches!(
            keys.verify::<C>(&t, "http://other", Some(&["app_1"])),
            Err(JwtRefused::Invalid)
        ));
    }

    #[test]
    fn expired_and_tampered_tokens_are_refused() {
        let keys = SigningKeys::ephemeral().unwrap();
        let t = keys.sign(&claims(-5), "JWT").unwrap();
        assert!(matches!(
            keys.verify::<C>(&t, "http://issuer", None),
            Err(JwtRefused::Expired)
        ));
        let t = keys.sign(&claims(60), "JWT").unwrap();
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        let body = serde_json::json!({"iss":"http://issuer","sub":"admin","aud":"app_1","exp":i64::MAX / 2});
        parts[1] = URL_SAFE_NO_PAD.encode(body.to_string());
        assert!(matches!(
            keys.verify::<C>(&parts.join("."), "http://issuer", None),
            Err(JwtRefused::Invalid)
        ));
        // A token from another key set is not ours.
        let other = SigningKeys::ephemeral().unwrap();
        let t = other.sign(&claims(60), "JWT").unwrap();
        assert!(keys.verify::<C>(&t, "http://issuer", None).is_err());
    }

    #[test]
    fn the_jwks_publishes_the_public_point_only() {
        let keys = SigningKeys::ephemeral().unwrap();
        let jwks = keys.jwks();
        let k = &jwks["keys"][0];
        assert_eq!(k["kty"], "EC");
        assert_eq!(k["kid"], keys.current_kid().unwrap());
        assert!(k.get("d").is_none());
    }
}
