//! Password hashing with argon2id, off the async runtime, on a few threads of its own that run
//! at a lower scheduling priority: a burst of sign-ins uses what the cores have to spare, requests
//! preempt it, and memory stays bounded by the number of threads.
//!
//! Each thread keeps its 19 MiB of argon2 memory from one hash to the next and gives it back
//! after a few idle seconds. Mapping it afresh for every hash and unmapping it after had the
//! kernel fault in and zero 4,864 pages per hash, and each unmapping locked the process's
//! address space and interrupted the other cores to flush their TLBs, while they served
//! requests.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::SecretString;
use crate::error::{DomainError, DomainResult};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// How long a hashing thread keeps its memory without work.
const KEEP_MEMORY_IDLE: Duration = Duration::from_secs(5);

/// Blocks kept between hashes at most: the cost armario hashes with. A stored hash with a
/// larger cost (made elsewhere) gets memory of its own for that one verification.
const KEPT_BLOCKS: usize = 19 * 1024;

/// A hashing thread's argon2 memory, kept between hashes.
#[derive(Default)]
struct Memory {
    blocks: Vec<Block>,
}

impl Memory {
    /// Runs `f` over `count` blocks: the kept ones, grown to `count` when needed, or for a cost
    /// above [`KEPT_BLOCKS`] blocks allocated for this call alone.
    fn with<T>(&mut self, count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        if count > KEPT_BLOCKS {
            return f(&mut vec![Block::default(); count]);
        }
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        f(&mut self.blocks[..count])
    }

    fn release(&mut self) {
        self.blocks = Vec::new();
    }
}

type Job = Box<dyn FnOnce(&mut Memory) + Send + 'static>;

/// The threads that hash passwords, and the queue they take work from.
struct HashPool {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl HashPool {
    fn start(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("armario-hash-{i}"))
                .spawn(move || {
                    if let Err(e) = crate::backup::threads::lower_priority() {
                        tracing::warn!(error = %e, "could not lower a password thread's priority");
                    }
                    work(&queue);
                })
                .expect("start a password hashing thread");
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread with its memory; `None` if the pool is gone.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory: &mut Memory| {
                let _ = tx.send(work(memory));
            }))
            .ok()?;
        rx.await.ok()
    }
}

/// A hashing thread's loop: jobs in turn, the memory given back once none came for a while.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Memory::default();
    loop {
        let next = match queue.lock() {
            Ok(q) => q.recv_timeout(KEEP_MEMORY_IDLE),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(&mut memory),
            Err(RecvTimeoutError::Timeout) => memory.release(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[derive(Clone)]
pub struct Passwords {
    pool: Arc<HashPool>,
    /// A real hash verified when the account does not exist, so timing does not tell.
    dummy_hash: Arc<String>,
}

fn params() -> Params {
    // OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1.
    Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid")
}

fn hash_blocking(memory: &mut Memory, password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(DomainError::internal)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory
        .with(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
        })
        .map_err(DomainError::internal)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(DomainError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(DomainError::internal)?),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `hash` (a PHC string) was made from, with the hash's own
/// algorithm, version and cost; the outputs are compared in constant time.
fn verify_blocking(memory: &mut Memory, password: &str, hash: &str) -> bool {
    let mut verify = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let expected = parsed.hash?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let mut salt = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut out = vec![0u8; expected.len()];
        memory
            .with(params.block_count(), |blocks| {
                argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
            })
            .ok()?;
        Some(Output::new(&out).ok()? == expected)
    };
    verify().unwrap_or(false)
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
        let dummy = hash_blocking(&mut Memory::default(), "armario-dummy-password")
            .expect("hashing a constant works");
        Self {
            pool: Arc::new(HashPool::start(max_concurrent)),
            dummy_hash: Arc::new(dummy),
        }
    }

    pub async fn hash(&self, password: &SecretString) -> DomainResult<String> {
        let pw = password.clone();
        self.pool
            .run(move |memory| hash_blocking(memory, pw.expose()))
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
            .run(move |memory| verify_blocking(memory, pw.expose(), &hash))
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

    /// Hashes stored by the argon2 crate's own `PasswordHasher` (as armario made them before
    /// it kept its memory) verify, at armario's cost and another; and the crate verifies ours.
    #[test]
    fn hashes_match_the_argon2_crates_own_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut memory = Memory::default();
        for params in [params(), Params::new(8 * 1024, 1, 1, None).unwrap()] {
            let crate_made = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(
                    b"senha correta 123",
                    &SaltString::generate(&mut rand::rngs::OsRng),
                )
                .unwrap()
                .to_string();
            assert!(verify_blocking(
                &mut memory,
                "senha correta 123",
                &crate_made
            ));
            assert!(!verify_blocking(
                &mut memory,
                "senha errada 123",
                &crate_made
            ));
        }
        let ours = hash_blocking(&mut memory, "senha correta 123").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"senha correta 123", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"senha errada 123", &parsed)
            .is_err());
        // Two hashes of one password differ (fresh salts), and each verifies.
        let again = hash_blocking(&mut memory, "senha correta 123").unwrap();
        assert_ne!(ours, again);
        assert!(verify_blocking(&mut memory, "senha correta 123", &again));
    }

    #[test]
    fn a_malformed_or_altered_hash_verifies_nothing() {
        let mut memory = Memory::default();
        let good = hash_blocking(&mut memory, "senha correta 123").unwrap();
        let last = good.chars().last().unwrap();
        let altered = format!(
            "{}{}",
            &good[..good.len() - 1],
            if last == 'A' { 'B' } else { 'A' }
        );
        for hash in [
            altered.as_str(),
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "",
        ] {
            assert!(
                !verify_blocking(&mut memory, "senha correta 123", hash),
                "{hash}"
            );
        }
    }

    #[test]
    fn the_memory_is_kept_up_to_armarios_cost_and_given_back() {
        let mut memory = Memory::default();
        memory.with(KEPT_BLOCKS, |b| assert_eq!(b.len(), KEPT_BLOCKS));
        assert_eq!(memory.blocks.len(), KEPT_BLOCKS);
        memory.with(1024, |b| assert_eq!(b.len(), 1024));
        assert_eq!(memory.blocks.len(), KEPT_BLOCKS, "a smaller cost reuses it");
        memory.with(KEPT_BLOCKS + 1, |b| assert_eq!(b.len(), KEPT_BLOCKS + 1));
        assert_eq!(
            memory.blocks.len(),
            KEPT_BLOCKS,
            "a larger cost is not kept"
        );
        memory.release();
        assert!(memory.blocks.is_empty());
        assert_eq!(memory.blocks.capacity(), 0);
    }

    #[test]
    fn policy_names_the_field() {
        let err = validate("password", &SecretString::new("short")).unwrap_err();
        assert!(err.to_string().starts_with("password:"));
    }
}
