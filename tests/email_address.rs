//! E-mail addresses proven by reading them, through a real SMTP server on loopback (aiosmtpd):
//! a sign-up's admin receives a verification link in the language of the sign-up, and the owner
//! sees which sign-ups verified theirs; a signed-in person moves to a new address only by opening
//! the link sent there, after which the old address receives a notice with no link. Used,
//! replaced and foreign links change nothing.
use crate::common::smtp::Sink;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The token of the link to `path` in a message's text.
fn token_in(message: &Value, path: &str) -> String {
    let text = message["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains(&format!("{path}#token=")))
        .unwrap_or_else(|| panic!("no {path} link in {text}"));
    link.split("#token=").nth(1).unwrap().to_string()
}

/// The only secret a message may carry is its own link's token.
fn carries_only(message: &Value, token: Option<&str>) {
    let raw = message.to_string();
    let own = token.map_or(0, |t| raw.matches(t).count());
    assert_eq!(raw.matches("arm_").count(), own, "no other secret in {raw}");
}

async fn signup(server: &Server, lang: Option<&str>, legal: &str, seed: u32, email: &str) {
    let mut req = reqwest::Client::new().post(server.url("/api/v1/signup"));
    if let Some(lang) = lang {
        req = req.header("Accept-Language", lang);
    }
    let body = json!({
        "company": {"legal_name": legal, "cnpj": cnpj(seed), "contact_email": "contato@empresa.test"},
        "admin": {"name": "Fulano", "email": email, "password": PASSWORD}
    });
    let r = Resp::read(req.json(&body).send().await.unwrap()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
}

/// The pending admin of the sign-up of `legal`, as the owner's approvals queue reads it.
async fn first_admin(owner: &Client, legal: &str) -> Value {
    let pending = all_pages(owner, "/api/v1/companies?status=pending").await;
    let company = pending
        .iter()
        .find(|c| c["legal_name"] == legal)
        .unwrap_or_else(|| panic!("{legal} not pending"));
    let id = company["id"].as_str().unwrap();
    let users = owner
        .get(&format!("/api/v1/companies/{id}/users?status=pending"))
        .await;
    users.body["items"][0].clone()
}

async fn actions(owner: &Client) -> String {
    all_pages(owner, "/api/v1/audit-events")
        .await
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_signup_verifies_its_address_once_and_the_owner_sees_it() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    signup(
        &server,
        Some("en"),
        "Oficina Alfa Ltda",
        7101,
        "alfa@oficina.test",
    )
    .await;
    signup(
        &server,
        None,
        "Oficina Beta Ltda",
        7102,
        "beta@oficina.test",
    )
    .await;

    let messages = sink.wait_for(2);
    let to = |addr: &str| {
        messages
            .iter()
            .find(|m| m["rcpt_tos"] == json!([addr]))
            .unwrap_or_else(|| panic!("nothing to {addr}"))
            .clone()
    };
    let (alfa, beta) = (to("alfa@oficina.test"), to("beta@oficina.test"));
    assert_eq!(
        alfa["headers"]["Subject"],
        "Confirm your e-mail at Oficina Alfa Ltda"
    );
    assert_eq!(
        beta["headers"]["Subject"],
        "Confirme seu e-mail em Oficina Beta Ltda"
    );
    assert!(beta["html"].as_str().unwrap().contains("lang=\"pt-BR\""));
    let token = token_in(&alfa, "/portal/verify");
    assert!(token.starts_with("arm_verify_"), "{token}");
    carries_only(&alfa, Some(&token));

    assert_eq!(
        first_admin(&owner, "Oficina Alfa Ltda").await["email_verified"],
        false
    );
    let page = reqwest::get(server.url("/portal/verify")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let anon = server.anon();
    let r = anon
        .post("/api/v1/auth/email/verify", json!({"token": token}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        first_admin(&owner, "Oficina Alfa Ltda").await["email_verified"],
        true
    );
    assert_eq!(
        first_admin(&owner, "Oficina Beta Ltda").await["email_verified"],
        false
    );

    // Used, unknown and malformed links are one clear 400 naming the token.
    for bad in [token.clone(), format!("{token}x"), "arm_email_nope".into()] {
        let r = anon
            .post("/api/v1/auth/email/verify", json!({"token": bad}))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    }
    let log = actions(&owner).await;
    assert!(log.contains("user.email_verified"), "{log}");
    assert!(!log.contains("arm_verify_"), "no token in the audit log");
}

#[tokio::test]
async fn an_address_moves_only_from_the_new_address_and_the_old_one_is_told() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Padaria Sao Joao Ltda", "cnpj": cnpj(7201),
                   "display_name": "Padaria São João", "primary_color": "#aa3300"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let company = r.body["id"].as_str().unwrap().to_string();
    let ana_id = user(&owner, &company, "ana@padaria.test", "company_admin").await;
    user(&owner, &company, "bruno@padaria.test", "member").await;
    let ana = server.login("ana@padaria.test", PASSWORD).await;
    assert_eq!(
        ana.get("/api/v1/auth/me").await.body["user"]["email_verified"],
        false
    );

    let ask = |new: &str, password: &str| json!({"new_email": new, "password": password});
    let r = ana
        .post(
            "/api/v1/auth/email",
            ask("ana2@padaria.test", "wrong-password-1"),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("password"));
    let r = ana
        .post("/api/v1/auth/email", ask("ANA@padaria.test", PASSWORD))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("new_email"));
    let r = ana
        .post("/api/v1/auth/email", ask("not-an-address", PASSWORD))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("new_email"));

    let r = ana
        .post(
            "/api/v1/auth/email",
            ask("ana.first@padaria.test", PASSWORD),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["status"], "confirmation_sent");
    // Asking again replaces the first link.
    let r = ana
        .post("/api/v1/auth/email", ask("ana.nova@padaria.test", PASSWORD))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(
        ana.get("/api/v1/auth/me").await.body["user"]["email"],
        "ana@padaria.test"
    );

    let sent = sink.wait_for(2);
    assert_eq!(sent.len(), 2, "the refused asks sent nothing");
    let first = token_in(&sent[0], "/portal/email");
    let second = &sent[1];
    assert_eq!(second["rcpt_tos"], json!(["ana.nova@padaria.test"]));
    assert_eq!(
        second["headers"]["Subject"],
        "Confirme seu novo e-mail em Padaria São João"
    );
    assert!(second["html"].as_str().unwrap().contains("#aa3300"));
    let token = token_in(second, "/portal/email");
    assert!(token.starts_with("arm_email_"), "{token}");
    carries_only(second, Some(&token));

    let anon = server.anon();
    let confirm = |t: &str| json!({"token": t});
    let r = anon
        .post("/api/v1/auth/email/confirm", confirm(&first))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    // A verification endpoint does not take a change link.
    let r = anon
        .post("/api/v1/auth/email/verify", confirm(&token))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    let r = anon
        .post("/api/v1/auth/email/confirm", confirm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["email"], "ana.nova@padaria.test");
    assert_eq!(r.body["email_verified"], true);
    let r = anon
        .post("/api/v1/auth/email/confirm", confirm(&token))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));

    // The old address is told, with no way in.
    let notice = &sink.wait_for(3)[2];
    assert_eq!(notice["rcpt_tos"], json!(["ana@padaria.test"]));
    assert_eq!(
        notice["headers"]["Subject"],
        "Seu e-mail em Padaria São João foi alterado"
    );
    let text = notice["text"].as_str().unwrap();
    assert!(
        text.contains("ana.nova@padaria.test") && !text.contains("http"),
        "{text}"
    );
    carries_only(notice, None);

    server.login("ana.nova@padaria.test", PASSWORD).await;
    let r = anon
        .post(
            "/api/v1/auth/login",
            json!({"email": "ana@padaria.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // An address taken between asking and opening the link is a 409, and nothing changes.
    let bruno = server.login("bruno@padaria.test", PASSWORD).await;
    let r = bruno
        .post("/api/v1/auth/email", ask("carla@padaria.test", PASSWORD))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let carla_link = token_in(&sink.wait_for(4)[3], "/portal/email");
    user(&owner, &company, "carla@padaria.test", "member").await;
    let r = anon
        .post("/api/v1/auth/email/confirm", confirm(&carla_link))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("email"));
    assert_eq!(
        bruno.get("/api/v1/auth/me").await.body["user"]["email"],
        "bruno@padaria.test"
    );

    // An address the owner types for someone is not proven.
    let r = owner
        .patch(
            &format!("/api/v1/companies/{company}/users/{ana_id}"),
            json!({"email": "ana.sj@padaria.test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["email_verified"], false);

    let log = actions(&owner).await;
    for action in ["user.email_change_requested", "user.email_changed"] {
        assert!(log.contains(action), "{action} in {log}");
    }
    assert!(!log.contains("arm_email_"), "no token in the audit log");
}
