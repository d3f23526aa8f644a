//! Password hashing with argon2id, off the async runtime, on a few threads of its own that run
//! at a lower scheduling priority: a burst of sign-ins uses what the cores have to spare, requests
//! preempt it, and memory stays bounded by the number of threads.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::SecretString;
use crate::error::{DomainError, DomainResult};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The threads that hash passwords, and the queue they take work from.
struct HashPool {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl HashPool {
    fn start(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("armario-hash-{i}"))
                .spawn(move || {
                    if let Err(e) = crate::backup::threads::lower_priority() {
                        tracing::warn!(error = %e, "could not lower a password thread's priority");
                    }
                    loop {
                        let next = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("start a password hashing thread");
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread; `None` if the pool is gone.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .ok()?;
        rx.await.ok()
    }
}

#[derive(Clone)]
pub struct Passwords {
    pool: Arc<HashPool>,
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
            pool: Arc::new(HashPool::start(max_concurrent)),
            dummy_hash: Arc::new(dummy),
        }
    }

    pub async fn hash(&self, password: &SecretString) -> DomainResult<String> {
        let pw = password.clone();
        self.pool
            .run(move || hash_blocking(pw.expose()))
            .await
            .ok_or_else(|| DomainError::internal("the password threads are gone"))?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is none, taking
    /// the same time either way.
    pub async fn verify(&self, password: &SecretString, hash: Option<String>) -> bool {
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_str().to_string());
        let pw = password.clone();
        let ok = self
            .pool
            .run(move || verify_blocking(pw.expose(), &hash))
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
