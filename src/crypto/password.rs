//! Password hashing with argon2id, off the async runtime and with bounded concurrency, so a
//! burst of sign-ins cannot starve request handling or exhaust memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use super::SecretString;
use crate::error::{DomainError, DomainResult};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A real hash verified when the account does not exist, so timing does not tell.
    dummy_hash: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    // OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(DomainError::internal)
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks the policy; the message names the field.
pub fn validate(field: &str, password: &SecretString) -> DomainResult<()> {
    let len = password.expose().chars().count();
    if len < MIN_LENGTH {
        return Err(DomainError::invalid(
            field,
            format!("must have at least {MIN_LENGTH} characters"),
        ));
    }
    if len > MAX_LENGTH {
        return Err(DomainError::invalid(
            field,
            format!("must have at most {MAX_LENGTH} characters"),
        ));
    }
    Ok(())
}

impl Passwords {
    pub fn new(max_concurrent: usize) -> Self {
        let dummy = hash_blocking("armario-dummy-password").expect("hashing a constant works");
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: Arc::new(dummy),
        }
    }

    pub async fn hash(&self, password: &SecretString) -> DomainResult<String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(DomainError::internal)?;
        let pw = password.clone();
        tokio::task::spawn_blocking(move || hash_blocking(pw.expose()))
            .await
            .map_err(DomainError::internal)?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is none, taking
    /// the same time either way.
    pub async fn verify(&self, password: &SecretString, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_str().to_string());
        let pw = password.clone();
        let ok = tokio::task::spawn_blocking(move || verify_blocking(pw.expose(), &hash))
            .await
            .unwrap_or(false);
        ok && exists
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let p = Passwords::new(2);
        let pw = SecretString::new("correct horse battery");
        let h = p.hash(&pw).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify(&pw, Some(h.clone())).await);
        assert!(
            !p.verify(&SecretString::new("wrong password!"), Some(h))
                .await
        );
        assert!(!p.verify(&pw, None).await);
    }

    #[test]
    fn policy_names_the_field() {
        let err = validate("password", &SecretString::new("short")).unwrap_err();
        assert!(err.to_string().starts_with("password:"));
    }
}
