//! Invitations, continued: the language of the message (chosen, taken from the inviter's
//! `Accept-Language`, or pt-BR) is kept by a resend; any other language is a 400 naming
//! `language`; accepting is throttled per IP, and refused tokens are audited without the token.
use crate::common::smtp::Sink;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A branded company and its admin `ana@bolo.test`, signed in.
async fn setup(server: &Server) -> (Client, String, Client) {
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Bolo Bom Ltda", "cnpj": cnpj(6611),
                   "display_name": "Bolo Bom", "max_users": 10}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let company = r.body["id"].as_str().unwrap().to_string();
    user(&owner, &company, "ana@bolo.test", "company_admin").await;
    let ana = server.login("ana@bolo.test", PASSWORD).await;
    (owner, company, ana)
}

/// The same signed-in client, sending `Accept-Language: value` on every request.
fn speaking(c: &Client, value: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        value.parse().expect("header value"),
    );
    Client {
        base: c.base.clone(),
        http: reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
        token: c.token.clone(),
    }
}

fn to(m: &[Value], email: &str) -> Value {
    m.iter()
        .rev()
        .find(|m| m["rcpt_tos"] == json!([email]))
        .unwrap_or_else(|| panic!("no message to {email}"))
        .clone()
}

fn subject(m: &Value) -> &str {
    m["headers"]["Subject"].as_str().unwrap()
}

#[tokio::test]
async fn the_letter_speaks_the_language_asked_for_and_a_resend_keeps_it() {
    let Some(sink) = Sink::start(0) else { return };
    let server = Server::start_with(&refs(&sink.env()));
    let (_owner, company, ana) = setup(&server).await;
    let path = format!("/api/v1/companies/{company}/invitations");

    // Asked for English, from a client that sends no Accept-Language.
    let r = ana
        .post(
            &path,
            json!({"email": "eli@bolo.test", "role": "member", "language": "en"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["language"], "en");
    let eli = r.body["id"].as_str().unwrap().to_string();
    let m = to(&sink.wait_for(1), "eli@bolo.test");
    assert_eq!(subject(&m), "Invitation to join Bolo Bom");
    assert!(m["html"].as_str().unwrap().contains("lang=\"en\""));
    assert!(m["text"].as_str().unwrap().contains("7 days"));

    // Nothing said: pt-BR.
    let r = ana
        .post(&path, json!({"email": "flor@bolo.test", "role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["language"], "pt-BR");
    let m = to(&sink.wait_for(2), "flor@bolo.test");
    assert_eq!(subject(&m), "Convite para entrar em Bolo Bom");

    // No field, but the inviter's request names English.
    let english = speaking(&ana, "en-US,en;q=0.9");
    let r = english
        .post(&path, json!({"email": "gus@bolo.test", "role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["language"], "en");
    let m = to(&sink.wait_for(3), "gus@bolo.test");
    assert_eq!(subject(&m), "Invitation to join Bolo Bom");

    // The field wins over the header.
    let r = english
        .post(
            &path,
            json!({"email": "hia@bolo.test", "role": "member", "language": "pt-BR"}),
        )
        .await;
    assert_eq!(r.body["language"], "pt-BR", "{}", r.text);
    let m = to(&sink.wait_for(4), "hia@bolo.test");
    assert_eq!(subject(&m), "Convite para entrar em Bolo Bom");

    // A resend, asked in Portuguese, keeps the invitation's English.
    let r = speaking(&ana, "pt-BR")
        .post_empty(&format!("{path}/{eli}/resend"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["language"], "en");
    let all = sink.wait_for(5);
    let m = to(&all, "eli@bolo.test");
    assert_eq!(subject(&m), "Invitation to join Bolo Bom");
    assert_ne!(m, to(&all[..1], "eli@bolo.test"), "a new message");

    let list = ana.get(&path).await;
    let langs: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["language"].as_str().unwrap())
        .collect();
    assert_eq!(langs.len(), 4, "{}", list.text);
}

#[tokio::test]
async fn a_language_other_than_pt_br_or_en_is_a_400_naming_language() {
    let server = Server::start();
    let (_owner, company, ana) = setup(&server).await;
    let path = format!("/api/v1/companies/{company}/invitations");
    for bad in [json!("fr"), json!("EN"), json!("pt"), json!(""), json!(5)] {
        let r = ana
            .post(
                &path,
                json!({"email": "ivo@bolo.test", "role": "member", "language": bad}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("language"));
    }
    let list = ana.get(&path).await;
    assert_eq!(list.body["items"], json!([]), "nothing was created");
    // The same request with a language armario writes in goes through.
    let r = ana
        .post(
            &path,
            json!({"email": "ivo@bolo.test", "role": "member", "language": "en"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn accepting_is_throttled_per_ip_and_refusals_are_audited_without_the_token() {
    let server = Server::start();
    let (owner, company, ana) = setup(&server).await;
    let r = ana
        .post(
            &format!("/api/v1/companies/{company}/invitations"),
            json!({"email": "jo@bolo.test", "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let anon = server.anon();
    let guess = |n: usize| format!("arm_invite_{n:0>43}");
    for n in 0..20 {
        let r = anon
            .post(
                "/api/v1/invitations/accept",
                json!({"token": guess(n), "name": "Jo", "password": "a-long-password-1"}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("token"));
    }
    let r = anon
        .post(
            "/api/v1/invitations/accept",
            json!({"token": guess(99), "name": "Jo", "password": "a-long-password-1"}),
        )
        .await;
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");

    let events = audit_events(&owner, "action=invitation.accept_failed").await;
    assert_eq!(events.len(), 20, "{events:?}");
    assert_eq!(events[0]["details"]["reason"], "unknown");
    let raw = serde_json::to_string(&events).unwrap();
    assert!(!raw.contains("arm_invite_"), "no token in the audit: {raw}");
}
