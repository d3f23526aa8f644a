//! The OpenID provider's refusals, each over HTTP against the real server: redirect URIs,
//! PKCE, codes, audiences, tenancy, refresh-token reuse, tampered and expired tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

pub(crate) const REDIRECT: &str = "http://127.0.0.1:9/cb";

pub(crate) struct World {
    pub server: Server,
    pub owner: Client,
    pub company: String,
    pub app: App,
    pub link: String,
    pub user_email: String,
    pub user_id: String,
}

pub(crate) async fn world(tag: &str, seed: u32) -> World {
    let server = Server::start();
    let owner = server.owner().await;
    let company = company(&owner, &format!("Oficina {tag}"), seed).await;
    let user_email = format!("tecnico.{tag}@oficina.test");
    let user_id = user(&owner, &company, &user_email, "member").await;
    let app = application(&owner, &format!("Help desk {tag}"), "main").await;
    let link = link(&owner, &app.id, &company, &["users:read"]).await;
    let r = owner
        .put(
            &format!("/api/v1/applications/{}/oidc", app.id),
            json!({"redirect_uris": [REDIRECT], "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    World {
        server,
        owner,
        company,
        app,
        link,
        user_email,
        user_id,
    }
}

pub(crate) fn pkce() -> (String, String) {
    let verifier =
        format!("v{}", uuid::Uuid::new_v4().simple()) + &uuid::Uuid::new_v4().simple().to_string();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub(crate) fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn param(url: &str, name: &str) -> Option<String> {
    query(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `/oauth2/authorize` with these parameters: the status and the Location.
pub(crate) async fn authorize(
    w: &World,
    http: &reqwest::Client,
    params: &[(&str, &str)],
) -> (StatusCode, String) {
    let url = reqwest::Url::parse_with_params(&w.server.url("/oauth2/authorize"), params).unwrap();
    let r = http.get(url).send().await.unwrap();
    let loc = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), loc)
}

pub(crate) fn good_params<'a>(
    w: &'a World,
    challenge: &'a str,
    scope: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", w.app.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// Signs `email` in on `http` (its cookie jar keeps the session), as the hosted page does;
/// returns the CSRF token.
async fn sign_in(w: &World, http: &reqwest::Client, email: &str) -> String {
    let r = http
        .post(w.server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["csrf_token"].as_str().unwrap().to_string()
}

/// Completes the request the Location names; returns the status and the JSON answer.
pub(crate) async fn complete(
    w: &World,
    http: &reqwest::Client,
    csrf: &str,
    location: &str,
    consent: bool,
) -> (StatusCode, Value) {
    let id = location
        .split("#request=")
        .nth(1)
        .expect("a hosted-page location");
    let r = http
        .post(w.server.url(&format!("/oauth2/requests/{id}/complete")))
        .header("X-CSRF-Token", csrf)
        .json(&json!({"consent": consent}))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// A code for the world's user: authorize, sign in, complete (with consent).
async fn code_for(w: &World, challenge: &str, scope: &str) -> String {
    let http = no_redirects();
    let (status, loc) = authorize(w, &http, &good_params(w, challenge, scope)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
    let csrf = sign_in(w, &http, &w.user_email).await;
    let (status, body) = complete(w, &http, &csrf, &loc, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to = body["redirect_to"].as_str().unwrap();
    assert!(to.starts_with(REDIRECT), "{to}");
    assert_eq!(param(to, "state").as_deref(), Some("st-123"));
    param(to, "code").expect("a code")
}

async fn token(w: &World, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(w.server.url("/oauth2/token"))
        .basic_auth(&w.app.id, Some(&w.app.key))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn exchange(w: &World, code: &str, verifier: &str) -> (StatusCode, Value) {
    token(
        w,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub(crate) fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn redirect_uris_must_match_exactly_and_errors_never_go_elsewhere() {
    let w = world("redir", 8101).await;
    let http = no_redirects();
    let (_, challenge) = pkce();
    for bad in [
        "http://127.0.0.1:9/cb/",
        "http://127.0.0.1:9/cb?x=1",
        "https://evil.test/cb",
        "",
    ] {
        let mut p = good_params(&w, &challenge, "openid");
        p.retain(|(k, _)| *k != "redirect_uri");
        if !bad.is_empty() {
            p.push(("redirect_uri", bad));
        }
        let (status, loc) = authorize(&w, &http, &p).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?} → {loc}");
        assert!(loc.is_empty(), "no redirect for an unregistered URI: {loc}");
    }
    let mut p = good_params(&w, &challenge, "openid");
    p[0] = ("client_id", "app_0000000000000000000000000000dead");
    let (status, loc) = authorize(&w, &http, &p).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(loc.is_empty());
}

#[tokio::test]
async fn pkce_is_required_and_plain_is_refused() {
    let w = world("pkce", 8102).await;
    let http = no_redirects();
    let (verifier, challenge) = pkce();
    let mut missing = good_params(&w, &challenge, "openid");
    missing.retain(|(k, _)| !k.starts_with("code_challenge"));
    let mut plain = good_params(&w, &verifier, "openid");
    plain.retain(|(k, _)| *k != "code_challenge_method");
    plain.push(("code_challenge_method", "plain"));
    let mut no_method = good_params(&w, &challenge, "openid");
    no_method.retain(|(k, _)| *k != "code_challenge_method");
    for (what, p) in [
        ("missing", missing),
        ("plain", plain),
        ("no method", no_method),
    ] {
        let (status, loc) = authorize(&w, &http, &p).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
        assert!(loc.starts_with(REDIRECT), "{what}: {loc}");
        assert_eq!(
            param(&loc, "error").as_deref(),
            Some("invalid_request"),
            "{what}"
        );
        assert_eq!(param(&loc, "state").as_deref(), Some("st-123"), "{what}");
    }
    // A verifier that does not hash to the challenge gets no tokens.
    let code = code_for(&w, &challenge, "openid email profile").await;
    let (wrong, _) = pkce();
    let (status, body) = exchange(&w, &code, &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

#[tokio::test]
async fn a_code_works_once_and_its_reuse_ends_what_it_started() {
    let w = world("code", 8103).await;
    // A role the application declares, granted to the user, shows in the tokens.
    let r = w
        .owner
        .put(
            &format!("/api/v1/applications/{}/roles", w.app.id),
            json!({"roles": [{"key": "technician", "name": "Técnico"}, {"key": "client", "name": "Cliente"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = w
        .owner
        .put(
            &format!(
                "/api/v1/companies/{}/users/{}/app-roles/{}",
                w.company, w.user_id, w.app.id
            ),
            json!({"roles": ["technician"]}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid profile email offline_access").await;
    let (status, first) = exchange(&w, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let id = claims(first["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], w.app.id.as_str());
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["company_id"], w.company.as_str());
    assert_eq!(id["email"], w.user_email.as_str());
    assert_eq!(id["role"], "member");
    assert_eq!(id["roles"], json!(["technician"]));
    assert_eq!(
        claims(first["access_token"].as_str().unwrap())["roles"],
        json!(["technician"])
    );
    let refresh = first["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token");
    let (status, again) = exchange(&w, &code, &verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant");
    // The replay revoked the access token the first exchange gave...
    let r = reqwest::Client::new()
        .get(w.server.url("/oauth2/userinfo"))
        .bearer_auth(first["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the first access token is revoked"
    );
    // ...and the refresh token.
    let (status, body) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    let events = audit_events(&w.owner, "action=oidc.code_reused").await;
    assert_eq!(events.len(), 1, "{events:?}");
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_family() {
    let w = world("family", 8104).await;
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid offline_access").await;
    let (_, t1) = exchange(&w, &code, &verifier).await;
    let r1 = t1["refresh_token"].as_str().unwrap().to_string();
    let (status, t2) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t2}");
    let r2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2, "rotated");
    // The old one again: refused, and the new one dies with it.
    let (status, body) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    let (status, _) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", &r2)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        audit_events(&w.owner, "action=oidc.refresh_reused")
            .await
            .len(),
        1
    );
    let metrics = w.server.anon().get("/metrics").await.text;
    assert!(
        metrics.contains("armario_oidc_events_total{event=\"refresh_reused\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_token_for_one_client_is_nothing_to_another() {
    let w = world("aud", 8105).await;
    let other = application(&w.owner, "Analytics", "main").await;
    link(&w.owner, &other.id, &w.company, &["users:read"]).await;
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid offline_access").await;
    // Another client cannot redeem the code.
    let r = reqwest::Client::new()
        .post(w.server.url("/oauth2/token"))
        .basic_auth(&other.id, Some(&other.key))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (_, t) = exchange(&w, &code, &verifier).await;
    let access = t["access_token"].as_str().unwrap();
    // Introspected by the other client: inactive. By its own: active.
    let introspect = |id: String, key: String| {
        let url = w.server.url("/oauth2/introspect");
        let access = access.to_string();
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .basic_auth(id, Some(key))
                .form(&[("token", access.as_str())])
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        introspect(other.id.clone(), other.key.clone()).await["active"],
        false
    );
    assert_eq!(
        introspect(w.app.id.clone(), w.app.key.clone()).await["active"],
        true
    );
    // A user's access token is not an application's token on /api/v1/app.
    let r = w
        .server
        .anon()
        .with_token(access)
        .get("/api/v1/app/companies")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    // A client secret of another application is not this client's.
    let r = reqwest::Client::new()
        .post(w.server.url("/oauth2/token"))
        .basic_auth(&w.app.id, Some(&other.key))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn only_users_of_active_linked_companies_sign_in_and_losing_that_ends_their_tokens() {
    let w = world("tenancy", 8106).await;
    // A user of a company that is not linked: refused on the hosted page, audited.
    let unlinked = company(&w.owner, "Oficina Sem Vinculo", 8107).await;
    user(&w.owner, &unlinked, "fora@semvinculo.test", "member").await;
    let http = no_redirects();
    let (_, challenge) = pkce();
    let (_, loc) = authorize(&w, &http, &good_params(&w, &challenge, "openid")).await;
    let csrf = sign_in(&w, &http, "fora@semvinculo.test").await;
    let (status, body) = complete(&w, &http, &csrf, &loc, false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("does not use this application"));
    assert_eq!(
        audit_events(&w.owner, "action=oidc.sign_in_refused")
            .await
            .len(),
        1
    );

    // A linked user with tokens; the company is suspended: refresh and introspection stop at once.
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid offline_access").await;
    let (_, t) = exchange(&w, &code, &verifier).await;
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let access = t["access_token"].as_str().unwrap().to_string();
    let r = w
        .owner
        .post_empty(&format!("/api/v1/companies/{}/suspend", w.company))
        .await;
    assert_eq!(r.body["status"], "suspended", "{}", r.text);
    let (status, _) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let r = reqwest::Client::new()
        .get(w.server.url("/oauth2/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Suspended company: no new sign-in either.
    let http = no_redirects();
    let (_, loc) = authorize(&w, &http, &good_params(&w, &challenge, "openid")).await;
    let csrf = sign_in_maybe(&w, &http, &w.user_email).await;
    if let Some(csrf) = csrf {
        let (status, _) = complete(&w, &http, &csrf, &loc, false).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Reactivated and then the link revoked: the same.
    let r = w
        .owner
        .post_empty(&format!("/api/v1/companies/{}/reactivate", w.company))
        .await;
    assert_eq!(r.body["status"], "active", "{}", r.text);
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid offline_access").await;
    let (_, t) = exchange(&w, &code, &verifier).await;
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let r = w
        .owner
        .delete(&format!("/api/v1/companies/{}/links/{}", w.company, w.link))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let (status, _) = token(
        &w,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Signs in if the account may (a suspended company's users may not); the CSRF token if so.
async fn sign_in_maybe(w: &World, http: &reqwest::Client, email: &str) -> Option<String> {
    let r = http
        .post(w.server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::OK {
        return None;
    }
    let body: Value = r.json().await.unwrap();
    Some(body["csrf_token"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn tampered_tokens_are_refused_and_client_tokens_work_on_the_app_api() {
    let w = world("jwt", 8108).await;
    let (status, t) = token(&w, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let access = t["access_token"].as_str().unwrap();
    let app = w.server.anon().with_token(access);
    let r = app.get("/api/v1/app/companies").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["items"][0]["company"]["id"],
        w.company.as_str(),
        "{}",
        r.text
    );
    // Change one claim, keep the signature: refused.
    let mut parts: Vec<String> = access.split('.').map(String::from).collect();
    let mut body = claims(access);
    body["sub"] = json!("app_0000000000000000000000000000beef");
    parts[1] = URL_SAFE_NO_PAD.encode(body.to_string());
    let r = w
        .server
        .anon()
        .with_token(&parts.join("."))
        .get("/api/v1/app/companies")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    // alg none: refused.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#),
        parts[1]
    );
    let r = w
        .server
        .anon()
        .with_token(&none)
        .get("/api/v1/app/companies")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Revoked (RFC 7009): refused at once.
    let r = reqwest::Client::new()
        .post(w.server.url("/oauth2/revoke"))
        .basic_auth(&w.app.id, Some(&w.app.key))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.get("/api/v1/app/companies").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
}

#[tokio::test]
async fn expired_codes_and_tokens_are_refused() {
    let w = world("expiry", 8109).await;
    let r = w
        .owner
        .put(
            &format!("/api/v1/applications/{}/oidc", w.app.id),
            json!({"redirect_uris": [REDIRECT], "access_token_ttl": 60, "id_token_ttl": 60}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (verifier, challenge) = pkce();
    let code = code_for(&w, &challenge, "openid email").await;
    let (_, app_token) = token(&w, &[("grant_type", "client_credentials")]).await;
    let (v2, c2) = pkce();
    let code2 = code_for(&w, &c2, "openid email").await;
    let (_, user_tokens) = exchange(&w, &code2, &v2).await;
    // Codes live a minute and these tokens sixty seconds: wait them out.
    tokio::time::sleep(std::time::Duration::from_secs(62)).await;
    let (status, body) = exchange(&w, &code, &verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
    let r = w
        .server
        .anon()
        .with_token(app_token["access_token"].as_str().unwrap())
        .get("/api/v1/app/companies")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new()
        .get(w.server.url("/oauth2/userinfo"))
        .bearer_auth(user_tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn client_settings_are_checked_field_by_field_and_owner_only() {
    let w = world("settings", 8110).await;
    let path = format!("/api/v1/applications/{}/oidc", w.app.id);
    for (body, field) in [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "redirect_uris[0]",
        ),
        (
            json!({"redirect_uris": [REDIRECT, "https://a.example/cb#x"]}),
            "redirect_uris[1]",
        ),
        (
            json!({"redirect_uris": [], "access_token_ttl": 5}),
            "access_token_ttl",
        ),
        (
            json!({"redirect_uris": [], "jwk": {"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"}}),
            "jwk",
        ),
    ] {
        let r = w.owner.put(&path, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.body["field"], field, "{body}: {}", r.text);
    }
    let r = w.owner.get(&path).await;
    assert_eq!(
        r.body["redirect_uris"],
        json!([REDIRECT]),
        "unchanged: {}",
        r.text
    );
    assert_eq!(r.body["client_id"], w.app.id.as_str());
    // A company user may not read or change them.
    let member = w.server.login(&w.user_email, PASSWORD).await;
    assert_eq!(member.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_events(&w.owner, "action=application.oidc_changed")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_hosted_page_wears_the_named_company_s_branding() {
    let w = world("brand", 8111).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-marca";
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let r = w
        .owner
        .patch(
            &format!("/api/v1/companies/{}", w.company),
            json!({"display_name": "Oficina Marca", "primary_color": "#1f6f5c", "logo_data_url": data_url}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let http = no_redirects();
    let (_, challenge) = pkce();
    let mut p = good_params(&w, &challenge, "openid");
    p.push(("login_hint", w.user_email.as_str()));
    let (_, loc) = authorize(&w, &http, &p).await;
    let id = loc.split("#request=").nth(1).unwrap().to_string();
    let info = w.server.anon().get(&format!("/oauth2/requests/{id}")).await;
    assert_eq!(
        info.body["company"]["name"], "Oficina Marca",
        "{}",
        info.text
    );
    assert_eq!(info.body["company"]["primary_color"], "#1f6f5c");
    assert_eq!(info.body["login_hint"], w.user_email.as_str());
    let logo = info.body["company"]["logo_url"].as_str().unwrap();
    let r = reqwest::get(w.server.url(logo)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), png);
    // No request, no logo; a request that names no company has none either.
    let r = reqwest::get(w.server.url("/oauth2/requests/arm_authz_nothing/logo"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, loc) = authorize(&w, &http, &good_params(&w, &challenge, "openid")).await;
    let id = loc.split("#request=").nth(1).unwrap().to_string();
    let info = w.server.anon().get(&format!("/oauth2/requests/{id}")).await;
    assert!(info.body["company"].is_null(), "{}", info.text);
}
