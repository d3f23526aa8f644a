//! Examples of companies, their people, invitations, web domains and plans.

use serde_json::{json, Value};

use super::{AT, COMPANY, PASSWORD, USER};

pub(super) fn company() -> Value {
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

pub(super) fn user() -> Value {
    json!({
        "id": USER, "company_id": COMPANY, "email": "ana@paoquente.com.br", "name": "Ana Souza",
        "role": "company_admin", "status": "active", "email_verified": true, "last_login_at": AT,
        "created_at": AT, "updated_at": AT, "mfa_enabled": true,
    })
}

fn invitation() -> Value {
    json!({
        "id": "inv_01a2312d1d6c7d8e9fa0b1c2d3e4f5a6", "company_id": COMPANY,
        "email": "bruno@paoquente.com.br", "role": "member", "language": "pt-BR",
        "status": "pending", "expires_at": "2026-12-07T14:05:00Z", "sent_at": AT, "created_at": AT,
    })
}

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    let password = PASSWORD;
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
        "DomainIn" => json!({ "domain": "pedidos.paoquente.com.br" }),
        "DomainOut" => json!({ "domain": "pedidos.paoquente.com.br", "created_at": AT }),
        "DomainList" => {
            json!({ "items": [{ "domain": "pedidos.paoquente.com.br", "created_at": AT }] })
        }
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
        _ => return None,
    })
}
