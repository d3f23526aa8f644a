//! The signing keys' life: made at first start, sealed in the store, loaded into memory,
//! rotated with overlap, pruned once no token they signed can still be alive.

use crate::access::Operator;
use crate::clock::now_ms;
use crate::crypto::{SealContext, Sealer};
use crate::db;
use crate::db::Store;
use crate::domain::audit::{AuditCtx, NewAuditEvent};
use crate::error::{DomainError, DomainResult};
use crate::oidc::signing::{self, KeyMaterial, PublicPoint};

use super::Oidc;

/// A retired key stays published this long beyond the longest token lifetime, for clocks that
/// disagree and JWKS caches.
pub const PUBLISH_MARGIN_MS: i64 = 10 * 60 * 1000;

pub fn context(kid: &str) -> SealContext<'_> {
    SealContext {
        table: "signing_keys",
        column: "sealed",
        row: kid,
    }
}

/// Loads the published keys into `oidc`, making the first key if there is none that signs.
pub async fn load(store: &Store, sealer: &Sealer, oidc: &Oidc) -> DomainResult<()> {
    let now = now_ms();
    let rows = store
        .read(move |c| db::signing_keys::published(c, now))
        .await?;
    if !rows.iter().any(|r| r.sealed.is_some()) {
        add_signing_key(store, sealer, None).await?;
        return Box::pin(load(store, sealer, oidc)).await;
    }
    let mut keys = Vec::with_capacity(rows.len());
    for r in rows {
        let pkcs8 = match &r.sealed {
            Some((sealed, key_id)) => Some(zeroize::Zeroizing::new(sealer.open(
                sealed,
                key_id,
                &context(&r.kid),
            )?)),
            None => None,
        };
        keys.push(KeyMaterial {
            kid: r.kid,
            pkcs8,
            public: PublicPoint { x: r.x, y: r.y },
        });
    }
    oidc.keys.load(keys)
}

/// What a rotation did.
#[derive(Clone, Debug)]
pub struct Rotation {
    /// The key that signs from now on.
    pub kid: String,
    /// How many keys stopped signing.
    pub retired: usize,
    /// Until when (milliseconds since the epoch) the keys that stopped signing stay published.
    pub publish_until: i64,
}

/// `armario keys rotate-signing`: a new signing key, made by the operator.
pub async fn rotate_as_operator(
    operator: &Operator,
    store: &Store,
    sealer: &Sealer,
) -> DomainResult<Rotation> {
    add_signing_key(store, sealer, Some(operator.audit())).await
}

/// Makes a new signing key; the others stop signing and stay published until every token
/// they signed has expired.
pub async fn add_signing_key(
    store: &Store,
    sealer: &Sealer,
    audit: Option<AuditCtx>,
) -> DomainResult<Rotation> {
    let new = signing::generate()?;
    let sealed = sealer.seal(&new.pkcs8, &context(&new.kid));
    store
        .write(move |tx| {
            let now = now_ms();
            // The longest lifetime any client may be given, not the longest set now: a client
            // whose lifetime was lowered may still hold tokens signed under the older one.
            let longest_ms =
                db::oidc::longest_token_ttl(tx)?.max(crate::oidc::client::ACCESS_TTL.1) * 1000;
            let publish_until = now + longest_ms + PUBLISH_MARGIN_MS;
            db::signing_keys::insert(
                tx,
                &new.kid,
                &new.public.x,
                &new.public.y,
                &sealed.bytes,
                &sealed.key_id,
                now,
            )?;
            let retired = db::signing_keys::retire_others(tx, &new.kid, now, publish_until)?;
            db::signing_keys::prune(tx, now)?;
            if let Some(ctx) = &audit {
                let event = NewAuditEvent::new("oidc.signing_key_rotated")
                    .target("signing_key", &new.kid)
                    .details(serde_json::json!({
                        "retired": retired,
                        "published_until": crate::clock::to_datetime(publish_until).to_rfc3339(),
                    }));
                db::audit::insert(tx, ctx, &event, now)?;
            }
            Ok(Rotation {
                kid: new.kid.clone(),
                retired,
                publish_until,
            })
        })
        .await
}

/// Reloads the key set when the store's differs from the one in memory: a rotation made by
/// another process (the console), or a retired key whose window has passed. Only the key ids
/// are read, and nothing is opened, unless something changed. Returns whether it reloaded.
pub async fn refresh(store: &Store, sealer: &Sealer, oidc: &Oidc) -> DomainResult<bool> {
    let now = now_ms();
    let stored = store
        .read(move |c| db::signing_keys::published_kids(c, now))
        .await?;
    if stored == oidc.keys.kids() {
        return Ok(false);
    }
    // Keys past their window leave the store as they leave the JWKS.
    store
        .write(move |tx| db::signing_keys::prune(tx, now))
        .await?;
    load(store, sealer, oidc).await?;
    Ok(true)
}

/// Whether the signing key is older than `max_age_ms` (the rotation schedule).
pub async fn due(store: &Store, max_age_ms: i64) -> DomainResult<bool> {
    let now = now_ms();
    let rows = store
        .read(move |c| db::signing_keys::published(c, now))
        .await?;
    Ok(rows
        .iter()
        .filter(|r| r.sealed.is_some())
        .all(|r| now - r.created_at >= max_age_ms))
}

/// A key that does not open is a wrong master key, not a reason to make a new one.
pub fn unusable(err: DomainError) -> DomainError {
    DomainError::Internal(format!("the signing keys could not be opened: {err}"))
}
