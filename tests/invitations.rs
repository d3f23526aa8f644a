//! Invitations through a real SMTP server on loopback (aiosmtpd): the message arrives branded
//! and in pt-BR with a single-use link; accepting it creates the user with the invited role,
//! who signs in with the chosen password; revoke and resend kill the old link; a pending
//! invitation holds a seat of the plan; another company's admin gets 404 and a member 403.
use crate::common::smtp::Sink;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The link and token of the invitation in a message's text.
fn invite_link(message: &Value) -> (String, String) {
    let text = message["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/portal/invite#token="))
        .unwrap_or_else(|| panic!("no invitation link in {text}"))
        .to_string();
    let token = link.split("#token=").nth(1).unwrap().to_string();
    (link, token)
}

/// A branded company with `max_users` seats and its admin `ana@padaria.test`, signed in.
async fn setup(server: &Server, max_users: u32) -> (Client, String, Client) {
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Sao Joao Ltda", "cnpj": cnpj(5511),
                   "display_name": "Padaria São João", "primary_color": "#aa3300",
                   "max_users": max_users}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let company = r.body["id"].as_str().unwrap().to_string();
    user(&owner, &company, "ana@padaria.test", "company_admin").await;
    let ana = server.login("ana@padaria.test", PASSWORD).await;
    (owner, company, ana)
}

async fn invite(admin: &Client, company: &str, email: &str, role: &str) -> Resp {
    admin
        .post(
            &format!("/api/v1/companies/{company}/invitations"),
            json!({"email": email, "role": role}),
        )
        .await
}

async fn accept(server: &Server, token: &str, password: &str) -> Resp {
    server
        .anon()
        .post(
            "/api/v1/invitations/accept",
            json!({"token": token, "name": "Bruno Lima", "password": password}),
        )
        .await
}

#[tokio::test]
async fn an_invitee_accepts_once_and_signs_in_with_the_invited_role() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let (owner, company, ana) = setup(&server, 10).await;

    let r = invite(&ana, &company, "Bruno@Padaria.test", "company_admin").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["email"], "bruno@padaria.test");
    assert_eq!(r.body["role"], "company_admin");
    assert!(
        !r.text.contains("arm_invite_"),
        "the link is only in the message"
    );
    let invitation = r.body["id"].as_str().unwrap().to_string();

    let m = &sink.wait_for(1)[0];
    assert_eq!(m["rcpt_tos"], json!(["bruno@padaria.test"]));
    let subject = m["headers"]["Subject"].as_str().unwrap();
    assert_eq!(subject, "Convite para entrar em Padaria São João");
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("lang=\"pt-BR\"") && html.contains("#aa3300"));
    assert!(m["text"].as_str().unwrap().contains("7 dias"));
    let (link, token) = invite_link(m);
    assert!(
        link.starts_with(&server.url("/portal/invite#token=arm_invite_")),
        "{link}"
    );
    assert!(html.contains(&link));
    let raw = m.to_string();
    assert_eq!(
        raw.matches("arm_").count(),
        raw.matches(&token).count(),
        "no other secret"
    );

    // The page the link opens is served.
    let page = reqwest::get(server.url("/portal/invite")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let r = accept(&server, &token, "short").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("password"));
    let r = accept(&server, &token, "bruno-chose-this-one").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["name"], "Bruno Lima");
    assert_eq!(r.body["role"], "company_admin");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["company_id"], company.as_str());

    let bruno = server
        .login("bruno@padaria.test", "bruno-chose-this-one")
        .await;
    let me = bruno.get("/api/v1/auth/me").await;
    assert_eq!(me.body["user"]["role"], "company_admin", "{}", me.text);
    // As an admin, Bruno manages the company's invitations too.
    let list = bruno
        .get(&format!("/api/v1/companies/{company}/invitations"))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.body["items"][0]["id"], invitation.as_str());
    assert_eq!(list.body["items"][0]["status"], "accepted");

    // The link works once.
    let again = accept(&server, &token, "another-password-1").await;
    assert_error(&again, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let r = ana
        .post_empty(&format!(
            "/api/v1/companies/{company}/invitations/{invitation}/resend"
        ))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("invitation_id"));

    let actions: Vec<String> = audit_events(&owner, &format!("company_id={company}"))
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    for a in ["invitation.created", "invitation.accepted"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let events = audit_events(&owner, "action=invitation.accepted").await;
    assert!(!events.is_empty());
    assert!(!serde_json::to_string(&events).unwrap().contains(&token));
}

#[tokio::test]
async fn resend_kills_the_old_link_and_revoke_kills_the_new_one() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let (_owner, company, ana) = setup(&server, 10).await;
    let r = invite(&ana, &company, "carla@padaria.test", "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let (_, first) = invite_link(&sink.wait_for(1)[0]);

    let base = format!("/api/v1/companies/{company}/invitations/{id}");
    let r = ana.post_empty(&format!("{base}/resend")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
    let (_, second) = invite_link(&sink.wait_for(2)[1]);
    assert_ne!(first, second);
    let r = accept(&server, &first, "carla-password-1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));

    let r = ana.delete(&base).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = accept(&server, &second, "carla-password-1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let r = ana.delete(&base).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("invitation_id"));
    let r = accept(&server, "arm_invite_nothing", "carla-password-1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "carla@padaria.test", "password": "carla-password-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
}

#[tokio::test]
async fn a_pending_invitation_holds_a_seat_and_an_address() {
    let server = Server::start();
    // Two seats: Ana and one more.
    let (owner, company, ana) = setup(&server, 2).await;
    let r = invite(&ana, &company, "ana@padaria.test", "member").await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("email"));
    let r = invite(&ana, &company, "davi@padaria.test", "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = invite(&ana, &company, "davi@padaria.test", "member").await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("email"));

    let r = invite(&ana, &company, "eva@padaria.test", "member").await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    // The owner's typed-password path counts the invitation too.
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": "eva@padaria.test", "name": "Eva", "role": "member",
                   "password": PASSWORD}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );

    let r = ana
        .delete(&format!("/api/v1/companies/{company}/invitations/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = invite(&ana, &company, "eva@padaria.test", "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn another_companys_admin_gets_404_and_a_member_403() {
    let server = Server::start();
    let (owner, company, ana) = setup(&server, 10).await;
    let r = invite(&ana, &company, "fabio@padaria.test", "member").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let other = crate::common::company(&owner, "Outra Ltda", 5512).await;
    user(&owner, &other, "admin@outra.test", "company_admin").await;
    user(&owner, &company, "membro@padaria.test", "member").await;
    let stranger = server.login("admin@outra.test", PASSWORD).await;
    let member = server.login("membro@padaria.test", PASSWORD).await;

    let base = format!("/api/v1/companies/{company}/invitations");
    let body = json!({"email": "gil@padaria.test", "role": "member"});
    let calls: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (reqwest::Method::GET, base.clone(), None),
        (reqwest::Method::POST, base.clone(), Some(body.clone())),
        (reqwest::Method::POST, format!("{base}/{id}/resend"), None),
        (reqwest::Method::DELETE, format!("{base}/{id}"), None),
    ];
    for (method, path, body) in &calls {
        let r = stranger.send(method.clone(), path, body.clone()).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
        let r = member.send(method.clone(), path, body.clone()).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    }
    // Through the stranger's own company, the invitation is still not found.
    let own = format!("/api/v1/companies/{other}/invitations/{id}");
    let r = stranger.post_empty(&format!("{own}/resend")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    let r = stranger.delete(&own).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);

    let list = ana.get(&base).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        list.text
    );
    assert_eq!(list.body["items"][0]["status"], "pending");
}
