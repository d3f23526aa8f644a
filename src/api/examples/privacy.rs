//! Examples of the data subjects' rights: privacy requests, the DPO, erasure, exports,
//! anonymised reports and retention.

use serde_json::{json, Value};

use super::{APP, AT, COMPANY, USER};

fn erasure() -> Value {
    json!({
        "id": "ers_01a2312d1d9fa0b1c2d3e4f5a6b7c8d9", "kind": "company", "company_id": COMPANY,
        "pseudonym": "7f3a9c2e41b0d5e8", "kept": ["cnpj", "created_at"], "erased_at": AT,
    })
}

fn erasure_counts() -> Value {
    json!({
        "users": 4, "sessions": 3, "invitations": 1, "second_factors": 2, "grants": 2,
        "secrets": 2, "links": 1, "config_values": 5, "domains": 0, "audit_events": 120,
    })
}

fn privacy_request() -> Value {
    json!({
        "id": "dsr_01a2312d1d9fa0b1c2d3e4f5a6b7c8d9", "company_id": COMPANY, "user_id": USER,
        "user_name": "Ana Souza", "requested_by": USER, "kind": "access", "status": "open",
        "details": "Quero uma cópia dos meus dados", "notes": "", "created_at": AT,
        "due_at": "2026-12-15T14:05:00Z", "overdue": false, "updated_at": AT,
    })
}

fn dpo() -> Value {
    json!({ "name": "Dora Lima", "email": "dpo@padaria.com.br", "phone": "+55 11 3456-7890" })
}

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    Some(match name {
        "PrivacyRequest" => privacy_request(),
        "PrivacyRequestList" => json!({ "items": [privacy_request()] }),
        "PrivacyRequestIn" => {
            json!({ "kind": "access", "user_id": USER, "details": "Quero uma cópia dos meus dados" })
        }
        "PrivacyRequestPatch" => json!({ "status": "fulfilled", "notes": "Arquivo enviado" }),
        "Dpo" => dpo(),
        "DpoOut" => {
            let mut d = dpo();
            d["updated_at"] = json!(AT);
            d
        }
        "ErasureIn" => json!({ "confirmation": "11.222.333/0001-81" }),
        "Erasure" => erasure(),
        "ErasureCounts" => erasure_counts(),
        "ErasurePreview" => json!({
            "kind": "company", "subject": "Padaria Pão Quente", "counts": erasure_counts(),
            "kept": ["cnpj", "created_at"],
        }),
        "ExportArchive" => json!({
            "manifest": {
                "format": "armario-export", "format_version": 1,
                "generated_at": "2026-11-30T14:05:00.000Z",
                "subject": { "kind": "person", "user_id": USER, "company_id": COMPANY },
                "sections": [{ "name": "user", "count": 1 }],
            },
            "data": { "user": [{ "id": USER, "name": "Ana Souza", "email": "ana@padaria.com.br" }] },
        }),
        "AnonAuditReport" => json!({
            "from": "2026-11-01", "to": "2026-11-30", "recipient": "auditoria-2026",
            "items": [{
                "id": 42, "at": "2026-11-30T00:00:00Z", "actor_kind": "user",
                "actor": "user-5f0c1e2d3a4b5c6d7e8f9a0b", "company_id": COMPANY,
                "action": "user.created", "target_kind": "user",
                "target": "user-0a1b2c3d4e5f60718293a4b5", "ip": "ip-9f8e7d6c5b4a392817160504",
                "details": { "role": "member", "email": "email-1a2b3c4d5e6f708192a3b4c5" },
            }],
        }),
        "AnonUsageReport" => json!({
            "from": "2026-11-01", "to": "2026-11-30", "recipient": "auditoria-2026",
            "items": [{
                "day": "2026-11-30", "application_id": APP, "company_id": COMPANY,
                "route_group": "companies", "requests": 1200,
            }],
        }),
        "Retention" => json!({
            "audit_days": 1825, "signin_days": 183, "usage_days": 730, "sessions_days": 30,
            "signin_min_days": 183, "backup_days": 30, "updated_at": AT,
        }),
        "RetentionIn" => json!({
            "audit_days": 1825, "signin_days": 183, "usage_days": 730, "sessions_days": 30,
        }),
        _ => return None,
    })
}
