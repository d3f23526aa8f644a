//! Standard Webhooks signatures and the endpoint's signing secrets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::crypto::SealContext;

pub const SECRET_PREFIX: &str = "whsec_";
/// How long the previous secret still signs after a rotation.
pub const OVERLAP_MS: i64 = 24 * 3600 * 1000;

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The secrets of one endpoint, as sealed together.
#[derive(Serialize, Deserialize)]
pub struct Secrets {
    pub current: String,
    #[serde(default)]
    pub previous: Option<String>,
}

/// The associated data binding an endpoint's sealed secrets to its row.
pub fn context(endpoint: &str) -> SealContext<'_> {
    SealContext {
        table: "webhook_endpoints",
        column: "secrets_sealed",
        row: endpoint,
    }
}

/// `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}` with the secret's key bytes.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per secret still valid, space-separated.
pub fn header(secrets: &Secrets, id: &str, timestamp: i64, body: &str) -> String {
    std::iter::once(&secrets.current)
        .chain(secrets.previous.iter())
        .map(|s| signature(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    #[test]
    fn matches_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
