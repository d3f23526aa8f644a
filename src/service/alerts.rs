//! Alerts to the platform owner. A sweep every `alert_check_secs` reads what is wrong now (a
//! backup failed, none succeeded for a day, a sign-up waits, a credential expires within 14
//! days, a company uses 90% of its plan's users, mail was dead-lettered) and records each cause
//! at most once a day; a new one is mailed, in the same transaction, to every active owner who
//! did not switch its topic off. The record lives in the store, so a restart sends nothing twice.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::access::Owner;
use crate::clock::now_ms;
use crate::crypto::Sealer;
use crate::db::Db;
use crate::db::{self, Store};
use crate::domain::audit::NewAuditEvent;
use crate::domain::Page;
use crate::error::DomainResult;
use crate::mail::{self, alert_letters, Mail};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// A credential is alerted when it expires within this long.
pub const CREDENTIAL_NOTICE_MS: i64 = 14 * DAY_MS;
/// How often the sweep runs unless set.
pub const DEFAULT_CHECK_SECS: u64 = 300;

/// What an owner chooses to receive; each alert kind belongs to one.
pub const TOPICS: [&str; 6] = [
    "backups",
    "signups",
    "credentials",
    "plan_limits",
    "mail",
    "integrations",
];

fn topic_of(kind: &str) -> &'static str {
    match kind {
        "backup_failed" | "backup_late" => "backups",
        "signup_waiting" => "signups",
        "credential_expiring" => "credentials",
        "plan_near_limit" => "plan_limits",
        "webhook_disabled" | "provisioning_failed" => "integrations",
        _ => "mail",
    }
}

/// Where on the dashboard an alert is handled.
fn page_of(kind: &str, facts: &Value) -> String {
    let id = |key: &str| facts[key].as_str().unwrap_or("").to_string();
    match kind {
        "backup_failed" | "backup_late" => "#/backups".into(),
        "signup_waiting" => "#/approvals".into(),
        "credential_expiring" => format!("#/applications/{}", id("application_id")),
        "plan_near_limit" | "provisioning_failed" => format!("#/companies/{}", id("company_id")),
        "webhook_disabled" => format!("#/applications/{}", id("application_id")),
        _ => "#/".into(),
    }
}

/// One thing wrong now: its kind, what identifies its cause, the day it counts for, and the
/// facts the message tells.
#[derive(Clone)]
struct Cause {
    kind: &'static str,
    cause: String,
    day: i64,
    facts: Value,
}

/// What is wrong at `now`.
fn causes(c: &Db, now: i64) -> DomainResult<Vec<Cause>> {
    let today = now.div_euclid(DAY_MS);
    let mut out = Vec::new();
    // A failed run is told once: its day is the day it failed.
    for run in db::alerts::failed_backups(c, now - DAY_MS)? {
        let error: String = run.error.unwrap_or_default().chars().take(300).collect();
        out.push(Cause {
            kind: "backup_failed",
            cause: run.id,
            day: run.finished_at.div_euclid(DAY_MS),
            facts: json!({ "at": run.finished_at, "error": error }),
        });
    }
    let (last_good, began) = db::alerts::backup_ages(c)?;
    if last_good.or(began).is_some_and(|t| t < now - DAY_MS) {
        out.push(Cause {
            kind: "backup_late",
            cause: "platform".into(),
            day: today,
            facts: json!({ "last_good_at": last_good }),
        });
    }
    for s in db::alerts::waiting_signups(c)? {
        out.push(Cause {
            kind: "signup_waiting",
            facts: json!({ "company_id": s.company_id, "company": s.name, "since": s.since }),
            cause: s.company_id,
            day: today,
        });
    }
    for k in db::alerts::expiring_credentials(c, now, now + CREDENTIAL_NOTICE_MS)? {
        out.push(Cause {
            kind: "credential_expiring",
            facts: json!({ "application_id": k.application_id, "application": k.application,
                           "label": k.label, "expires_at": k.expires_at }),
            cause: k.id,
            day: today,
        });
    }
    for p in db::alerts::crowded_companies(c)? {
        out.push(Cause {
            kind: "plan_near_limit",
            facts: json!({ "company_id": p.company_id, "company": p.name,
                           "users": p.users, "max_users": p.max_users }),
            cause: p.company_id,
            day: today,
        });
    }
    // Told once: the day counts from when it was disabled.
    for w in db::alerts::disabled_webhooks(c)? {
        out.push(Cause {
            kind: "webhook_disabled",
            facts: json!({ "application_id": w.application_id, "application": w.application,
                           "endpoint_id": w.endpoint_id, "host": host_of(&w.url),
                           "at": w.disabled_at }),
            cause: format!("{}@{}", w.endpoint_id, w.disabled_at),
            day: w.disabled_at.div_euclid(DAY_MS),
        });
    }
    // Told once per report: a failure reported again later is a new cause.
    for f in db::provisioning::failures(c, 50)? {
        out.push(Cause {
            kind: "provisioning_failed",
            facts: json!({ "application_id": f.application_id, "application": f.application,
                           "company_id": f.company_id, "company": f.company,
                           "error": f.message, "at": f.reported_at }),
            cause: format!("{}@{}", f.link_id, f.reported_at),
            day: f.reported_at.div_euclid(DAY_MS),
        });
    }
    let dead = db::outbox::counts(c)?.dead;
    if dead > 0 {
        out.push(Cause {
            kind: "mail_dead",
            cause: "outbox".into(),
            day: today,
            facts: json!({ "count": dead }),
        });
    }
    Ok(out)
}

/// Only the host of an endpoint's URL: its path or query may carry a token.
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// Records what is newly wrong and mails it to the owners who want it; returns how many
/// alerts were new. The causes are looked for on a reader, outside the write: with a million
/// companies that takes seconds, which the writer (and every write waiting for it) should not
/// spend. A cause already recorded is ignored by the write, so a stale look sends nothing twice.
pub async fn sweep(store: &Store, sealer: &Arc<Sealer>, mail: &Arc<Mail>) -> DomainResult<usize> {
    let (sealer, m) = (sealer.clone(), mail.clone());
    let now = now_ms();
    let found = store.read(move |c| causes(c, now)).await?;
    if found.is_empty() {
        return Ok(0);
    }
    let new = store
        .write(move |tx| {
            let owners = db::alerts::owners(tx)?;
            let mut new = 0;
            for c in found.clone() {
                let facts = c.facts.to_string();
                if !db::alerts::record(tx, c.kind, &c.cause, c.day, &facts, now)? {
                    continue;
                }
                new += 1;
                let link = format!("{}/admin/{}", m.base_url(), page_of(c.kind, &c.facts));
                for (owner, email, off) in &owners {
                    if off.iter().any(|t| t == topic_of(c.kind)) {
                        continue;
                    }
                    let user = db::users::get(tx, owner)?;
                    let name = user.map(|u| u.name).unwrap_or_default();
                    let lang = db::users::language(tx, owner)?;
                    let letter = alert_letters::alert(lang, email, &name, c.kind, &c.facts, &link);
                    mail::enqueue(tx, &sealer, &m.id_domain(), &letter, now)?;
                }
            }
            Ok(new)
        })
        .await?;
    if new > 0 {
        mail.wake();
    }
    Ok(new)
}

/// Sweeps every `every` until `stop` resolves. A failed sweep is logged and tried again later.
pub async fn run(
    store: Store,
    sealer: Arc<Sealer>,
    mail: Arc<Mail>,
    every: Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(every) => {}
        }
        match sweep(&store, &sealer, &mail).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(alerts = n, "alerts recorded for the owner"),
            Err(e) => tracing::warn!(error = %e, "the alert sweep failed; it runs again later"),
        }
    }
}

/// An alert as the dashboard lists it.
pub struct AlertView {
    pub id: i64,
    pub kind: String,
    pub facts: Value,
    pub created_at: i64,
}

/// The alerts recorded, newest first.
pub async fn list(
    store: &Store,
    _owner: &Owner,
    cursor: Option<String>,
    limit: u32,
) -> DomainResult<Page<AlertView>> {
    let before = crate::domain::cursor::open_as(cursor, |key| key.parse::<i64>().ok())?;
    let page = store
        .read(move |c| db::alerts::list(c, before, limit))
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|a| AlertView {
                id: a.id,
                kind: a.kind,
                facts: serde_json::from_str(&a.facts).unwrap_or(Value::Null),
                created_at: a.created_at,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// The topics the calling owner receives.
pub async fn preferences(store: &Store, owner: &Owner) -> DomainResult<Vec<(&'static str, bool)>> {
    let id = owner.user_id().clone();
    let off = store.read(move |c| db::alerts::optouts(c, &id)).await?;
    Ok(TOPICS
        .iter()
        .map(|t| (*t, !off.iter().any(|o| o == t)))
        .collect())
}

/// Sets the topics the calling owner receives; audited.
pub async fn set_preferences(
    store: &Store,
    owner: &Owner,
    wanted: Vec<(&'static str, bool)>,
) -> DomainResult<Vec<(&'static str, bool)>> {
    let id = owner.user_id().clone();
    let audit = owner.audit();
    let off: Vec<&'static str> = wanted
        .iter()
        .filter(|(_, on)| !on)
        .map(|(t, _)| *t)
        .collect();
    store
        .write(move |tx| {
            db::alerts::set_optouts(tx, &id, &off)?;
            let event = NewAuditEvent::new("alerts.preferences_changed")
                .target("user", &id)
                .details(json!({ "off": off }));
            db::audit::insert(tx, &audit, &event, now_ms())
        })
        .await?;
    preferences(store, owner).await
}
