//! Examples of what an application plugs into: its OpenID client, webhooks, configuration
//! schema and values, and provisioning reports.

use serde_json::{json, Value};

use super::{APP, AT, COMPANY};

fn webhook_endpoint() -> Value {
    json!({
        "id": "whe_01890a5d8a7b7c3e9b5e2f1a4c6d8e0f", "application_id": APP,
        "url": "https://helpdesk.example.com.br/webhooks/armario",
        "event_types": ["company.suspended", "link.revoked", "secret.changed"],
        "enabled": true,
        "created_at": "2026-03-01T12:00:00Z", "updated_at": "2026-03-01T12:00:00Z",
    })
}

fn provisioning() -> Value {
    json!({ "state": "failed", "message": "CNPJ recusado pelo ERP", "reported_at": AT,
            "updated_at": AT })
}

fn config_schema() -> Value {
    json!({
        "type": "object",
        "required": ["greeting"],
        "properties": {
            "greeting": { "type": "string", "maxLength": 200,
                "title": { "pt-BR": "Saudação", "en": "Greeting" } },
            "max_daily": { "type": "integer", "minimum": 1, "maximum": 20 },
            "hours": { "type": "object", "x-armario-type": "weekly_hours" },
        },
    })
}

fn config_values() -> Value {
    json!({
        "greeting": "Bom dia! Como podemos ajudar?", "max_daily": 8,
        "hours": { "mon": [{ "open": "08:00", "close": "12:00" }, { "open": "13:00", "close": "18:00" }] },
    })
}

fn company_config() -> Value {
    json!({
        "application_id": APP, "application_name": "Helpdesk", "schema_version": 3,
        "schema": config_schema(), "values": config_values(), "saved": config_values(),
        "problems": [],
    })
}

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    Some(match name {
        "ProvisioningOut" => provisioning(),
        "ProvisioningRead" => json!({ "provisioning": provisioning() }),
        "ProvisioningReportIn" => json!({ "state": "failed", "message": "CNPJ recusado pelo ERP" }),
        "OidcClient" => json!({
            "client_id": APP, "issuer": "https://contas.plataforma.com.br",
            "redirect_uris": ["https://helpdesk.example.com.br/callback"],
            "post_logout_redirect_uris": ["https://helpdesk.example.com.br/"],
            "access_token_ttl": 600, "id_token_ttl": 600, "refresh_token_ttl": 2592000,
        }),
        "OidcClientIn" => json!({
            "redirect_uris": ["https://helpdesk.example.com.br/callback"],
            "post_logout_redirect_uris": ["https://helpdesk.example.com.br/"],
            "access_token_ttl": 600,
        }),
        "PublicJwk" => json!({
            "kty": "EC", "crv": "P-256", "kid": "helpdesk-2026",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        }),
        "WebhookEndpoint" => webhook_endpoint(),
        "WebhookEndpointList" => json!({ "items": [webhook_endpoint()] }),
        "WebhookEndpointWithSecret" => json!({
            "endpoint": webhook_endpoint(),
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwh1yv0PKvxrc=",
        }),
        "WebhookEndpointIn" => json!({
            "url": "https://helpdesk.example.com.br/webhooks/armario",
            "event_types": ["company.suspended", "link.revoked", "secret.changed"],
        }),
        "WebhookEndpointPatch" => json!({ "enabled": false }),
        "WebhookDeliveryList" => json!({ "items": [{
            "id": 42, "event_id": "evt_01890a5d8a7b7c3e9b5e2f1a4c6d8e0f",
            "event_type": "company.suspended", "company_id": COMPANY, "status": "delivered",
            "attempts": 1, "response_code": 204, "latency_ms": 87,
            "created_at": "2026-03-02T14:05:00Z", "next_attempt_at": "2026-03-02T14:05:00Z",
            "delivered_at": "2026-03-02T14:05:00Z",
        }] }),
        "WebhookReplayIn" => json!({ "since": "2026-03-01T00:00:00Z", "status": "failed" }),
        "WebhookReplayOut" => json!({ "replayed": 3 }),
        "ConfigSchemaIn" => json!({ "schema": config_schema() }),
        "ConfigValuesIn" => json!({ "values": config_values() }),
        "ConfigSchemaOut" => json!({
            "application_id": APP, "version": 3, "schema": config_schema(),
            "defaults": { "greeting": "Olá! Já vamos atender." }, "updated_at": AT,
        }),
        "ConfigProblem" => json!({ "path": "max_daily", "reason": "must be at most 20" }),
        "CompanyConfigOut" => company_config(),
        "CompanyConfigList" => json!({ "items": [company_config()] }),
        _ => return None,
    })
}
