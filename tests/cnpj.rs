//! CNPJ forms: numeric and alphanumeric (IN RFB 2.229/2024), formatted or bare, in any case,
//! stored bare in upper case; anything else inside the number is refused.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A valid alphanumeric CNPJ from 12 letters or digits: each character counts as its ASCII
/// code minus 48 in the usual mod-11 sums.
fn alnum_cnpj(first12: &str) -> String {
    let mut chars: Vec<u32> = first12.bytes().map(|b| u32::from(b) - 48).collect();
    for weights in [
        &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..],
        &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][..],
    ] {
        let sum: u32 = chars.iter().zip(weights).map(|(c, w)| c * w).sum();
        chars.push(if sum % 11 < 2 { 0 } else { 11 - sum % 11 });
    }
    let digits: String = chars[12..].iter().map(u32::to_string).collect();
    format!("{first12}{digits}")
}

fn formatted(bare: &str) -> String {
    format!(
        "{}.{}.{}/{}-{}",
        &bare[..2],
        &bare[2..5],
        &bare[5..8],
        &bare[8..12],
        &bare[12..]
    )
}

async fn create(owner: &Client, name: &str, cnpj: &str) -> Resp {
    owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": name, "cnpj": cnpj}),
        )
        .await
}

async fn companies(owner: &Client) -> Vec<Value> {
    all_pages(owner, "/api/v1/companies?limit=200").await
}

#[tokio::test]
async fn alphanumeric_cnpj_is_accepted_formatted_or_bare_and_stored_upper_case() {
    let server = Server::start();
    let owner = server.owner().await;
    assert_eq!(alnum_cnpj("12ABC34501DE"), "12ABC34501DE35");

    // The example from the Receita Federal, formatted.
    let r = create(&owner, "Alfa", "12.ABC.345/01DE-35").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["cnpj"], "12ABC34501DE35");
    let alfa = r.body["id"].as_str().unwrap().to_string();
    // The same number bare and in lower case is the same company.
    let r = create(&owner, "Alfa de novo", "12abc34501de35").await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("cnpj"));

    // Bare, lower case, with surrounding spaces.
    let beta = alnum_cnpj("Q7WZ0KXA0001");
    let r = create(&owner, "Beta", &format!("  {}\t", beta.to_lowercase())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["cnpj"], beta.as_str());

    // Changing a company's CNPJ takes the same forms.
    let gama = alnum_cnpj("ZZ9Y8X7W0001");
    let r = owner
        .patch(
            &format!("/api/v1/companies/{alfa}"),
            json!({"cnpj": formatted(&gama).to_lowercase()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["cnpj"], gama.as_str());

    // Sign-up too.
    let delta = alnum_cnpj("AB1CD2EF3GH4");
    let r = server
        .anon()
        .post(
            "/api/v1/signup",
            json!({
                "company": {"legal_name": "Delta", "cnpj": formatted(&delta).to_lowercase(), "contact_email": "c@delta.test"},
                "admin": {"name": "Dani", "email": "dani@delta.test", "password": PASSWORD}
            }),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let found = all_pages(&owner, "/api/v1/companies?q=Delta").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["cnpj"], delta.as_str());

    // Searching by (part of) an alphanumeric CNPJ, formatted or not, finds it.
    for q in ["ZZ.9Y8.X7W", "zz9y8x7w", &gama] {
        let found = all_pages(&owner, &format!("/api/v1/companies?q={}", enc(q))).await;
        assert_eq!(ids(&found), vec![alfa.clone()], "{q}");
    }

    // Wrong check digits, or letters where the check digits go, are refused.
    let before = companies(&owner).await;
    for bad in [
        "12.ABC.345/01DE-36",
        "12ABC34501DE3A",
        "12ABC34501DEAB",
        "12ABC34501D",
    ] {
        let r = create(&owner, "Ruim", bad).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cnpj"));
    }
    assert_eq!(companies(&owner).await, before);
}

#[tokio::test]
async fn numeric_cnpj_behaves_as_before() {
    let server = Server::start();
    let owner = server.owner().await;
    let n = cnpj(4242);
    let r = create(&owner, "Numérica", &formatted(&n)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["cnpj"], n.as_str());
    let r = create(&owner, "Numérica de novo", &n).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict", Some("cnpj"));
    let found = all_pages(&owner, &format!("/api/v1/companies?q={}", enc(&n[..8]))).await;
    assert_eq!(found.len(), 1);
    // A CNPJ is found by its beginning; its branch and check digits alone find nothing.
    let found = all_pages(&owner, &format!("/api/v1/companies?q={}", enc(&n[8..]))).await;
    assert!(found.is_empty(), "{found:?}");
    let mut bad = n.clone();
    bad.replace_range(13.., if n.ends_with('0') { "1" } else { "0" });
    let r = create(&owner, "Errada", &bad).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cnpj"));
}

#[tokio::test]
async fn cnpj_with_stray_characters_is_refused_and_changes_nothing() {
    let server = Server::start();
    let owner = server.owner().await;
    let id = company(&owner, "Alfa", 1).await;
    let valid = cnpj(2);
    let f = formatted(&valid);
    let strays = [
        format!("{} {}", &f[..15], &f[15..]),
        format!("{} {}", &valid[..8], &valid[8..]),
        valid.chars().map(|c| format!("{c} ")).collect::<String>(),
        format!("{}_{}", &valid[..2], &valid[2..]),
        format!("{valid}!"),
        f.replace('/', "."),
        f.replace('.', "-"),
        f.replacen('.', "..", 1),
        format!("{f}-"),
        format!("{}\u{200b}{}", &valid[..2], &valid[2..]),
        format!("{}\n{}", &valid[..2], &valid[2..]),
    ];
    let before = json!({
        "companies": companies(&owner).await,
        "audit": audit_events_by_callers(&owner, "limit=200").await,
    });
    for (n, raw) in strays.iter().enumerate() {
        let r = create(&owner, "Beta", raw).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cnpj"));
        let r = owner
            .patch(&format!("/api/v1/companies/{id}"), json!({ "cnpj": raw }))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("cnpj"));
        if n >= 2 {
            // Sign-ups are throttled per address; two are enough to see the same rule.
            continue;
        }
        let r = server
            .anon()
            .post(
                "/api/v1/signup",
                json!({
                    "company": {"legal_name": "Beta", "cnpj": raw, "contact_email": "c@beta.test"},
                    "admin": {"name": "Bia", "email": "bia@beta.test", "password": PASSWORD}
                }),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid", Some("company.cnpj"));
    }
    let after = json!({
        "companies": companies(&owner).await,
        "audit": audit_events_by_callers(&owner, "limit=200").await,
    });
    assert_eq!(after, before, "nothing changed");

    // Surrounding whitespace is trimmed, and each mark is accepted at its own place.
    for ok in [format!(" {f} "), format!("{}/{}", &valid[..8], &valid[8..])] {
        let r = owner
            .patch(&format!("/api/v1/companies/{id}"), json!({ "cnpj": ok }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{ok:?}: {}", r.body);
        assert_eq!(r.body["cnpj"], valid.as_str());
    }
}
