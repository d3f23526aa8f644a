//! The delivery task: sends due webhook deliveries, signed, at least once and in order per
//! (endpoint, company). Woken after every commit, it also polls as a fallback. A delivery is
//! marked delivered only after a 2xx, so a crash in between sends it again with the same
//! `webhook-id` (receivers deduplicate on it). A failed attempt waits on the retry schedule
//! with jitter; the last one dead-letters it. An endpoint failing for the whole schedule is
//! disabled (the owner's alerts tell it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::clock::now_ms;
use crate::crypto::Sealer;
use crate::db::webhooks::{Attempt, Due};
use crate::db::{self, Store};
use crate::domain::webhook::retry_factor;
use crate::error::DomainResult;

const IDLE_POLL: Duration = Duration::from_secs(5);
const BATCH: u32 = 32;
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is left to its sender before any sender may try it again (a
/// sender that stopped mid-send): well past one attempt's time limit.
const CLAIM_MS: i64 = 20_000;
/// The most of a response body read (and kept, in part, as the error).
const MAX_BODY: usize = 4096;

/// How the task behaves: the settings it needs.
#[derive(Clone, Copy)]
pub struct Policy {
    pub allow_private: bool,
    pub retry_base_ms: u64,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
}

impl Policy {
    /// The wait after `failed` failed attempts, with ±20% jitter.
    fn wait_ms(&self, failed: u32) -> i64 {
        let base = self.retry_base_ms.saturating_mul(retry_factor(failed)) as f64;
        (base * rand::thread_rng().gen_range(0.8..1.2)) as i64
    }

    /// How long an endpoint fails before it is disabled: the whole schedule at its shortest
    /// (every wait jittered down by 20%), so a delivery dead-lettered after failing all its
    /// attempts always finds its endpoint past the threshold.
    fn give_up_after_ms(&self) -> i64 {
        let units: u64 = (1..self.max_attempts).map(retry_factor).sum();
        (self.retry_base_ms.saturating_mul(units) as f64 * 0.8) as i64
    }
}

pub async fn run(
    store: Store,
    sealer: Arc<Sealer>,
    policy: Policy,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        // One read per wake: most commits queue no delivery, and the sender goes back to
        // waiting without looking for due ones.
        let wait = match store.read(db::webhooks::next_due_at).await {
            Ok(Some(at)) if at <= now_ms() => {
                let attempted = tokio::select! {
                    n = drain(&store, &sealer, policy) => n,
                    _ = &mut stop => return,
                };
                if attempted > 0 {
                    continue;
                }
                // Due, yet nothing was sent (a read failed): poll, never spin.
                IDLE_POLL
            }
            Ok(Some(at)) => {
                Duration::from_millis((at - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64)
            }
            Ok(None) => IDLE_POLL,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the webhook deliveries");
                IDLE_POLL
            }
        };
        tokio::select! {
            _ = store.committed() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = &mut stop => return,
        }
    }
}

/// Sends what is due; each batch holds at most one delivery per (endpoint, company), so its
/// deliveries go out together without breaking any order. Returns how many it attempted.
async fn drain(store: &Store, sealer: &Arc<Sealer>, policy: Policy) -> usize {
    let mut attempted = 0;
    loop {
        // A read first, so an idle sender writes nothing (a write would wake it again); then
        // the claim, in a write. Nothing claimed: another replica's sender came first.
        let due = match store.read(|c| db::webhooks::due(c, now_ms(), 1)).await {
            Ok(d) if d.is_empty() => Ok(d),
            Ok(_) => {
                store
                    .write(|tx| {
                        let now = now_ms();
                        db::webhooks::claim_due(tx, now, now + CLAIM_MS, BATCH)
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        let due = match due {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the webhook deliveries");
                return attempted;
            }
        };
        if due.is_empty() {
            return attempted;
        }
        attempted += due.len();
        let mut tasks = tokio::task::JoinSet::new();
        for d in due {
            let (store, sealer) = (store.clone(), sealer.clone());
            tasks.spawn(async move { attempt(&store, &sealer, policy, d).await });
        }
        while let Some(r) = tasks.join_next().await {
            if let Ok(Err(e)) = r {
                tracing::warn!(error = %e, "cannot record a webhook attempt");
            }
        }
    }
}

async fn attempt(store: &Store, sealer: &Sealer, policy: Policy, d: Due) -> DomainResult<()> {
    let endpoint = d.endpoint_id.clone();
    let secrets = store
        .read(move |c| db::webhooks::sealed_secrets(c, &endpoint))
        .await?;
    let Some((sealed, key_id, previous_until)) = secrets else {
        return Ok(());
    };
    let mut secrets: super::sign::Secrets = serde_json::from_slice(&sealer.open(
        &sealed,
        &key_id,
        &super::sign::context(&d.endpoint_id),
    )?)
    .map_err(crate::error::DomainError::internal)?;
    if previous_until.is_none_or(|t| t <= now_ms()) {
        secrets.previous = None;
    }
    let started = Instant::now();
    let outcome = send(&d, &secrets, policy).await;
    let latency_ms = started.elapsed().as_millis() as i64;
    let attempts = d.attempts + 1;
    let now = now_ms();
    let id = d.id;
    match outcome {
        Ok(code) => {
            tracing::info!(event_id = %d.event_id, attempts, code, "webhook delivered");
            let a = Attempt {
                response_code: Some(code),
                latency_ms,
                error: None,
            };
            store
                .write(move |tx| db::webhooks::mark_delivered(tx, id, attempts, &a, now))
                .await
        }
        Err((code, error)) => {
            tracing::info!(event_id = %d.event_id, attempts, error = %error, "webhook attempt failed");
            let next_at = (attempts < policy.max_attempts).then(|| now + policy.wait_ms(attempts));
            let a = Attempt {
                response_code: code,
                latency_ms,
                error: Some(error),
            };
            let give_up = policy.give_up_after_ms();
            let endpoint = d.endpoint_id.clone();
            store
                .write(move |tx| {
                    let since = db::webhooks::mark_failed(tx, id, attempts, &a, next_at, now)?;
                    if now - since >= give_up && db::webhooks::disable_failing(tx, &endpoint, now)? {
                        tracing::warn!(endpoint_id = %endpoint, "webhook endpoint disabled: failing for the whole retry schedule");
                    }
                    Ok(())
                })
                .await
        }
    }
}

/// One attempt: answers the 2xx status, or the status (if any) and what went wrong.
async fn send(
    d: &Due,
    secrets: &super::sign::Secrets,
    policy: Policy,
) -> Result<i64, (Option<i64>, String)> {
    let url =
        super::target::parse(&d.url, policy.allow_private).map_err(|e| (None, e.to_string()))?;
    let addrs = super::target::resolve(&url, policy.allow_private)
        .await
        .map_err(|e| (None, e.to_string()))?;
    let host = url.host_str().unwrap_or_default().to_string();
    // Connect only to the addresses just checked: a second lookup could answer others.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|e| (None, e.to_string()))?;
    let timestamp = now_ms() / 1000;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "armario-webhooks/1")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            super::sign::header(secrets, &d.event_id, timestamp, &d.payload),
        )
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| (None, describe(e)))?;
    let code = response.status().as_u16() as i64;
    let ok = response.status().is_success();
    let body = read_bounded(response).await;
    if ok {
        Ok(code)
    } else {
        let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        Err((Some(code), format!("answered {code}: {text}")))
    }
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within 10 seconds".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        // Without the URL: it may carry a token in its query.
        e.without_url().to_string()
    }
}

/// At most [`MAX_BODY`] bytes of the body; the rest is never read.
async fn read_bounded(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())])
            }
            _ => break,
        }
    }
    body
}
