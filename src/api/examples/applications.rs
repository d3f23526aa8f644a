//! Examples of applications and what joins them to companies: credentials, links, secrets,
//! external ids, application roles and the users an application sees.

use serde_json::{json, Value};

use super::companies::{company, user};
use super::{APP, AT, COMPANY, LINK};

const CREDENTIAL: &str = "crd_01a2312d1d5b6c7d8e9fa0b1c2d3e4f5";

fn application() -> Value {
    json!({
        "id": APP, "name": "ERP Connector", "description": "Syncs orders with Omie",
        "contact_email": "dev@erpconnector.com.br", "status": "active",
        "created_at": AT, "updated_at": AT,
    })
}

fn credential() -> Value {
    json!({
        "id": CREDENTIAL, "label": "production 2026", "prefix": "arm_live_3fQ9",
        "expires_at": "2027-12-31T23:59:59Z", "last_used_at": AT, "last_used_ip": "203.0.113.7",
        "created_at": AT,
    })
}

const SCOPES: [&str; 3] = ["company:read", "secrets:omie:read", "users:read"];

fn link() -> Value {
    json!({
        "id": LINK, "application_id": APP, "company_id": COMPANY,
        "application_name": "ERP Connector", "company_name": "Pão Quente", "scopes": SCOPES,
        "created_at": AT, "updated_at": AT,
    })
}

fn secret_info() -> Value {
    json!({ "kind": "omie", "hint": "••••9f3a", "key_id": "k1-18235297", "updated_at": AT })
}

fn app_role() -> Value {
    json!({
        "key": "technician", "name": "Técnico", "description": "Abre e fecha ordens de serviço",
        "created_at": AT, "updated_at": AT,
    })
}

fn app_user() -> Value {
    let mut u = user();
    u["app_roles"] = json!(["technician"]);
    u
}

fn app_role_in() -> Value {
    json!({ "key": "technician", "name": "Técnico", "description": "Abre e fecha ordens de serviço" })
}

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    Some(match name {
        "Application" => application(),
        "ApplicationList" => json!({ "items": [application()] }),
        "ApplicationCreateIn" => json!({
            "name": "ERP Connector", "description": "Syncs orders with Omie",
            "contact_email": "dev@erpconnector.com.br",
        }),
        "ApplicationPatchIn" => json!({ "status": "disabled" }),
        "Credential" => credential(),
        "CredentialList" => json!({ "items": [credential()] }),
        "CredentialCreateIn" => {
            json!({ "label": "production 2026", "expires_at": "2027-12-31T23:59:59Z" })
        }
        "IssuedCredentialOut" => json!({
            "credential": credential(),
            "secret": "arm_live_3fQ9x8Yb2Lq7Vn4Mk1Jh6Gf5Dd0Ss9Aa8Zz7Xx6Cc5",
        }),
        "Link" => link(),
        "LinkList" => json!({ "items": [link()] }),
        "LinkCreateIn" => json!({ "application_id": APP, "company_id": COMPANY, "scopes": SCOPES }),
        "LinkPatchIn" => json!({ "scopes": ["company:read", "usage:read"] }),
        "LinkedCompanyOut" => {
            json!({ "company": company(), "scopes": SCOPES, "external_id": "cli-42" })
        }
        "LinkedCompanyList" => {
            json!({ "items": [{ "company": company(), "scopes": SCOPES, "external_id": "cli-42" }] })
        }
        "SecretInfo" => secret_info(),
        "SecretList" => json!({ "items": [secret_info()] }),
        "SecretKindOut" => json!({ "kind": "omie", "fields": ["app_key", "app_secret"] }),
        "SecretPutIn" => json!({ "values": { "app_key": "3812945567", "app_secret": "9f2c…" } }),
        "SecretValueOut" => {
            json!({ "kind": "omie", "values": { "app_key": "3812945567", "app_secret": "9f2c…" } })
        }
        "AppRoleOut" => app_role(),
        "AppRoleList" => json!({ "roles": [app_role()] }),
        "AppRoleIn" => app_role_in(),
        "AppRolesPutIn" => json!({
            "roles": [app_role_in(), { "key": "client", "name": "Cliente" }],
        }),
        "CompanyAppRolesOut" => json!({
            "application_id": APP, "application_name": "Helpdesk", "roles": [app_role()],
        }),
        "CompanyAppRolesList" => json!({
            "items": [{ "application_id": APP, "application_name": "Helpdesk", "roles": [app_role()] }],
        }),
        "UserAppRolesOut" => json!({
            "application_id": APP, "application_name": "Helpdesk", "roles": ["technician"],
        }),
        "UserAppRolesList" => json!({
            "items": [{ "application_id": APP, "application_name": "Helpdesk", "roles": ["technician"] }],
        }),
        "UserAppRolesPutIn" => json!({ "roles": ["technician"] }),
        "GrantedRolesOut" => json!({ "roles": ["technician"] }),
        "ExternalIdIn" => json!({ "external_id": "cliente-4821" }),
        "ExternalIdOut" => json!({ "company_id": COMPANY, "external_id": "cliente-4821" }),
        "ExternalCompanyOut" => json!({ "company": company(), "external_id": "cliente-4821" }),
        "AppUserOut" => app_user(),
        "AppUserList" => json!({ "items": [app_user()] }),
        _ => return None,
    })
}
