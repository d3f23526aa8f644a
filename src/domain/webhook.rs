//! The webhook event catalogue, and the pure mapping from an audited action to the event it
//! sends. Every event is derived from an audit event, so it is written in the same transaction
//! as the change; a change that rolls back sends nothing.

use serde_json::{json, Map, Value};

use crate::domain::audit::NewAuditEvent;

/// The version of every event's payload; a breaking change to a payload raises it.
pub const EVENT_VERSION: u32 = 1;

/// Every event type an endpoint may subscribe to.
pub const CATALOGUE: &[&str] = &[
    "company.created",
    "company.approved",
    "company.updated",
    "company.suspended",
    "company.reactivated",
    "company.cancelled",
    "company.erased",
    "user.created",
    "user.updated",
    "user.disabled",
    "user.deleted",
    "link.created",
    "link.updated",
    "link.revoked",
    "secret.changed",
    "config.changed",
    "plan.changed",
    "role.granted",
    "role.revoked",
    "provisioning.requested",
];

/// Events meant for one application only, named by `application_id` in the audit details:
/// asking an application to provision, or a company's configuration for one application,
/// concerns no other application linked to the company.
pub fn only_for_named_application(event_type: &str) -> bool {
    matches!(event_type, "provisioning.requested" | "config.changed")
}

/// The event an audited action sends, if any.
pub fn event_type(action: &str) -> Option<&'static str> {
    match action {
        "secret.set" | "secret.deleted" => Some("secret.changed"),
        other => CATALOGUE.iter().copied().find(|t| *t == other),
    }
}

/// Detail keys that are ids or non-secret, non-personal facts: everything else in an audit
/// event's details (names, e-mail addresses, before/after values) stays out of the payload.
/// `keys` are the names of the configuration keys a `config.changed` touched (never values).
const SAFE_DETAILS: &[&str] = &[
    "application_id",
    "scopes",
    "kind",
    "role",
    "role_key",
    "keys",
    "plan_id",
    "plan",
    "subscription_status",
    "trial_ends_at",
];

/// The `data` of the event an audited action sends: the company, the object and the safe
/// details. `secret.changed` says which kind and whether it was set or deleted, never a value.
pub fn event_data(e: &NewAuditEvent) -> Value {
    let mut data = Map::new();
    if let Some(c) = &e.company_id {
        data.insert("company_id".into(), json!(c.to_string()));
    }
    if let (Some(kind), Some(id)) = (e.target_kind, &e.target_id) {
        if kind != "secret" {
            data.insert(format!("{kind}_id"), json!(id));
        }
    }
    if let Value::Object(details) = &e.details {
        for key in SAFE_DETAILS {
            if let Some(v) = details.get(*key) {
                data.insert((*key).into(), v.clone());
            }
        }
    }
    if let Some(change) = e.action.strip_prefix("secret.") {
        data.insert("change".into(), json!(change));
    }
    if let Some(fields) = e.details.get("fields").filter(|f| f.is_array()) {
        if e.action != "secret.set" {
            data.insert("fields".into(), fields.clone());
        }
    }
    Value::Object(data)
}

/// The whole payload as sent.
pub fn payload(event_id: &str, event_type: &str, at_ms: i64, data: Value) -> Value {
    let timestamp = chrono_like(at_ms);
    json!({ "type": event_type, "id": event_id, "timestamp": timestamp,
            "version": EVENT_VERSION, "data": data })
}

/// RFC 3339 in UTC with milliseconds.
fn chrono_like(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The wait before attempt `n + 1` after `n` failed attempts, before jitter, in units of the
/// base (5 s by default): 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 3 h.
pub fn retry_factor(failed: u32) -> u64 {
    match failed {
        0 | 1 => 1,
        2 => 6,
        3 => 24,
        4 => 120,
        5 => 360,
        6 => 720,
        _ => 2160,
    }
}

/// Attempts before a delivery is dead-lettered unless set: with the default base, about three
/// days.
pub const MAX_ATTEMPTS: u32 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_map_to_the_catalogue() {
        assert_eq!(event_type("secret.set"), Some("secret.changed"));
        assert_eq!(event_type("secret.deleted"), Some("secret.changed"));
        assert_eq!(event_type("company.suspended"), Some("company.suspended"));
        assert_eq!(event_type("link.revoked"), Some("link.revoked"));
        assert_eq!(event_type("secret.read"), None);
        assert_eq!(event_type("auth.login"), None);
        assert_eq!(event_type("plan.changed"), Some("plan.changed"));
        assert_eq!(event_type("config.changed"), Some("config.changed"));
    }

    #[test]
    fn secret_values_never_enter_the_data() {
        let e = NewAuditEvent::new("secret.set")
            .target("secret", "omie")
            .details(json!({ "kind": "omie", "fields": ["app_key"], "app_secret": "x" }));
        let data = event_data(&e);
        assert_eq!(data, json!({ "kind": "omie", "change": "set" }));
    }

    #[test]
    fn the_schedule_lasts_about_three_days() {
        let total: u64 = (1..MAX_ATTEMPTS).map(retry_factor).sum::<u64>() * 5;
        assert!(
            (3 * 86_400 - 3 * 3600..=3 * 86_400 + 3 * 3600).contains(&total),
            "{total}"
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(chrono_like(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(chrono_like(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
