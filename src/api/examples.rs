//! Worked examples of the API's objects, by schema name, shown in the published document (as
//! each schema's `example` and on every request body and answer that uses it). One bakery, its
//! admin and an ERP integration run through all of them. Kept beside the schemas by a test:
//! every example names only properties its schema has, and all the required ones.

use serde_json::{json, Value};

const COMPANY: &str = "cmp_01a2312d1ca171ce8712d7b58c4d7a38";
const USER: &str = "usr_01a2312d1d2b7c0e9f3a4b5c6d7e8f90";
const APP: &str = "app_01a2312d1d39764abfb36d09f5dd220e";
const LINK: &str = "lnk_01a2312d1d4a0b1c2d3e4f5061728394";
const CREDENTIAL: &str = "crd_01a2312d1d5b6c7d8e9fa0b1c2d3e4f5";
const AT: &str = "2026-11-30T14:05:00Z";
const SESSION: &str = "arm_sess_Xq2v7Lr0cW9mYb3Nf8Tg1Kd6Hs4Pj5Za0Ue2Ri7Oy1w";

fn company() -> Value {
    json!({
        "id": COMPANY, "legal_name": "Padaria Pão Quente Ltda", "trade_name": "Pão Quente",
        "cnpj": "12345678000195", "slug": "pao-quente", "contact_email": "contato@paoquente.com.br",
        "contact_phone": "+55 11 3456-7890", "status": "active", "plan": "Padrão",
        "max_users": 25, "plan_id": PLAN, "subscription_status": "active", "user_count": 3,
        "display_name": "Pão Quente", "primary_color": "#c2410c",
        "created_at": AT, "updated_at": AT, "magic_link_sign_in": false,
    })
}

const PLAN: &str = "pln_01a2312d1d8e9fa0b1c2d3e4f5a6b7c8";

fn plan() -> Value {
    json!({
        "id": PLAN, "name": "Padrão", "description": "Para padarias de bairro",
        "limits": { "max_users": 25, "max_orders_per_month": 3000 }, "companies": 12,
        "created_at": AT, "updated_at": AT,
    })
}

fn company_plan() -> Value {
    json!({
        "plan_id": PLAN, "name": "Padrão", "description": "Para padarias de bairro",
        "limits": { "max_users": 25, "max_orders_per_month": 3000 },
        "trial_ends_at": "2026-12-31", "subscription_status": "trial", "users_used": 3,
        "max_users": 25,
    })
}

fn user() -> Value {
    json!({
        "id": USER, "company_id": COMPANY, "email": "ana@paoquente.com.br", "name": "Ana Souza",
        "role": "company_admin", "status": "active", "email_verified": true, "last_login_at": AT,
        "created_at": AT, "updated_at": AT, "mfa_enabled": true,
    })
}

fn alert() -> Value {
    json!({
        "id": "42", "kind": "plan_near_limit", "created_at": AT, "company_id": COMPANY,
        "company_name": "Pão Quente", "users": 23, "max_users": 25,
    })
}

fn invitation() -> Value {
    json!({
        "id": "inv_01a2312d1d6c7d8e9fa0b1c2d3e4f5a6", "company_id": COMPANY,
        "email": "bruno@paoquente.com.br", "role": "member", "language": "pt-BR",
        "status": "pending", "expires_at": "2026-12-07T14:05:00Z", "sent_at": AT, "created_at": AT,
    })
}

fn session() -> Value {
    json!({
        "id": "ses_01a2312d1d7d8e9fa0b1c2d3e4f5a6b7", "user_id": USER, "user_name": "Ana Souza",
        "user_email": "ana@paoquente.com.br", "company_id": COMPANY, "created_at": AT,
        "last_seen_at": "2026-11-30T15:42:00Z", "expires_at": "2026-12-01T02:05:00Z",
        "ip": "203.0.113.7", "browser": "Chrome 131", "os": "Linux",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "current": true,
    })
}

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

fn webhook_endpoint() -> Value {
    json!({
        "id": "whe_01890a5d8a7b7c3e9b5e2f1a4c6d8e0f", "application_id": APP,
        "url": "https://helpdesk.example.com.br/webhooks/armario",
        "event_types": ["company.suspended", "link.revoked", "secret.changed"],
        "enabled": true,
        "created_at": "2026-03-01T12:00:00Z", "updated_at": "2026-03-01T12:00:00Z",
    })
}

fn app_role_in() -> Value {
    json!({ "key": "technician", "name": "Técnico", "description": "Abre e fecha ordens de serviço" })
}

/// The example of the schema named `name`, if there is one.
fn provisioning() -> Value {
    json!({ "state": "failed", "message": "CNPJ recusado pelo ERP", "reported_at": AT,
            "updated_at": AT })
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

pub fn for_schema(name: &str) -> Option<Value> {
    let password = "correct horse battery";
    Some(match name {
        "Company" => company(),
        "CompanyList" => {
            json!({ "items": [company()], "next_cursor": "eyJrIjoicGFvLXF1ZW50ZSJ9", "total": 1 })
        }
        "CompanyCreateIn" => json!({
            "legal_name": "Padaria Pão Quente Ltda", "trade_name": "Pão Quente",
            "cnpj": "12.345.678/0001-95", "contact_email": "contato@paoquente.com.br",
            "plan": "Padrão", "max_users": 25,
        }),
        "CompanyPatchIn" => json!({ "display_name": "Pão Quente", "primary_color": "#c2410c" }),
        "MeOut" => json!({ "user": user(), "company": company() }),
        "User" => user(),
        "UserList" => json!({ "items": [user()] }),
        "UserCreateIn" => json!({
            "email": "bruno@paoquente.com.br", "name": "Bruno Lima", "role": "member",
            "password": password,
        }),
        "UserPatchIn" => json!({ "name": "Ana Souza Lima" }),
        "PasswordSetIn" => json!({ "password": password }),
        "PasswordChangeIn" => {
            json!({ "current_password": password, "new_password": "a longer passphrase" })
        }
        "LoginIn" => json!({ "email": "ana@paoquente.com.br", "password": password }),
        "LoginLinkIn" => json!({ "token": "arm_link_R4nd0mT0k3nFr0mTh3CL1xYz0123456789ab" }),
        "LoginOut" => json!({
            "token": SESSION, "expires_at": "2026-12-01T02:05:00Z",
            "csrf_token": "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6", "user": user(),
        }),
        "SetupIn" => json!({
            "token": "arm_setup_WiXBpKFN6LJSycA9Av0hcC9qOS3tRfZ5y31TBFJXWq0",
            "email": "owner@example.com", "name": "Platform Owner", "password": password,
        }),
        "SetupStatus" => json!({ "needed": false }),
        "SignupIn" => json!({
            "company": {
                "legal_name": "Padaria Pão Quente Ltda", "cnpj": "12.345.678/0001-95",
                "contact_email": "contato@paoquente.com.br",
            },
            "admin": { "name": "Ana Souza", "email": "ana@paoquente.com.br", "password": password },
        }),
        "SignupCompanyIn" => json!({
            "legal_name": "Padaria Pão Quente Ltda", "cnpj": "12.345.678/0001-95",
            "contact_email": "contato@paoquente.com.br",
        }),
        "SignupAdminIn" => {
            json!({ "name": "Ana Souza", "email": "ana@paoquente.com.br", "password": password })
        }
        "SignupReceived" => json!({
            "status": "pending_review",
            "message": "thank you: the sign-up waits for approval; once approved, sign in with the e-mail and password you chose",
        }),
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
        "DomainIn" => json!({ "domain": "pedidos.paoquente.com.br" }),
        "DomainOut" => json!({ "domain": "pedidos.paoquente.com.br", "created_at": AT }),
        "DomainList" => {
            json!({ "items": [{ "domain": "pedidos.paoquente.com.br", "created_at": AT }] })
        }
        "SecretInfo" => secret_info(),
        "SecretList" => json!({ "items": [secret_info()] }),
        "SecretKindOut" => json!({ "kind": "omie", "fields": ["app_key", "app_secret"] }),
        "SecretPutIn" => json!({ "values": { "app_key": "3812945567", "app_secret": "9f2c…" } }),
        "SecretValueOut" => {
            json!({ "kind": "omie", "values": { "app_key": "3812945567", "app_secret": "9f2c…" } })
        }
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
        "ProvisioningOut" => provisioning(),
        "ProvisioningRead" => json!({ "provisioning": provisioning() }),
        "ProvisioningReportIn" => json!({ "state": "failed", "message": "CNPJ recusado pelo ERP" }),
        "AuditIntegrity" => json!({
            "status": "ok", "verified_at": AT, "events_checked": 48213,
        }),
        "MailStatus" => json!({ "configured": true, "queued": 2, "dead": 0 }),
        "ResetRequestIn" => json!({ "email": "ana@paoquente.com.br" }),
        "ResetRequested" => json!({
            "status": "sent_if_known",
            "message": "if the address has an account, a message with a link to choose a new password is on its way; the link works once, for 30 minutes",
        }),
        "ResetConfirmIn" => json!({
            "token": "arm_reset_9Qm2Zx7Lp4Vb8Nc1Hd6Fg3Jk5Ws0Ty2Ru7Ie4Oa9Pq1",
            "new_password": password,
        }),
        "EmailVerifyIn" => {
            json!({ "token": "arm_verify_3Kd8Lq2Zx9Vb1Nc7Mf4Gj6Pw0Ty5Ru8Ie2Oa7Qk4Hs1" })
        }
        "EmailChangeIn" => {
            json!({ "new_email": "ana.souza@paoquente.com.br", "password": password })
        }
        "EmailChangeRequested" => json!({
            "status": "confirmation_sent",
            "message": "a message with a link to confirm the change is on its way to the new address; the link works once, for 24 hours, and until then the account keeps its e-mail",
        }),
        "EmailChangeConfirmIn" => {
            json!({ "token": "arm_email_7Ws2Ty9Ru4Ie1Oa6Qk3Hs8Kd5Lq0Zx2Vb9Nc4Mf7Gj" })
        }
        "AlertOut" => alert(),
        "AlertList" => json!({ "items": [alert()] }),
        "AlertPreferences" => json!({
            "backups": true, "signups": true, "credentials": true, "plan_limits": false, "mail": true, "integrations": true,
        }),
        "MagicLinkRequestIn" => json!({ "email": "ana@paoquente.com.br" }),
        "MagicLinkRequested" => json!({
            "status": "sent_if_known",
            "message": "if the address may sign in by link, a message with a link is on its way; open it in this same browser: it works once, for 15 minutes",
        }),
        "MagicLinkRedeemIn" => json!({
            "token": "arm_magic_7Kd2Lq9Zx1Vb7Nc3Mf6Gj0Pw5Ty8Ru2Ie7Oa4Qk1Hs8",
        }),
        "Invitation" => invitation(),
        "InvitationList" => json!({ "items": [invitation()] }),
        "InvitationCreateIn" => {
            json!({ "email": "bruno@paoquente.com.br", "role": "member", "language": "pt-BR" })
        }
        "InvitationAcceptIn" => json!({
            "token": "arm_invite_4Hs8Kd2Lq9Zx1Vb7Nc3Mf6Gj0Pw5Ty8Ru2Ie7Oa4Qk1",
            "name": "Bruno Lima",
            "password": password,
        }),
        "Session" => session(),
        "SessionList" => json!({ "items": [session()] }),
        "SessionsEnded" => json!({ "ended": 2 }),
        "ValidateIn" => json!({ "token": SESSION }),
        "ValidateOut" => json!({
            "valid": true, "user": user(), "company_id": COMPANY, "role": "company_admin",
            "expires_at": "2026-12-01T02:05:00Z",
        }),
        "MfaChallengeOut" => json!({
            "mfa_required": true,
            "challenge": "arm_mfa_7Tq2Lp9Zx4Vb1Nc8Hd3Fg6Jk0Ws5Ty2Ru7Ie4Oa9Pq1",
            "expires_at": "2026-11-30T14:10:00Z",
        }),
        "MfaVerifyIn" => json!({
            "challenge": "arm_mfa_7Tq2Lp9Zx4Vb1Nc8Hd3Fg6Jk0Ws5Ty2Ru7Ie4Oa9Pq1", "code": "492039",
        }),
        "MfaStatusOut" => json!({
            "enabled": true, "pending": false, "recovery_codes_left": 9, "required": true,
        }),
        "MfaEnrolmentOut" => json!({
            "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
            "otpauth_uri": "otpauth://totp/armario:ana@paoquente.com.br?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=armario&algorithm=SHA1&digits=6&period=30",
            "qr_svg": "<?xml version=\"1.0\" standalone=\"yes\"?><svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"232\" height=\"232\">…</svg>",
        }),
        "MfaCodeIn" => json!({ "code": "492039" }),
        "MfaDisableIn" => json!({ "code": "492039" }),
        "RecoveryCodesOut" => json!({
            "recovery_codes": ["k3q7m-x2p9a", "b6t4w-r8n2c", "z5h1d-j7v3e", "f9g2s-l4y6u",
                "p1c8o-q3m5i", "w7e2r-t9y4b", "n6u1i-o3p8a", "s2d5f-g7h9j", "k4l6z-x8c1v", "m3n5b-v7c9x"],
        }),
        "CompanyMfaPolicy" => json!({ "policy": "admins" }),
        "OwnerMfaPolicy" => json!({ "require_for_owners": true }),
        "AppRoleOut" => app_role(),
        "AppRoleList" => json!({ "roles": [app_role()] }),
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
        "Plan" => plan(),
        "PlanList" => json!({ "items": [plan()] }),
        "PlanIn" => json!({
            "name": "Padrão", "description": "Para padarias de bairro",
            "limits": { "max_users": 25, "max_orders_per_month": 3000 },
        }),
        "CompanyPlan" => company_plan(),
        "CompanyPlanIn" => {
            json!({ "plan_id": PLAN, "subscription_status": "trial", "trial_ends_at": "2026-12-31" })
        }
        "ExternalIdIn" => json!({ "external_id": "cliente-4821" }),
        "ExternalIdOut" => json!({ "company_id": COMPANY, "external_id": "cliente-4821" }),
        "ExternalCompanyOut" => json!({ "company": company(), "external_id": "cliente-4821" }),
        "AppUserOut" => app_user(),
        "AppUserList" => json!({ "items": [app_user()] }),
        "ConfigSchemaIn" => json!({ "schema": config_schema() }),
        "ConfigValuesIn" => json!({ "values": config_values() }),
        "ConfigSchemaOut" => json!({
            "application_id": APP, "version": 3, "schema": config_schema(),
            "defaults": { "greeting": "Olá! Já vamos atender." }, "updated_at": AT,
        }),
        "ConfigProblem" => json!({ "path": "max_daily", "reason": "must be at most 20" }),
        "CompanyConfigOut" => company_config(),
        "CompanyConfigList" => json!({ "items": [company_config()] }),
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
