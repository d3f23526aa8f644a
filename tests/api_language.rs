//! Error messages follow `Accept-Language`: pt-BR when the request prefers Portuguese, English
//! when it prefers English or sends no header; `code` and `field` never change. Sign-ups get the
//! same default plan as companies the owner creates without one.

use crate::common::*;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE};
use reqwest::StatusCode;
use serde_json::json;

/// The same client, asking for messages in `lang` (`None`: no header at all).
fn speaking(c: &Client, lang: Option<&str>) -> Client {
    let mut headers = HeaderMap::new();
    if let Some(l) = lang {
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(l).unwrap());
    }
    Client {
        base: c.base.clone(),
        http: reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
        token: c.token.clone(),
    }
}

fn message(r: &Resp) -> &str {
    r.body["message"].as_str().unwrap()
}

#[tokio::test]
async fn the_same_bad_request_in_both_languages() {
    let server = Server::start();
    let owner = server.owner().await;
    let bad = json!({"legal_name": "Ipê Amarelo", "cnpj": "11.222.333/0001-00"});
    let mut answers = Vec::new();
    for lang in [
        Some("pt-BR,pt;q=0.9,en;q=0.8"),
        Some("en-US,en;q=0.9"),
        None,
    ] {
        let r = speaking(&owner, lang)
            .post("/api/v1/companies", bad.clone())
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cnpj"));
        answers.push(message(&r).to_string());
    }
    assert_eq!(answers[0], "cnpj: os dígitos verificadores não conferem");
    assert_eq!(answers[1], "cnpj: check digits do not match");
    assert_eq!(answers[2], answers[1], "no header: English");

    // A body the schema refuses, and a route that does not exist.
    let pt = speaking(&owner, Some("pt-BR"));
    let r = pt
        .post(
            "/api/v1/companies",
            json!({"legal_name": 5, "cnpj": cnpj(1)}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("legal_name"));
    assert_eq!(message(&r), "legal_name: deve ser um texto");
    let r = pt.get("/api/v1/nothing-here").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(message(&r), "não encontrado");
    assert!(r
        .headers
        .get_all("vary")
        .iter()
        .any(|v| v == "Accept-Language"));
}

#[tokio::test]
async fn the_messages_people_saw_in_english_arrive_in_pt_br() {
    let server = Server::start();
    let owner = server.owner().await;
    let pt = |c: &Client| speaking(c, Some("pt-BR"));

    // The plan's user limit.
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Mãe Terra", "cnpj": cnpj(8101), "max_users": 1}),
        )
        .await;
    let company = r.body["id"].as_str().unwrap().to_string();
    user(&owner, &company, "um@maeterra.test", "company_admin").await;
    let r = pt(&owner)
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": "dois@maeterra.test", "name": "Dois", "role": "member", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "limit_exceeded",
        Some("max_users"),
    );
    assert_eq!(
        message(&r),
        "max_users: o plano da empresa permite no máximo 1 usuários"
    );

    // A sign-up waiting for approval.
    let r = owner
        .post(
            "/api/v1/signup",
            json!({"company": {"legal_name": "Açaí do Norte", "cnpj": cnpj(8102), "contact_email": "a@acai.test"},
                   "admin": {"name": "Ana", "email": "ana@acai.test", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let login = json!({"email": "ana@acai.test", "password": PASSWORD});
    let r = pt(&server.anon())
        .post("/api/v1/auth/login", login.clone())
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(message(&r), "esta conta aguarda aprovação");
    let r = server.anon().post("/api/v1/auth/login", login).await;
    assert_eq!(message(&r), "this account is waiting for approval");

    // A suspended company.
    let r = owner
        .post_empty(&format!("/api/v1/companies/{company}/suspend"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = pt(&server.anon())
        .post(
            "/api/v1/auth/login",
            json!({"email": "um@maeterra.test", "password": PASSWORD}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(message(&r), "o acesso da sua empresa está suspenso");
}

#[tokio::test]
async fn sign_ups_get_the_default_plan_of_every_other_company() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = owner
        .post(
            "/api/v1/signup",
            json!({"company": {"legal_name": "Ipê Amarelo", "cnpj": cnpj(8201), "contact_email": "a@ipe.test"},
                   "admin": {"name": "Ana", "email": "ana@ipe.test", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let created = company(&owner, "Mãe Terra", 8202).await;
    let companies = all_pages(&owner, "/api/v1/companies").await;
    let plans: Vec<&str> = companies
        .iter()
        .map(|c| c["plan"].as_str().unwrap())
        .collect();
    assert_eq!(plans, ["Padrão", "Padrão"], "{companies:?}");
    assert!(companies.iter().any(|c| c["id"] == created.as_str()));
}

#[tokio::test]
async fn the_answers_to_a_sign_up_and_a_reset_request_follow_the_language() {
    let server = Server::start();
    let anon = server.anon();
    let signup = |n: u32| {
        json!({
            "company": {"legal_name": format!("Idioma {n} Ltda"), "cnpj": cnpj(9300 + n),
                        "contact_email": format!("c{n}@idioma.test")},
            "admin": {"name": "Iara", "email": format!("iara{n}@idioma.test"), "password": PASSWORD},
        })
    };
    let pt = speaking(&anon, Some("pt-BR"))
        .post("/api/v1/signup", signup(1))
        .await;
    assert_eq!(pt.status, StatusCode::ACCEPTED, "{}", pt.text);
    assert!(
        message(&pt).starts_with("obrigado: o cadastro aguarda aprovação"),
        "{}",
        pt.text
    );
    let en = speaking(&anon, None)
        .post("/api/v1/signup", signup(2))
        .await;
    assert!(
        message(&en).starts_with("thank you: the sign-up waits"),
        "{}",
        en.text
    );
    assert_eq!(pt.body["status"], en.body["status"]);

    let body = json!({"email": "ninguem@idioma.test"});
    let pt = speaking(&anon, Some("pt-BR"))
        .post("/api/v1/auth/password-reset", body.clone())
        .await;
    assert_eq!(pt.status, StatusCode::ACCEPTED, "{}", pt.text);
    assert!(
        message(&pt).starts_with("se o endereço tiver uma conta"),
        "{}",
        pt.text
    );
    let en = speaking(&anon, Some("en"))
        .post("/api/v1/auth/password-reset", body)
        .await;
    assert!(
        message(&en).starts_with("if the address has an account"),
        "{}",
        en.text
    );
}
