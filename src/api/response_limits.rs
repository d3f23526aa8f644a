//! Bounds on what the API answers, written into the schemas that only answers use: the longest
//! string, the longest list and the integer range a client must be ready for. Each bound is the
//! one the server keeps when it accepts the value (`domain::validate`, `domain::company`,
//! `domain::application`, the page and report sizes), named here by property. Request bodies
//! carry their own limits, from their validators.
//!
//! A response property with no bound here and none of its own (an enum, a format) fails the
//! `spec_document` test, so a new field cannot slip out unbounded.

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// The longest value of a string property, by property name (the largest bound wherever the
/// name is used).
const STRINGS: &[(&str, u64)] = &[
    // Ids: a 4-character prefix and 32 hex digits; backup ids are a timestamp and 8 digits.
    ("id", 64),
    ("application_id", 36),
    ("company_id", 36),
    ("actor_id", 64),
    ("target_id", 64),
    ("error_id", 32),
    ("link_id", 36),
    // `whe_` and 32 hex digits.
    ("endpoint_id", 36),
    ("key_id", 64),
    // Names and contact details, as `domain` accepts them.
    ("legal_name", 200),
    ("trade_name", 200),
    ("display_name", 200),
    ("name", 200),
    ("application_name", 200),
    ("company_name", 200),
    ("actor_name", 200),
    ("target_name", 200),
    ("description", 1000),
    ("label", 100),
    ("plan", 80),
    ("plan_id", 36),
    ("trial_ends_at", 10),
    ("external_id", 200),
    ("email", 254),
    ("contact_email", 254),
    ("contact_phone", 32),
    ("primary_color", 7),
    ("cnpj", 14),
    ("slug", 63),
    ("domain", 253),
    ("host", 253),
    ("ip", 45),
    ("last_used_ip", 45),
    // Sessions: the first 256 characters of the user agent, and what is read from it.
    ("user_id", 36),
    ("user_name", 200),
    ("user_email", 254),
    ("user_agent", 256),
    ("browser", 64),
    ("os", 16),
    // A logo is at most 64 KiB, base64-encoded, behind a `data:image/…;base64,` prefix.
    ("logo_data_url", 87_500),
    // `/api/v1/companies/<id>/logo?v=<version>`, or the same under `/api/v1/app`.
    ("logo_url", 200),
    // Audit vocabulary.
    ("action", 64),
    ("target_kind", 32),
    // Secrets: `custom_` and up to 40 characters; hints are 4 bullets and 4 characters.
    ("kind", 47),
    ("hint", 8),
    ("fields", 40),
    ("scopes", 60),
    // Tokens and keys: a prefix and 43 base64url characters.
    ("token", 64),
    ("secret", 64),
    ("csrf_token", 32),
    ("prefix", 16),
    ("next_cursor", 1024),
    ("day", 10),
    // Backups.
    ("target", 1024),
    ("object_name", 1024),
    ("error", 4096),
    // Errors and notices, for people.
    ("message", 4096),
    // The audit chain's verification: a sentence naming one or two event ids.
    ("problem", 300),
    ("field", 200),
    // Two-factor sign-in: the URI holds the issuer, the e-mail and the secret; the SVG of a
    // QR code of such a URI stays far below this.
    ("challenge", 64),
    ("otpauth_uri", 1024),
    ("qr_svg", 400_000),
    // OpenID client settings: exact redirect URIs and the issuer's URL.
    ("client_id", 36),
    ("issuer", 1024),
    ("redirect_uris", 2000),
    ("post_logout_redirect_uris", 2000),
    ("recovery_codes", 11),
    // Application roles: keys as `domain::app_role` accepts them; `roles` holds keys where it
    // is a list of strings (a user's grants).
    ("key", 40),
    ("roles", 40),
    ("app_roles", 40),
    // Webhooks: URLs as accepted, catalogue names, the status and the first 300 characters
    // of what a failing endpoint answered (with the reason before it).
    ("url", 2000),
    ("event_types", 64),
    ("event_id", 64),
    ("event_type", 64),
    ("status", 16),
    ("disabled_reason", 16),
    ("last_error", 4096),
    // Configuration problems: a property path and why its value does not fit.
    ("path", 300),
    ("reason", 4096),
    // Data-subject requests and the encarregado (`domain::privacy`).
    ("requested_by", 36),
    ("details", 2000),
    ("notes", 2000),
    ("refusal_reason", 2000),
    ("phone", 32),
    // Erasure (`domain::erasure`): 16 hex digits; a company field name; a name as shown.
    ("pseudonym", 16),
    ("kept", 16),
    ("subject", 200),
    // Anonymised reports: pseudonyms (`user-` and 24 hex digits) or ids, the period's days
    // and the recipient label.
    ("actor", 64),
    ("target", 253),
    ("from", 10),
    ("to", 10),
    ("recipient", 64),
];

/// The longest list, by schema (none for any) and property: every list pages, and a page holds
/// at most 200 items (`MAX_PAGE_SIZE`); a link at most 32 scopes; a secret kind at most 16
/// fields.
const ARRAYS: &[(&str, &str, u64)] = &[
    ("CompanyList", "items", 200),
    ("ApplicationList", "items", 200),
    ("CredentialList", "items", 200),
    ("DomainList", "items", 200),
    ("LinkList", "items", 200),
    ("LinkedCompanyList", "items", 200),
    ("SecretList", "items", 200),
    ("UserList", "items", 200),
    ("InvitationList", "items", 200),
    ("SessionList", "items", 200),
    ("AuditList", "items", 200),
    ("BackupList", "items", 200),
    ("AlertList", "items", 200),
    ("UsageList", "items", 200),
    ("CompanyUsageList", "items", 200),
    ("PrivacyRequestList", "items", 200),
    ("ProvisioningSummary", "failures", 10),
    ("", "scopes", 32),
    // An application declares at most 50 roles; a company links at most a page of them.
    ("", "roles", 50),
    ("", "app_roles", 50),
    ("CompanyAppRolesList", "items", 200),
    ("UserAppRolesList", "items", 200),
    ("AppUserList", "items", 200),
    ("", "fields", 16),
    ("", "conflicts", 4),
    ("", "recovery_codes", 10),
    ("", "redirect_uris", 10),
    ("", "post_logout_redirect_uris", 10),
    ("WebhookEndpointList", "items", 200),
    ("WebhookDeliveryList", "items", 200),
    ("", "event_types", 32),
    // Configuration: problems and linked applications are answered up to a page's worth.
    ("", "problems", 200),
    ("CompanyConfigList", "items", 200),
    ("PlanList", "items", 500),
    // Every company field an erasure may keep (`domain::erasure::COMPANY_FIELDS`).
    ("", "kept", 9),
    // Anonymised reports are whole, up to `service::reports::MAX_ROWS`.
    ("AnonAuditReport", "items", 100_000),
    ("AnonUsageReport", "items", 100_000),
];

/// Values from a set that a company can extend (its `custom_<name>` secret kinds), which
/// therefore cannot be enums: the known values and the shape of the custom ones.
const KIND: &str = "(omie|asaas|evolution|google_calendar|custom_[a-z0-9_]{1,40})";

fn pattern(prop: &str) -> Option<String> {
    match prop {
        "kind" => Some(format!("^{KIND}$")),
        "scopes" => Some(format!(
            "^(company:read|users:read|usage:read|config:read|config:write|billing:write|secrets:{KIND}:read)$"
        )),
        _ => None,
    }
}

/// Counts and sizes fit a JavaScript number.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// The longest RFC 3339 time the API writes (`2026-12-01T10:55:28.406+00:00` is 29).
const DATE_TIME: u64 = 35;

/// The CSV usage report: a header line and at most 100,000 rows of at most 160 characters.
const CSV_REPORT: u64 = 16_000_000;

/// Adds the bounds to every schema reached from an answer and not from a request body, and to
/// the answers' own inline schemas and headers.
pub fn bound(spec: &mut Value) {
    bound_inline_answers(spec);
    let names = response_only(spec);
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    for name in names {
        let Some(props) = schemas
            .get_mut(&name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (prop, schema) in props.iter_mut() {
            bound_property(&name, prop, schema);
        }
    }
}

fn bound_property(schema_name: &str, prop: &str, schema: &mut Value) {
    match schema["type"].as_str() {
        Some("string") => bound_string(prop, schema),
        Some("integer") => {
            if schema.get("minimum").is_none() {
                // Ids of audit events start at 1; every other integer answered is a count or a
                // size.
                schema["minimum"] = json!(if prop == "id" { 1 } else { 0 });
            }
            if schema.get("maximum").is_none() {
                schema["maximum"] = json!(MAX_SAFE_INTEGER);
            }
        }
        Some("array") => {
            let limit = ARRAYS
                .iter()
                .find(|(s, p, _)| *p == prop && (*s == schema_name || s.is_empty()))
                .map(|(_, _, n)| *n);
            if let (None, Some(n)) = (schema.get("maxItems"), limit) {
                schema["maxItems"] = json!(n);
            }
            if schema["items"]["type"] == "string" {
                bound_string(prop, &mut schema["items"]);
            }
        }
        Some("object") if schema["additionalProperties"]["type"] == "string" => {
            // A secret's values: at most 16 fields of at most 4096 characters.
            schema["maxProperties"] = json!(16);
            schema["additionalProperties"]["maxLength"] = json!(4096);
        }
        _ => {}
    }
}

/// Answers whose schema is not a named object: the list of known secret kinds, the CSV report,
/// and string headers (`Content-Disposition`).
fn bound_inline_answers(spec: &mut Value) {
    let paths = spec["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut());
    for op in paths
        .filter_map(Value::as_object_mut)
        .flat_map(|o| o.values_mut())
    {
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        for response in responses.into_iter().flat_map(|r| r.values_mut()) {
            let content = response.get_mut("content").and_then(Value::as_object_mut);
            for (media, body) in content.into_iter().flatten() {
                let schema = &mut body["schema"];
                if schema["type"] == "array" && schema.get("maxItems").is_none() {
                    let items = schema["items"]["$ref"].as_str().unwrap_or_default();
                    if items.ends_with("/SecretKindOut") {
                        schema["maxItems"] = json!(crate::domain::secret_kind::KNOWN.len());
                    }
                }
                if media.starts_with("text/csv") && schema.get("maxLength").is_none() {
                    schema["maxLength"] = json!(CSV_REPORT);
                }
            }
            let headers = response.get_mut("headers").and_then(Value::as_object_mut);
            for header in headers.into_iter().flat_map(|h| h.values_mut()) {
                let schema = &mut header["schema"];
                if schema["type"] == "string" && schema.get("maxLength").is_none() {
                    // `attachment; filename="usage-….csv"`.
                    schema["maxLength"] = json!(128);
                }
            }
        }
    }
}

fn bound_string(prop: &str, schema: &mut Value) {
    if schema["format"] == "date-time" && schema.get("maxLength").is_none() {
        schema["maxLength"] = json!(DATE_TIME);
        return;
    }
    if let (None, None, Some(p)) = (schema.get("pattern"), schema.get("enum"), pattern(prop)) {
        schema["pattern"] = json!(p);
    }
    let bounded = ["maxLength", "enum", "format"]
        .iter()
        .any(|k| schema.get(k).is_some());
    if bounded {
        return;
    }
    if let Some((_, n)) = STRINGS.iter().find(|(p, _)| *p == prop) {
        schema["maxLength"] = json!(n);
    }
}

/// Names of the schemas reached from answers but from no request body.
fn response_only(spec: &Value) -> BTreeSet<String> {
    let mut answers = Vec::new();
    let mut requests = Vec::new();
    for ops in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in ops.as_object().into_iter().flat_map(|o| o.values()) {
            refs(&op["requestBody"], &mut requests);
            refs(&op["responses"], &mut answers);
        }
    }
    let requests = closure(spec, requests);
    closure(spec, answers)
        .into_iter()
        .filter(|n| !requests.contains(n))
        .collect()
}

fn closure(spec: &Value, mut todo: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&spec["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}
