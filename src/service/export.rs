//! Exports (LGPD art. 18, II and V): a person's or a company's data as one JSON archive with a
//! manifest of what is in it. Secrets appear by kind and hint only; the export is audited.

use serde_json::{json, Map, Value};

use crate::access::{Admin, CompanyScope, Member};
use crate::db;
use crate::db::privacy::PLATFORM;
use crate::db::Db;
use crate::db::Store;
use crate::domain::privacy::{Dpo, PrivacyRequest};
use crate::domain::{NewAuditEvent, Role};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::service::change::{in_company, Change};

/// Raised when the archive's shape changes in a way a reader must know.
pub const FORMAT_VERSION: u32 = 1;
pub const FORMAT: &str = "armario-export";

/// A finished archive: `{ manifest, data }`.
pub struct Archive(pub Value);

fn dpo_json(d: Option<Dpo>) -> Value {
    d.map(|d| json!({ "name": d.name, "email": d.email, "phone": d.phone }))
        .unwrap_or(Value::Null)
}

fn request_json(r: &PrivacyRequest) -> Value {
    json!({
        "id": r.id.as_str(), "subject_id": r.subject_id.as_str(),
        "requested_by": r.requested_by.as_str(), "kind": r.kind.as_str(),
        "status": r.status.as_str(), "details": r.details, "notes": r.notes,
        "refusal_reason": r.refusal_reason, "created_at": r.created_at, "due_at": r.due_at,
        "closed_at": r.closed_at,
    })
}

/// Builds `{manifest, data}` from named sections; the manifest counts each one.
fn archive(subject: Value, sections: Vec<(&'static str, Vec<Value>)>, now: i64) -> Archive {
    let mut data = Map::new();
    let mut listed = Vec::new();
    for (name, rows) in sections {
        listed.push(json!({ "name": name, "count": rows.len() }));
        data.insert(name.to_string(), Value::Array(rows));
    }
    let generated_at = chrono::DateTime::from_timestamp_millis(now)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    Archive(json!({
        "manifest": {
            "format": FORMAT, "format_version": FORMAT_VERSION, "generated_at": generated_at,
            "subject": subject, "sections": listed,
            "notes": "Times are Unix milliseconds. Secrets are listed by kind and hint only; \
                      hashes and sealed values are never exported.",
        },
        "data": data,
    }))
}

/// A person's data. The person themselves, their company's admin or the owner; a member
/// asking for someone else gets a 404, as for a user they cannot see.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn person(
    store: &Store,
    scope: &CompanyScope<Member>,
    user: UserId,
) -> DomainResult<Archive> {
    if scope.role() == Role::Member && !scope.is_owner() && scope.user_id() != &user {
        return Err(DomainError::NotFound("user"));
    }
    store
        .write_in(
            scope,
            in_company(scope, move |tx, company, now| {
                db::users::get_in_company(tx, &company.id, &user)?
                    .ok_or(DomainError::NotFound("user"))?;
                let mut sections = db::export::person(tx, &company.id, &user)?;
                let requests = db::privacy::all_for(tx, &company.id, Some(&user))?;
                sections.push((
                    "privacy_requests",
                    requests.iter().map(request_json).collect(),
                ));
                sections.push(("encarregado", dpos(tx, &company.id)?));
                let subject = json!({ "kind": "person", "user_id": user.as_str(),
                                  "company_id": company.id.as_str() });
                let event = NewAuditEvent::new("privacy.exported")
                    .target("user", &user)
                    .details(json!({ "subject": "person" }));
                Ok(Change::audited(archive(subject, sections, now), event))
            }),
        )
        .await
}

/// A company's data: the company, its users and everything it owns, with its secrets by kind
/// and hint. The company's admin or the owner.
#[tracing::instrument(skip_all, fields(company_id = %scope.company()))]
pub async fn company(store: &Store, scope: &CompanyScope<Admin>) -> DomainResult<Archive> {
    store
        .write_in(scope, in_company(scope, move |tx, company, now| {
            let mut sections = db::export::company(tx, &company.id)?;
            let secrets = db::secrets::list(tx, &company.id, None, u32::MAX - 1)?;
            sections.insert(
                2,
                (
                    "secrets",
                    secrets
                        .items
                        .iter()
                        .map(|s| json!({ "kind": s.kind, "hint": s.hint, "updated_at": s.updated_at }))
                        .collect(),
                ),
            );
            let requests = db::privacy::all_for(tx, &company.id, None)?;
            sections.push(("privacy_requests", requests.iter().map(request_json).collect()));
            sections.push(("encarregado", dpos(tx, &company.id)?));
            let subject = json!({ "kind": "company", "company_id": company.id.as_str() });
            let event = NewAuditEvent::new("privacy.exported")
                .target("company", &company.id)
                .details(json!({ "subject": "company" }));
            Ok(Change::audited(archive(subject, sections, now), event))
        }))
        .await
}

/// The encarregados a person or company may write to: the company's and the platform's.
fn dpos(tx: &Db, company: &crate::ids::CompanyId) -> DomainResult<Vec<Value>> {
    Ok(vec![
        json!({ "of": "company", "contact": dpo_json(db::privacy::dpo(tx, company.as_str())?) }),
        json!({ "of": "platform", "contact": dpo_json(db::privacy::dpo(tx, PLATFORM)?) }),
    ])
}
