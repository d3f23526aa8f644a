//! Examples of the platform's running: audit, backups, usage, the owner's overview and alerts.

use serde_json::{json, Value};

use super::{APP, AT, COMPANY, LINK, USER};

fn alert() -> Value {
    json!({
        "id": "42", "kind": "plan_near_limit", "created_at": AT, "company_id": COMPANY,
        "company_name": "Pão Quente", "users": 23, "max_users": 25,
    })
}

fn audit_event() -> Value {
    json!({
        "id": 4182, "at": AT, "actor_kind": "user", "actor_id": USER, "actor_name": "Ana Souza",
        "company_id": COMPANY, "company_name": "Pão Quente", "action": "secret.set",
        "target_kind": "secret", "target_id": "omie", "ip": "203.0.113.7",
        "details": { "kind": "omie" },
    })
}

fn backup_run() -> Value {
    json!({
        "id": "20261130T140500.000Z-5dfe033b", "started_at": AT, "finished_at": "2026-11-30T14:05:02Z",
        "status": "succeeded", "size": 184320,
        "object_name": "armario-20261130T140500.000Z-5dfe033b.db.zst.enc", "trigger": "scheduler",
    })
}

fn usage_row() -> Value {
    json!({
        "day": "2026-11-30", "application_id": APP, "company_id": COMPANY,
        "route_group": "secrets", "requests": 128, "application_name": "Helpdesk",
        "company_name": "Pão Quente",
    })
}

fn provisioning_failure() -> Value {
    json!({ "link_id": LINK, "application_id": APP, "application_name": "Atendimento",
            "company_id": COMPANY, "company_name": "Pão Quente",
            "message": "CNPJ recusado pelo ERP", "reported_at": AT })
}

fn provisioning_summary() -> Value {
    json!({ "unreported": 1, "requested": 0, "provisioning": 2, "ready": 40, "failed": 1,
            "failures": [provisioning_failure()] })
}

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    Some(match name {
        "AuditEvent" => audit_event(),
        "AuditList" => json!({ "items": [audit_event()] }),
        "BackupRun" => backup_run(),
        "BackupList" => json!({
            "items": [backup_run()], "target": "local directory /var/lib/armario/backups",
            "last_good_at": "2026-11-30T14:05:02Z",
        }),
        "UsageRowOut" => usage_row(),
        "CompanyUsageOut" => {
            json!({ "company_id": COMPANY, "company_name": "Pão Quente", "requests": 1830 })
        }
        "CompanyUsageList" => json!({
            "items": [{ "company_id": COMPANY, "company_name": "Pão Quente", "requests": 1830 }],
        }),
        "UsageList" => json!({ "items": [usage_row()], "total": 128 }),
        "CompaniesByStatus" => {
            json!({ "pending": 2, "active": 41, "suspended": 1, "cancelled": 3 })
        }
        "OverviewOut" => json!({
            "companies": { "pending": 2, "active": 41, "suspended": 1, "cancelled": 3 },
            "users": 312, "pending_users": 4, "applications": 3,
            "requests_7d": 18230, "requests_30d": 80114,
            "mail": { "configured": true, "queued": 2, "dead": 0 },
            "provisioning": provisioning_summary(),
        }),
        "ProvisioningSummary" => provisioning_summary(),
        "ProvisioningFailure" => provisioning_failure(),
        "AuditIntegrity" => json!({
            "status": "ok", "verified_at": AT, "events_checked": 48213,
        }),
        "MailStatus" => json!({ "configured": true, "queued": 2, "dead": 0 }),
        "AlertOut" => alert(),
        "AlertList" => json!({ "items": [alert()] }),
        "AlertPreferences" => json!({
            "backups": true, "signups": true, "credentials": true, "plan_limits": false, "mail": true, "integrations": true,
        }),
        _ => return None,
    })
}
