//! Master key rotation: every sealed value is opened with the keys it may use and sealed again
//! under the new key, in one transaction, with one audit event.

use serde_json::json;

use crate::access::Operator;
use crate::clock::now_ms;
use crate::crypto::{MasterKey, Sealer};
use crate::db;
use crate::db::Store;
use crate::domain::audit::NewAuditEvent;
use crate::error::DomainResult;
use crate::service::secrets;

/// Re-seals every company secret, queued e-mail body, TOTP secret, OpenID signing key, webhook
/// signing secret and company data key under `new_key`, and indexes every e-mail under it;
/// returns how many values were re-sealed.
pub async fn rotate(
    operator: &Operator,
    store: &Store,
    current: &Sealer,
    new_key: &MasterKey,
    current_id: String,
) -> DomainResult<usize> {
    let new_sealer = Sealer::new(new_key, &[]);
    let new_id = new_key.id();
    // Open everything first, outside the write, so a value that does not open stops the rotation
    // before anything changes.
    let rows = store.read(db::secrets::all_sealed).await?;
    let mut resealed = Vec::with_capacity(rows.len());
    for (company, kind, row) in rows {
        let ad_row = format!("{company}/{kind}");
        let plain = current.open(&row.sealed, &row.key_id, &secrets::context(&ad_row))?;
        let sealed = new_sealer.seal(&plain, &secrets::context(&ad_row));
        resealed.push((company, kind, sealed));
    }
    // Queued e-mail bodies are sealed too (they carry one-time links).
    let mut bodies = Vec::new();
    for (id, sealed, key_id) in store.read(db::outbox::all_sealed).await? {
        let row = id.to_string();
        let plain = current.open(&sealed, &key_id, &crate::mail::context(&row))?;
        bodies.push((id, new_sealer.seal(&plain, &crate::mail::context(&row))));
    }
    // TOTP secrets, bound to their user.
    let mut totps = Vec::new();
    for (user, sealed, key_id) in store.read(db::mfa::all_sealed).await? {
        let ctx = crate::service::mfa::context(user.as_str());
        let plain = current.open(&sealed, &key_id, &ctx)?;
        let resealed = new_sealer.seal(&plain, &ctx);
        totps.push((user, resealed));
    }
    // The OpenID signing key's private part, bound to its key id.
    let mut signing = Vec::new();
    for (kid, sealed, key_id) in store.read(db::signing_keys::all_sealed).await? {
        let ctx = crate::service::oidc::keys::context(&kid);
        let plain = zeroize::Zeroizing::new(current.open(&sealed, &key_id, &ctx)?);
        let resealed = new_sealer.seal(&plain, &ctx);
        signing.push((kid, resealed));
    }
    // Webhook endpoints' signing secrets, bound to their endpoint.
    let mut hooks = Vec::new();
    for (id, sealed, key_id) in store.read(db::webhooks::all_sealed).await? {
        let ctx = crate::service::webhooks::sign::context(&id);
        let plain = zeroize::Zeroizing::new(current.open(&sealed, &key_id, &ctx)?);
        let resealed = new_sealer.seal(&plain, &ctx);
        hooks.push((id, resealed));
    }
    // Each company's data key; what it seals stays as it is.
    let mut company_keys = Vec::new();
    for (company, sealed, key_id) in store.read(db::company_keys::all_sealed).await? {
        let ctx = crate::crypto::company_keys::key_context(&company);
        let plain = zeroize::Zeroizing::new(current.open(&sealed, &key_id, &ctx)?);
        let resealed = new_sealer.seal(&plain, &ctx);
        company_keys.push((company, resealed));
    }
    // The e-mails' index is keyed by a subkey of the master key: computed again under the new.
    let index_key =
        zeroize::Zeroizing::new(new_key.derive(crate::crypto::company_keys::EMAIL_INDEX_INFO));
    let indexes: Vec<(String, Vec<u8>)> = store
        .read(db::company_keys::all_emails)
        .await?
        .into_iter()
        .map(|(user, email)| {
            let index = crate::crypto::company_keys::email_index(&index_key, &email);
            (user, index)
        })
        .collect();
    let count = resealed.len()
        + bodies.len()
        + totps.len()
        + signing.len()
        + hooks.len()
        + company_keys.len();
    let ctx = operator.audit();
    store
        .write(move |tx| {
            for (company, kind, sealed) in &resealed {
                db::secrets::replace_sealed(tx, company, kind, &sealed.bytes, &sealed.key_id)?;
            }
            for (id, sealed) in &bodies {
                db::outbox::set_body(tx, *id, &sealed.bytes, &sealed.key_id)?;
            }
            for (user, sealed) in &totps {
                db::mfa::set_sealed(tx, user, &sealed.bytes, &sealed.key_id)?;
            }
            for (kid, sealed) in &signing {
                db::signing_keys::set_sealed(tx, kid, &sealed.bytes, &sealed.key_id)?;
            }
            for (id, sealed) in &hooks {
                db::webhooks::set_sealed(tx, id, &sealed.bytes, &sealed.key_id)?;
            }
            for (company, sealed) in &company_keys {
                db::company_keys::set_sealed(tx, company, &sealed.bytes, &sealed.key_id)?;
            }
            for (user, index) in &indexes {
                db::company_keys::set_email_index(tx, user, index)?;
            }
            db::company_keys::set_index_key_id(tx, &new_id)?;
            let event = NewAuditEvent::new("keys.rotated").details(
                json!({ "from_key_id": current_id, "to_key_id": new_id, "values": count }),
            );
            db::audit::insert(tx, &ctx, &event, now_ms())
        })
        .await?;
    Ok(count)
}
