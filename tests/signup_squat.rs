//! Sign-up can neither squat a CNPJ or e-mail nor tell an anonymous caller which exist, and it
//! is throttled per IP and overall.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn body(legal: &str, cnpj: &str, email: &str, password: &str) -> Value {
    json!({
        "company": {"legal_name": legal, "cnpj": cnpj, "contact_email": "contato@empresa.test"},
        "admin": {"name": "Fulano", "email": email, "password": password}
    })
}

/// Signs up from the given address (the server trusts `X-Forwarded-For`).
async fn signup_from(server: &Server, ip: &str, body: Value) -> Resp {
    signup_at(server.url("/api/v1/signup"), ip.to_string(), body).await
}

async fn signup_at(url: String, ip: String, body: Value) -> Resp {
    let resp = reqwest::Client::new()
        .post(url)
        .header("X-Forwarded-For", ip)
        .json(&body)
        .send()
        .await
        .expect("request");
    Resp::read(resp).await
}

async fn pending(owner: &Client) -> Vec<Value> {
    all_pages(owner, "/api/v1/companies?status=pending").await
}

fn find<'a>(items: &'a [Value], legal: &str) -> &'a Value {
    items
        .iter()
        .find(|c| c["legal_name"] == legal)
        .unwrap_or_else(|| panic!("{legal} not in {items:?}"))
}

fn conflicts(c: &Value) -> Vec<String> {
    c.get("conflicts")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn twenty_five_signups_in_a_burst_are_throttled_per_ip_and_overall() {
    let server = Server::start_with(&[
        ("ARMARIO_TRUST_PROXY", "true"),
        ("ARMARIO_SIGNUP_MAX_TOTAL", "8"),
    ]);
    let mut accepted = 0;
    let mut throttled = 0;
    // All at once, so the burst really is concurrent.
    let burst: Vec<_> = (0..25)
        .map(|n| {
            let b = body(
                &format!("Rajada {n}"),
                &cnpj(5000 + n),
                &format!("r{n}@rajada.test"),
                PASSWORD,
            );
            tokio::spawn(signup_at(
                server.url("/api/v1/signup"),
                "10.1.1.1".into(),
                b,
            ))
        })
        .collect();
    for handle in burst {
        let r = handle.await.unwrap();
        match r.status {
            StatusCode::ACCEPTED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled += 1;
                let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(wait >= 1, "{wait}");
                assert_eq!(r.body["code"], "too_many_requests", "{}", r.text);
            }
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    assert_eq!((accepted, throttled), (5, 20), "the default is 5 per IP");

    // Other addresses still get in until the overall limit (8 here) is reached.
    for n in 0..3 {
        let b = body(
            "Outra",
            &cnpj(6000 + n),
            &format!("o{n}@outra.test"),
            PASSWORD,
        );
        let r = signup_from(&server, &format!("10.2.2.{n}"), b).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    }
    let b = body("Demais", &cnpj(6100), "d@demais.test", PASSWORD);
    let r = signup_from(&server, "10.3.3.3", b).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_squatter_learns_nothing_and_blocks_no_one() {
    let server = Server::start_with(&[("ARMARIO_TRUST_PROXY", "true")]);
    let owner = server.owner().await;
    let live = company(&owner, "Empresa Viva", 101).await;
    user(&owner, &live, "gerente@viva.test", "company_admin").await;

    // The same answer whether or not the CNPJ and e-mail are taken.
    let fresh = signup_from(
        &server,
        "10.0.0.1",
        body("Nova", &cnpj(102), "nova@nova.test", PASSWORD),
    )
    .await;
    let squat = signup_from(
        &server,
        "10.0.0.2",
        body(
            "Posseira",
            &cnpj(101),
            "gerente@viva.test",
            "squatter-password",
        ),
    )
    .await;
    let owner_email = signup_from(
        &server,
        "10.0.0.3",
        body(
            "Outra Posseira",
            &cnpj(103),
            "OWNER@armario.test",
            "squatter-password",
        ),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::ACCEPTED, "{}", fresh.text);
    assert_eq!(squat.status, StatusCode::ACCEPTED, "{}", squat.text);
    assert_eq!(
        owner_email.status,
        StatusCode::ACCEPTED,
        "{}",
        owner_email.text
    );
    assert_eq!(fresh.text, squat.text);
    assert_eq!(fresh.text, owner_email.text);
    assert!(!fresh.text.contains("id"), "{}", fresh.text);

    // The live users still sign in with their own passwords.
    server.login("owner@armario.test", PASSWORD).await;
    server.login("gerente@viva.test", PASSWORD).await;

    // A squat on a CNPJ and e-mail nobody holds yet: the real company still signs up, and the
    // owner can still create it directly.
    for (ip, legal, pw) in [
        ("10.0.0.4", "Padaria Posseira", "squatter-password"),
        ("10.0.0.5", "Padaria Real", PASSWORD),
    ] {
        let r = signup_from(
            &server,
            ip,
            body(legal, &cnpj(104), "dono@padaria.test", pw),
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    }
    let squat2 = signup_from(
        &server,
        "10.0.0.6",
        body(
            "Mercado Posseiro",
            &cnpj(105),
            "x@mercado.test",
            "squatter-password",
        ),
    )
    .await;
    assert_eq!(squat2.status, StatusCode::ACCEPTED);
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Mercado Real", "cnpj": cnpj(105)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // The owner sees every clash in the approvals queue.
    let queue = pending(&owner).await;
    assert!(conflicts(find(&queue, "Nova")).is_empty());
    assert_eq!(
        conflicts(find(&queue, "Posseira")),
        vec!["cnpj_in_use", "email_in_use"]
    );
    assert_eq!(
        conflicts(find(&queue, "Outra Posseira")),
        vec!["email_in_use"]
    );
    for legal in ["Padaria Posseira", "Padaria Real"] {
        assert_eq!(
            conflicts(find(&queue, legal)),
            vec!["cnpj_in_other_signup", "email_in_other_signup"]
        );
    }
    assert_eq!(
        conflicts(find(&queue, "Mercado Posseiro")),
        vec!["cnpj_in_use"]
    );

    // Approving a sign-up that clashes with a live company or user is refused.
    let id = |legal: &str| find(&queue, legal)["id"].as_str().unwrap().to_string();
    let r = owner
        .post_empty(&format!("/api/v1/companies/{}/approve", id("Posseira")))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("cnpj"));
    let r = owner
        .post_empty(&format!(
            "/api/v1/companies/{}/approve",
            id("Outra Posseira")
        ))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("email"));

    // Cancelling the squatter frees the CNPJ and e-mail for the real sign-up.
    let r = owner
        .post_empty(&format!(
            "/api/v1/companies/{}/cancel",
            id("Padaria Posseira")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let queue = pending(&owner).await;
    assert!(
        conflicts(find(&queue, "Padaria Real")).is_empty(),
        "{queue:?}"
    );
    let r = owner
        .post_empty(&format!("/api/v1/companies/{}/approve", id("Padaria Real")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let real = server.login("dono@padaria.test", PASSWORD).await;
    let me = real.get("/api/v1/auth/me").await;
    assert_eq!(
        me.body["company"]["legal_name"], "Padaria Real",
        "{}",
        me.text
    );
    assert!(me.body["company"].get("conflicts").is_none());

    // A cancelled sign-up holds nothing: the same CNPJ and e-mail sign up again.
    let r = owner
        .post_empty(&format!("/api/v1/companies/{}/cancel", id("Posseira")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": "Sem Dono", "cnpj": cnpj(106)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let events = audit_events(&owner, "action=company.cancelled").await;
    assert!(events
        .iter()
        .any(|e| e["details"]["signup_rejected"] == true));
}
