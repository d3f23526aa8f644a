//! What an anonymised report keeps of an audit event, and what it turns into pseudonyms.
//!
//! Kept as they are: the action, the time (or only its day), event ids, and the ids of
//! businesses and their things (companies, applications, links, plans, secrets by kind,
//! credentials, backups, signing keys). A company's *name* is left out everywhere: a sole
//! trader's (MEI) company bears its owner's name. Pseudonymised: user ids (as actor, target or
//! in details), e-mails, names, IPs, user agents and phones. Details keep only the keys of
//! [`KEPT`]; those of [`PERSONAL`] become pseudonyms; every other key (free text, URLs, old and
//! new values) is dropped, so a detail added later stays out until someone decides it is safe.

use serde_json::{Map, Value};

use crate::crypto::pseudonym::Pseudonymiser;
use crate::domain::audit::AuditEvent;

/// Detail keys whose values name no person: kinds, roles, statuses, counts, business ids.
const KEPT: &[&str] = &[
    "kind",
    "kinds",
    "role",
    "roles",
    "status",
    "scopes",
    "count",
    "type",
    "trigger",
    "enabled",
    "language",
    "policy",
    "plan_id",
    "application_id",
    "company_id",
    "link_id",
    "endpoint_id",
    "event_types",
    "backup_id",
    "key_id",
    "max_users",
    "subscription_status",
    "version",
    "sessions_revoked",
    "audit_events",
    "signin_records",
    "usage_rows",
    "sessions",
    "audit_days",
    "signin_days",
    "usage_days",
    "sessions_days",
    "from",
    "to",
    "day_precision",
    "format",
];

/// Detail keys that hold a person's data, with the pseudonym kind each becomes. User ids share
/// the kind `user` with actors and targets, so a recipient can follow one person across events.
const PERSONAL: &[(&str, &str)] = &[
    ("user_id", "user"),
    ("subject_id", "user"),
    ("requested_by", "user"),
    ("actor_id", "user"),
    ("sub", "user"),
    ("email", "email"),
    ("new_email", "email"),
    ("old_email", "email"),
    ("contact_email", "email"),
    ("name", "name"),
    ("user_name", "name"),
    ("ip", "ip"),
    ("user_agent", "ua"),
    ("phone", "phone"),
    ("contact_phone", "phone"),
];

/// Target kinds that are businesses or their things, whose ids stay as they are.
const BUSINESS_TARGETS: &[&str] = &[
    "company",
    "application",
    "link",
    "plan",
    "secret",
    "credential",
    "backup",
    "signing_key",
];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// An audit event fit to share.
#[derive(Clone, Debug, PartialEq)]
pub struct AnonEvent {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    /// An application's id, or a user's pseudonym.
    pub actor: Option<String>,
    pub company_id: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    /// A business object's id, or a pseudonym for anything else (a user, an invitation, a
    /// domain).
    pub target: Option<String>,
    pub ip: Option<String>,
    pub details: Value,
}

pub fn event(e: AuditEvent, p: &Pseudonymiser, day_precision: bool) -> AnonEvent {
    let actor = match (e.actor_kind.as_str(), e.actor_id) {
        ("application", Some(id)) => Some(id),
        (_, Some(id)) => Some(p.pseudonym("user", &id)),
        (_, None) => None,
    };
    let target = match (e.target_kind.as_deref(), e.target_id) {
        (_, None) => None,
        (Some(k), Some(id)) if BUSINESS_TARGETS.contains(&k) => Some(id),
        (Some("user"), Some(id)) => Some(p.pseudonym("user", &id)),
        (_, Some(id)) => Some(p.pseudonym("object", &id)),
    };
    AnonEvent {
        id: e.id,
        at: if day_precision {
            e.at.div_euclid(DAY_MS) * DAY_MS
        } else {
            e.at
        },
        actor_kind: e.actor_kind,
        actor,
        company_id: e.company_id,
        action: e.action,
        target_kind: e.target_kind,
        target,
        ip: e.ip.map(|ip| p.pseudonym("ip", &ip)),
        details: details(&e.details, p),
    }
}

fn details(d: &Value, p: &Pseudonymiser) -> Value {
    let mut out = Map::new();
    for (k, v) in d.as_object().into_iter().flatten() {
        if KEPT.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        } else if let Some((_, kind)) = PERSONAL.iter().find(|(key, _)| key == k) {
            if let Some(s) = v.as_str() {
                out.insert(k.clone(), Value::String(p.pseudonym(kind, s)));
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::pseudonym::ReportKey;
    use crate::crypto::MasterKey;
    use serde_json::json;

    fn raw() -> AuditEvent {
        AuditEvent {
            id: 7,
            at: 1_764_511_500_123,
            actor_kind: "user".into(),
            actor_id: Some("usr_a".into()),
            company_id: Some("cmp_1".into()),
            action: "user.created".into(),
            target_kind: Some("user".into()),
            target_id: Some("usr_b".into()),
            ip: Some("203.0.113.77".into()),
            details: json!({"email": "zeca@x.test", "name": "Zeca", "role": "member",
                "note": "ligar para Zeca", "user_id": "usr_b"}),
            actor_name: Some("Ana".into()),
            company_name: Some("Zeca MEI".into()),
            target_name: Some("Zeca".into()),
        }
    }

    #[test]
    fn keeps_what_names_no_one_and_pseudonymises_the_rest() {
        let p = ReportKey::derive(&MasterKey::generate()).for_recipient("");
        let a = event(raw(), &p, true);
        let text = format!("{a:?}");
        for canary in ["zeca", "Zeca", "203.0.113.77", "usr_a", "usr_b", "Ana"] {
            assert!(!text.contains(canary), "{canary} in {text}");
        }
        assert_eq!(a.details["role"], "member");
        assert!(a.details.get("note").is_none());
        assert_eq!(a.details["user_id"], json!(a.target.clone().unwrap()));
        assert_eq!(a.at % DAY_MS, 0);
        assert_eq!(a.company_id.as_deref(), Some("cmp_1"));
    }
}
