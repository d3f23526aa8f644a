//! Two-factor sign-in against the real server: codes computed by `pyotp` (an independent TOTP
//! implementation), the sign-in's second step, recovery codes, throttling, replay, policies,
//! resets by the owner, a company admin and the console.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PYOTP: &str = "python3 -m pip install pyotp";

fn have_pyotp() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyotp"])
        .status()
        .is_ok_and(|s| s.success());
    ok || skip_or_fail("pyotp", PYOTP)
}

/// pyotp's code for a time step.
fn pyotp_at(secret: &str, step: i64) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, pyotp; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))",
            secret,
            &(step * 30).to_string(),
        ])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn step_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 30
}

/// An authenticator that never shows the same step twice: the server refuses a step already
/// used, so each code comes from a later step within the accepted window (one either side).
struct Authenticator {
    secret: String,
    last: i64,
}

impl Authenticator {
    async fn next(&mut self) -> String {
        loop {
            let now = step_now();
            // The step before this one is still accepted, but only until this one ends: near
            // the end of a step it could expire between computing the code and the server
            // checking it (a loaded machine takes seconds), so it is used only early on.
            let secs_left = 30
                - SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64
                    % 30;
            let earliest = if secs_left > 10 { now - 1 } else { now };
            let step = (self.last + 1).max(earliest);
            if step <= now + 1 {
                self.last = step;
                return pyotp_at(&self.secret, step);
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    }

    /// A code outside the window, so certainly wrong now.
    fn wrong(&self) -> String {
        pyotp_at(&self.secret, step_now() + 10)
    }
}

/// Sets up and confirms an authenticator; returns it and the recovery codes.
async fn enrol(client: &Client) -> (Authenticator, Vec<String>) {
    let r = client.post_empty("/api/v1/auth/mfa/totp").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(r.body["otpauth_uri"].as_str().unwrap().contains(&secret));
    assert!(r.body["qr_svg"].as_str().unwrap().contains("<svg"));
    let mut auth = Authenticator {
        secret,
        last: i64::MIN / 2,
    };
    let r = client
        .post(
            "/api/v1/auth/mfa/totp/confirm",
            json!({"code": auth.wrong()}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("code"));
    let r = client
        .post(
            "/api/v1/auth/mfa/totp/confirm",
            json!({"code": auth.next().await}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let codes: Vec<String> = r.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (auth, codes)
}

async fn first_step(server: &Server, email: &str) -> String {
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["mfa_required"], true);
    assert!(
        r.body.get("token").is_none(),
        "no session before the second step"
    );
    r.body["challenge"].as_str().unwrap().to_string()
}

async fn verify(server: &Server, body: Value) -> Resp {
    server.anon().post("/api/v1/auth/mfa/verify", body).await
}

#[tokio::test]
async fn enrol_then_sign_in_with_a_code_or_a_recovery_code_once() {
    if !have_pyotp() {
        return;
    }
    let mut server = Server::spawn();
    let owner = server.owner().await;
    let company = company(&owner, "Pão Quente", 71).await;
    user(&owner, &company, "ana@x.test", "member").await;
    let ana = server.login("ana@x.test", PASSWORD).await;
    let r = ana.get("/api/v1/auth/mfa").await;
    assert_eq!(r.body["enabled"], false, "{}", r.text);
    let (mut auth, codes) = enrol(&ana).await;
    let r = ana.get("/api/v1/auth/mfa").await;
    assert_eq!(r.body["enabled"], true);
    assert_eq!(r.body["recovery_codes_left"], 10);

    // The second step with a code opens a session.
    let challenge = first_step(&server, "ana@x.test").await;
    let code = auth.next().await;
    let r = verify(&server, json!({"challenge": challenge, "code": code})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let me = server.anon().with_token(r.body["token"].as_str().unwrap());
    assert_eq!(me.get("/api/v1/auth/me").await.status, StatusCode::OK);
    // The challenge works once.
    let r = verify(
        &server,
        json!({"challenge": challenge, "code": auth.next().await}),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized", None);

    // The same code again is refused.
    let challenge = first_step(&server, "ana@x.test").await;
    let r = verify(&server, json!({"challenge": challenge, "code": code})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("code"));

    // A recovery code works once.
    let r = verify(
        &server,
        json!({"challenge": challenge, "recovery_code": codes[0].to_uppercase()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let challenge = first_step(&server, "ana@x.test").await;
    let r = verify(
        &server,
        json!({"challenge": challenge, "recovery_code": codes[0]}),
    )
    .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid",
        Some("recovery_code"),
    );
    let r = ana.get("/api/v1/auth/mfa").await;
    assert_eq!(r.body["recovery_codes_left"], 9);

    // New recovery codes replace the old ones; turning it off needs a code or the password.
    let r = ana
        .post(
            "/api/v1/auth/mfa/recovery-codes",
            json!({"code": auth.next().await}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = ana
        .post(
            "/api/v1/auth/mfa/disable",
            json!({"password": "wrong password!"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("password"));
    let r = ana
        .post("/api/v1/auth/mfa/disable", json!({"password": PASSWORD}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    server.login("ana@x.test", PASSWORD).await;

    // The secret is in no audit detail and no log line.
    let events = audit_events(&owner, "").await;
    let text = serde_json::to_string(&events).unwrap();
    assert!(text.contains("mfa.enabled") && text.contains("mfa.recovery_code_used"));
    assert!(!text.contains(&auth.secret), "secret in the audit log");
    assert!(!text.contains(&codes[1]), "recovery code in the audit log");
    server.stop();
    let logs = server.logs();
    assert!(!logs.is_empty());
    assert!(!logs.contains(&auth.secret), "secret in the logs");
    assert!(!logs.contains(&codes[1]), "recovery code in the logs");
}

#[tokio::test]
async fn wrong_codes_are_throttled_and_audited() {
    if !have_pyotp() {
        return;
    }
    let server = Server::start();
    let owner = server.owner().await;
    let (auth, _) = enrol(&owner).await;
    let challenge = first_step(&server, "owner@armario.test").await;
    // One wrong code was already spent confirming; four more are answered, then 429.
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            verify(
                &server,
                json!({"challenge": challenge, "code": auth.wrong()}),
            )
            .await,
        );
        if last.as_ref().unwrap().status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_error(
            last.as_ref().unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid",
            Some("code"),
        );
    }
    let r = last.unwrap();
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    assert!(r.headers.get("retry-after").is_some());
    let r = verify(
        &server,
        json!({"challenge": challenge, "code": auth.wrong()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let failed = audit_events(&owner, "action=mfa.code_failed").await;
    // Five wrong second steps, and the wrong code tried while confirming.
    assert_eq!(failed.len(), 6, "{failed:?}");
}

#[tokio::test]
async fn a_policy_lets_an_unenrolled_user_only_enrol() {
    if !have_pyotp() {
        return;
    }
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, "Pão Quente", 72).await;
    user(&owner, &company, "chefe@x.test", "company_admin").await;
    user(&owner, &company, "bia@x.test", "member").await;
    let admin = server.login("chefe@x.test", PASSWORD).await;
    let bia = server.login("bia@x.test", PASSWORD).await;
    let path = format!("/api/v1/companies/{company}/mfa-policy");
    let r = bia.put(&path, json!({"policy": "everyone"})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    let r = admin.put(&path, json!({"policy": "sometimes"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = admin.put(&path, json!({"policy": "admins"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The admin is bound now, the member is not.
    let r = admin.get(&format!("/api/v1/companies/{company}")).await;
    assert_error(&r, StatusCode::FORBIDDEN, "mfa_enrollment_required", None);
    assert_eq!(admin.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        bia.get(&format!("/api/v1/companies/{company}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(admin.get("/api/v1/auth/me").await.status, StatusCode::OK);
    assert_eq!(admin.get("/api/v1/auth/mfa").await.body["required"], true);
    enrol(&admin).await;
    assert_eq!(
        admin
            .get(&format!("/api/v1/companies/{company}"))
            .await
            .status,
        StatusCode::OK
    );
    let r = admin.put(&path, json!({"policy": "everyone"})).await;
    assert_eq!(r.body["policy"], "everyone", "{}", r.text);
    let r = bia.get(&format!("/api/v1/companies/{company}/users")).await;
    assert_error(&r, StatusCode::FORBIDDEN, "mfa_enrollment_required", None);
    // A new sign-in gets a session, in the same enrolment-only state.
    let again = server.login("bia@x.test", PASSWORD).await;
    assert_eq!(again.get("/api/v1/auth/mfa").await.status, StatusCode::OK);
    assert_eq!(
        again.post_empty("/api/v1/auth/logout").await.status,
        StatusCode::NO_CONTENT
    );

    // The owner requires it of owners.
    let r = owner
        .put(
            "/api/v1/settings/mfa-policy",
            json!({"require_for_owners": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner.get("/api/v1/companies").await;
    assert_error(&r, StatusCode::FORBIDDEN, "mfa_enrollment_required", None);
    let changed = audit_events(&admin, "action=mfa.policy_changed").await;
    assert_eq!(changed.len(), 2);
}

#[tokio::test]
async fn resets_by_the_owner_and_a_company_admin_and_another_company_is_404() {
    if !have_pyotp() {
        return;
    }
    let server = Server::start();
    let owner = server.owner().await;
    let a = company(&owner, "Empresa A", 73).await;
    let b = company(&owner, "Empresa B", 74).await;
    user(&owner, &a, "admin-a@x.test", "company_admin").await;
    let ana = user(&owner, &a, "ana@x.test", "member").await;
    let bob = user(&owner, &b, "bob@x.test", "member").await;
    let admin_a = server.login("admin-a@x.test", PASSWORD).await;
    enrol(&server.login("ana@x.test", PASSWORD).await).await;
    enrol(&server.login("bob@x.test", PASSWORD).await).await;
    let listed = admin_a
        .get(&format!("/api/v1/companies/{a}/users/{ana}"))
        .await;
    assert_eq!(listed.body["mfa_enabled"], true, "{}", listed.text);

    // Another company's user, through either company's path, is not found.
    let r = admin_a
        .delete(&format!("/api/v1/companies/{a}/users/{bob}/mfa"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = admin_a
        .delete(&format!("/api/v1/companies/{b}/users/{bob}/mfa"))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = admin_a.delete(&format!("/api/v1/users/{bob}/mfa")).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    first_step(&server, "bob@x.test").await;

    let r = admin_a
        .delete(&format!("/api/v1/companies/{a}/users/{ana}/mfa"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    server.login("ana@x.test", PASSWORD).await;
    let r = owner.delete(&format!("/api/v1/users/{bob}/mfa")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    server.login("bob@x.test", PASSWORD).await;
    assert_eq!(audit_events(&owner, "action=mfa.reset").await.len(), 2);
}

#[tokio::test]
async fn the_console_resets_an_owner_and_a_login_link_asks_for_the_second_step() {
    if !have_pyotp() {
        return;
    }
    let mut server = Server::spawn();
    let owner = server.owner().await;
    enrol(&owner).await;
    first_step(&server, "owner@armario.test").await;
    let (dir, key) = (server.data_dir(), server.master_key.clone());
    let out = run_armario(
        &dir,
        &key,
        &["admin", "login-link", "--email", "owner@armario.test"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap();
    let token = link.trim().rsplit("#token=").next().unwrap().to_string();
    let r = server
        .anon()
        .post("/api/v1/auth/login-link", json!({"token": token}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert!(r.body.get("token").is_none());

    let out = run_armario(
        &dir,
        &key,
        &["admin", "reset-mfa", "--email", "owner@armario.test"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_armario(
        &dir,
        &key,
        &["admin", "reset-mfa", "--email", "nobody@x.test"],
        "",
    );
    assert!(!out.status.success());
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let reset = audit_events(&owner, "action=mfa.reset").await;
    assert_eq!(reset[0]["actor_kind"], "operator", "{reset:?}");
    server.stop();
}

#[tokio::test]
async fn a_magic_link_asks_for_the_second_step_too() {
    if !have_pyotp() {
        return;
    }
    let Some(sink) = crate::common::smtp::Sink::start(0) else {
        return;
    };
    let env = sink.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start_with(&env);
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Oficina Duas Etapas Ltda", "cnpj": cnpj(7401)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let company = r.body["id"].as_str().unwrap().to_string();
    let r = owner
        .patch(
            &format!("/api/v1/companies/{company}"),
            json!({"magic_link_sign_in": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    user(&owner, &company, "dora@duas.test", "member").await;
    let dora = server.login("dora@duas.test", PASSWORD).await;
    let (mut auth, _) = enrol(&dora).await;

    // One browser asks for a link and opens it: the answer is the second step, not a session.
    let browser = Client {
        base: server.base.clone(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap(),
        token: None,
    };
    let r = browser
        .post(
            "/api/v1/auth/magic-link",
            json!({"email": "dora@duas.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let message = &sink.wait_for(1)[0];
    let text = message["text"].as_str().unwrap();
    let token = text
        .split_whitespace()
        .find_map(|w| w.split("/magic#token=").nth(1))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_string();
    let r = browser
        .post("/api/v1/auth/magic-link/redeem", json!({"token": token}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["mfa_required"], true);
    assert!(r.body.get("token").is_none(), "no session before the code");
    let me = browser.get("/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.text);
    let challenge = r.body["challenge"].as_str().unwrap().to_string();
    let r = verify(
        &server,
        json!({"challenge": challenge, "code": auth.next().await}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["token"].as_str().unwrap().starts_with("arm_sess_"));
}

/// Signing in to an application through armario asks for the second factor too: no code, no
/// session, and the authorization request cannot be completed.
#[tokio::test]
async fn an_application_sign_in_asks_for_the_second_factor() {
    use crate::oidc_flow::{
        authorize, claims, complete, exchange, good_params, no_redirects, param, pkce, world,
    };
    if !have_pyotp() {
        return;
    }
    let w = world("mfa", 8201).await;
    let member = w.server.login(&w.user_email, PASSWORD).await;
    let (mut auth, _) = enrol(&member).await;

    let http = no_redirects();
    let (verifier, challenge) = pkce();
    let (status, loc) = authorize(&w, &http, &good_params(&w, &challenge, "openid email")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
    // The password alone: a challenge, no session; completing the request is refused.
    let r = http
        .post(w.server.url("/api/v1/auth/login"))
        .json(&json!({"email": w.user_email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().await.unwrap();
    let mfa_challenge = body["challenge"].as_str().unwrap().to_string();
    let (status, _) = complete(&w, &http, "", &loc, false).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no session before the second step"
    );
    // The code: a session, and the request completes.
    let r = http
        .post(w.server.url("/api/v1/auth/mfa/verify"))
        .json(&json!({"challenge": mfa_challenge, "code": auth.next().await}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap();
    let (status, done) = complete(&w, &http, csrf, &loc, false).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let code = param(done["redirect_to"].as_str().unwrap(), "code").unwrap();
    let (status, tokens) = exchange(&w, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["email"],
        w.user_email.as_str()
    );
}
