//! Examples of signing in and of one's own account: set-up, sign-up, passwords, e-mail
//! address, sign-in links, sessions and second factors.

use serde_json::{json, Value};

use super::companies::user;
use super::{AT, COMPANY, PASSWORD, USER};

const SESSION: &str = "arm_sess_Xq2v7Lr0cW9mYb3Nf8Tg1Kd6Hs4Pj5Za0Ue2Ri7Oy1w";

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

/// The example of the schema named `name`, if it is one of these.
pub(super) fn for_schema(name: &str) -> Option<Value> {
    let password = PASSWORD;
    Some(match name {
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
        "MagicLinkRequestIn" => json!({ "email": "ana@paoquente.com.br" }),
        "MagicLinkRequested" => json!({
            "status": "sent_if_known",
            "message": "if the address may sign in by link, a message with a link is on its way; open it in this same browser: it works once, for 15 minutes",
        }),
        "MagicLinkRedeemIn" => json!({
            "token": "arm_magic_7Kd2Lq9Zx1Vb7Nc3Mf6Gj0Pw5Ty8Ru2Ie7Oa4Qk1Hs8",
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
        _ => return None,
    })
}
