//! Webhook endpoints, managed by the owner for each application, and their deliveries.

pub mod sender;
pub mod sign;
pub mod target;

use std::sync::Arc;

use serde_json::json;

use crate::clock::now_ms;
use crate::crypto::Sealer;
use crate::db::webhooks::{Delivery, Endpoint};
use crate::db::{self, Store};
use crate::domain::audit::NewAuditEvent;
use crate::domain::webhook::CATALOGUE;
use crate::error::{DomainError, DomainResult};
use crate::service::app_roles::Declarer;
use sign::Secrets;

/// The most endpoints an application registers: enough for a receiver per environment and
/// per concern, few enough that one event never fans out into a flood.
pub const MAX_ENDPOINTS: usize = 10;

/// What the owner sets on an endpoint; `None` leaves a field as it is.
#[derive(Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

fn check_types(types: &[String]) -> DomainResult<Vec<String>> {
    if types.is_empty() {
        return Err(DomainError::invalid(
            "event_types",
            "name at least one event type",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for t in types {
        if !CATALOGUE.contains(&t.as_str()) {
            return Err(DomainError::invalid(
                "event_types",
                format!("{t} is not an event type of the catalogue"),
            ));
        }
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    Ok(out)
}

async fn check_url(raw: &str, allow_private: bool) -> DomainResult<String> {
    let url = target::parse(raw, allow_private)?;
    target::resolve(&url, allow_private).await?;
    Ok(url.to_string())
}

/// Registers an endpoint; answers it with its signing secret, shown only now.
pub async fn create(
    store: &Store,
    sealer: &Arc<Sealer>,
    who: Declarer<'_>,
    input: EndpointInput,
    allow_private: bool,
) -> DomainResult<(Endpoint, String)> {
    let app = who.application();
    let types = check_types(&input.event_types.unwrap_or_default())?;
    let url = check_url(
        input
            .url
            .as_deref()
            .ok_or_else(|| DomainError::invalid("url", "is required"))?,
        allow_private,
    )
    .await?;
    let now = now_ms();
    let endpoint = Endpoint {
        id: format!("whe_{}", uuid::Uuid::now_v7().simple()),
        application_id: app.to_string(),
        url,
        event_types: types,
        enabled: input.enabled.unwrap_or(true),
        disabled_reason: None,
        previous_until: None,
        created_at: now,
        updated_at: now,
    };
    let secret = sign::new_secret();
    let plain = serde_json::to_vec(&Secrets {
        current: secret.clone(),
        previous: None,
    })
    .map_err(DomainError::internal)?;
    let sealed = sealer.seal(&plain, &sign::context(&endpoint.id));
    let ctx = who.audit();
    let e = endpoint.clone();
    store
        .write(move |tx| {
            db::applications::get(tx, &app)?.ok_or(DomainError::NotFound("application"))?;
            if db::webhooks::list(tx, &app)?.len() >= MAX_ENDPOINTS {
                return Err(DomainError::conflict(
                    "url",
                    "an application has at most 10 webhook endpoints",
                ));
            }
            db::webhooks::insert(tx, &e, &sealed.bytes, &sealed.key_id)?;
            let event = NewAuditEvent::new("webhook.created")
                .target("application", &app)
                .details(
                    json!({ "endpoint_id": e.id, "url": e.url, "event_types": e.event_types }),
                );
            db::audit::insert(tx, &ctx, &event, now)
        })
        .await?;
    Ok((endpoint, secret))
}

pub async fn list(store: &Store, who: Declarer<'_>) -> DomainResult<Vec<Endpoint>> {
    let app = who.application();
    store
        .read(move |c| {
            db::applications::get(c, &app)?.ok_or(DomainError::NotFound("application"))?;
            db::webhooks::list(c, &app)
        })
        .await
}

pub async fn get(store: &Store, who: Declarer<'_>, id: String) -> DomainResult<Endpoint> {
    let app = who.application();
    store
        .read(move |c| {
            db::webhooks::get(c, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))
        })
        .await
}

pub async fn update(
    store: &Store,
    who: Declarer<'_>,
    id: String,
    input: EndpointInput,
    allow_private: bool,
) -> DomainResult<Endpoint> {
    let app = who.application();
    let types = input.event_types.as_deref().map(check_types).transpose()?;
    let url = match &input.url {
        Some(u) => Some(check_url(u, allow_private).await?),
        None => None,
    };
    let ctx = who.audit();
    store
        .write(move |tx| {
            let mut e = db::webhooks::get(tx, &app, &id)?
                .ok_or(DomainError::NotFound("webhook endpoint"))?;
            e.url = url.clone().unwrap_or(e.url);
            e.event_types = types.clone().unwrap_or(e.event_types);
            e.enabled = input.enabled.unwrap_or(e.enabled);
            let now = now_ms();
            db::webhooks::update(tx, &e, now)?;
            let event = NewAuditEvent::new("webhook.updated")
                .target("application", &app)
                .details(json!({ "endpoint_id": e.id, "url": e.url,
                                 "event_types": e.event_types, "enabled": e.enabled }));
            db::audit::insert(tx, &ctx, &event, now)?;
            db::webhooks::get(tx, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))
        })
        .await
}

pub async fn delete(store: &Store, who: Declarer<'_>, id: String) -> DomainResult<()> {
    let app = who.application();
    let ctx = who.audit();
    store
        .write(move |tx| {
            if !db::webhooks::delete(tx, &app, &id)? {
                return Err(DomainError::NotFound("webhook endpoint"));
            }
            let event = NewAuditEvent::new("webhook.deleted")
                .target("application", &app)
                .details(json!({ "endpoint_id": id }));
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await
}

/// Replaces the signing secret; the previous one still signs for [`sign::OVERLAP_MS`].
/// Answers the new secret, shown only now.
pub async fn rotate_secret(
    store: &Store,
    sealer: &Arc<Sealer>,
    who: Declarer<'_>,
    id: String,
) -> DomainResult<(Endpoint, String)> {
    let app = who.application();
    let ctx = who.audit();
    let sealer = sealer.clone();
    let secret = sign::new_secret();
    let new = secret.clone();
    let endpoint = store
        .write(move |tx| {
            db::webhooks::get(tx, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))?;
            let (sealed, key_id, _) = db::webhooks::sealed_secrets(tx, &id)?
                .ok_or(DomainError::NotFound("webhook endpoint"))?;
            let old: Secrets =
                serde_json::from_slice(&sealer.open(&sealed, &key_id, &sign::context(&id))?)
                    .map_err(DomainError::internal)?;
            let plain = serde_json::to_vec(&Secrets {
                current: new.clone(),
                previous: Some(old.current),
            })
            .map_err(DomainError::internal)?;
            let resealed = sealer.seal(&plain, &sign::context(&id));
            let now = now_ms();
            db::webhooks::set_secrets(
                tx,
                &id,
                &resealed.bytes,
                &resealed.key_id,
                Some(now + sign::OVERLAP_MS),
                now,
            )?;
            let event = NewAuditEvent::new("webhook.secret_rotated")
                .target("application", &app)
                .details(json!({ "endpoint_id": id }));
            db::audit::insert(tx, &ctx, &event, now)?;
            db::webhooks::get(tx, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))
        })
        .await?;
    Ok((endpoint, secret))
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    store: &Store,
    who: Declarer<'_>,
    id: String,
    before: Option<i64>,
    limit: u32,
) -> DomainResult<Vec<Delivery>> {
    let app = who.application();
    store
        .read(move |c| {
            db::webhooks::get(c, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))?;
            db::webhooks::deliveries(c, &id, before, limit)
        })
        .await
}

/// What to send again: one delivery, or every one in a status since a time.
pub enum Replay {
    One(i64),
    Since { since: i64, status: &'static str },
}

/// Queues deliveries again, now; answers how many.
pub async fn replay(
    store: &Store,
    who: Declarer<'_>,
    id: String,
    what: Replay,
) -> DomainResult<usize> {
    let app = who.application();
    let ctx = who.audit();
    store
        .write(move |tx| {
            db::webhooks::get(tx, &app, &id)?.ok_or(DomainError::NotFound("webhook endpoint"))?;
            let now = now_ms();
            let (count, details) = match what {
                Replay::One(d) => {
                    if !db::webhooks::replay(tx, &id, d, now)? {
                        return Err(DomainError::NotFound("delivery"));
                    }
                    (1, json!({ "endpoint_id": id, "delivery_id": d }))
                }
                Replay::Since { since, status } => {
                    let n = db::webhooks::replay_range(tx, &id, since, status, now)?;
                    (
                        n,
                        json!({ "endpoint_id": id, "since": since, "status": status, "count": n }),
                    )
                }
            };
            let event = NewAuditEvent::new("webhook.replayed")
                .target("application", &app)
                .details(details);
            db::audit::insert(tx, &ctx, &event, now)?;
            Ok(count)
        })
        .await
}
