//! armario as an OpenID Provider: authorization requests and the hosted sign-in page's steps,
//! the token endpoint's grants, and what applications ask of a token afterwards.

pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod grants;
pub mod inspect;
pub mod key_schedule;
pub mod keys;
pub mod subject;

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use crate::oidc::signing::SigningKeys;

/// The provider's state: its keys, its issuer and the access tokens revoked before expiry.
#[derive(Default)]
pub struct Oidc {
    pub keys: SigningKeys,
    issuer: OnceLock<String>,
    /// Revoked access tokens by `jti`, with their expiry: checked without the database on
    /// every application request that carries a token.
    revoked: RwLock<HashMap<String, i64>>,
}

impl Oidc {
    /// The issuer: the public URL (or the address the server listens on), set once at start.
    pub fn set_issuer(&self, base: &str) {
        let _ = self.issuer.set(base.trim_end_matches('/').to_string());
    }

    pub fn issuer(&self) -> &str {
        self.issuer.get().map_or("", String::as_str)
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    pub fn is_revoked(&self, jti: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(jti)
    }

    pub(crate) fn remember_revoked(&self, jti: String, expires_at: i64) {
        let now = crate::clock::now_ms();
        let mut map = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, exp| *exp > now);
        map.insert(jti, expires_at);
    }
}
