//! A sign-up is one item to approve: the overview counts a pending company with its first admin
//! once, not once as a company and again as a pending user.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_signup_counts_once_in_the_overview() {
    let server = Server::start();
    let owner = server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/signup",
            json!({
                "company": {"legal_name": "Móveis São José Ltda", "cnpj": cnpj(401), "contact_email": "contato@moveis.test"},
                "admin": {"name": "José", "email": "jose@moveis.test", "password": PASSWORD}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    let o = owner.get("/api/v1/overview").await;
    assert_eq!(o.status, StatusCode::OK, "{}", o.text);
    assert_eq!(o.body["companies"]["pending"], 1, "{}", o.body);
    assert_eq!(
        o.body["pending_users"], 0,
        "the sign-up's admin is part of the company item: {}",
        o.body
    );
}
