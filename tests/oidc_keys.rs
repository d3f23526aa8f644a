//! The provider's signing keys: `armario keys rotate-signing` from the console while the server
//! runs, the scheduled rotation, the overlap that keeps tokens signed before a rotation valid
//! until they expire, the window after which a retired key leaves the JWKS, the private parts
//! sealed in the store, and a master key rotation that carries the signing key along.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

/// A fixed issuer, so tokens signed before a restart (on another port) name the same one.
const ISSUER: (&str, &str) = ("ARMARIO_PUBLIC_URL", "http://armario.test");
/// Check the signing keys every second instead of every 30.
const CHECK_FAST: (&str, &str) = ("ARMARIO_SIGNING_KEY_CHECK_SECS", "1");

/// An application linked to a company, whose access tokens live the shortest time allowed.
async fn client_app(owner: &Client) -> App {
    let company = company(owner, "Chaves Ltda", 41).await;
    let linked = linked_app(owner, "Oficina", &company, &["company:read"]).await;
    let r = owner
        .put(
            &format!("/api/v1/applications/{}/oidc", linked.app.id),
            json!({"redirect_uris": ["http://127.0.0.1:9/cb"], "access_token_ttl": 60, "id_token_ttl": 60}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    linked.app
}

/// An access token from the client-credentials grant, the application authenticating with
/// HTTP Basic (its id and an API key).
async fn app_token(server: &Server, app: &App) -> String {
    let r = reqwest::Client::new()
        .post(server.url("/oauth2/token"))
        .basic_auth(&app.id, Some(&app.key))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let r = Resp::read(r).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_string()
}

fn jwt_part(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn kid(token: &str) -> String {
    jwt_part(token, 0)["kid"].as_str().unwrap().to_string()
}

async fn jwks(server: &Server) -> Vec<Value> {
    let r = server.anon().get("/oauth2/jwks").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["keys"].as_array().unwrap().clone()
}

async fn jwks_kids(server: &Server) -> Vec<String> {
    let mut kids: Vec<String> = jwks(server)
        .await
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    kids.sort();
    kids
}

/// What the application API answers a token.
async fn app_call(server: &Server, token: &str) -> StatusCode {
    server
        .anon()
        .with_token(token)
        .get("/api/v1/app/companies")
        .await
        .status
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Runs `armario keys rotate-signing` over the server's data; returns the new key's id.
fn rotate_signing(server: &Server) -> String {
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &["keys", "rotate-signing"],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("stays published until"),
        "says until when the old key is published: {stdout}"
    );
    stdout
        .split("new signing key ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the new key's id")
        .to_string()
}

#[tokio::test]
async fn a_rotation_from_the_console_keeps_earlier_tokens_until_they_expire() {
    let server = Server::start_with(&[CHECK_FAST]);
    let owner = server.owner().await;
    let app = client_app(&owner).await;
    let before = app_token(&server, &app).await;
    let old = kid(&before);
    assert_eq!(jwks_kids(&server).await, vec![old.clone()]);

    let new = rotate_signing(&server);
    assert_ne!(new, old);
    let both = sorted(vec![old.clone(), new.clone()]);
    eventually(15, "the running server to load the new key", || async {
        jwks_kids(&server).await == both
    })
    .await;

    let after = app_token(&server, &app).await;
    assert_eq!(kid(&after), new, "a token signed after carries the new key");
    assert_eq!(app_call(&server, &after).await, StatusCode::OK);
    assert_eq!(
        app_call(&server, &before).await,
        StatusCode::OK,
        "a token signed before the rotation stays valid"
    );

    let r = owner
        .get("/api/v1/audit-events?action=oidc.signing_key_rotated")
        .await;
    assert_eq!(r.body["items"][0]["actor_kind"], "operator", "{}", r.text);
    assert_eq!(r.body["items"][0]["target_id"], new.as_str());

    // Until it expires, and no longer: the old key is still published then, so it is the
    // expiry that ends the token.
    let exp = jwt_part(&before, 1)["exp"].as_i64().unwrap();
    let wait = exp - chrono::Utc::now().timestamp() + 1;
    tokio::time::sleep(Duration::from_secs(wait.max(0) as u64)).await;
    assert_eq!(app_call(&server, &before).await, StatusCode::UNAUTHORIZED);
    assert_eq!(jwks_kids(&server).await, both);
}

#[tokio::test]
async fn a_key_past_its_window_leaves_the_jwks_and_the_store() {
    let server = Server::start_with(&[CHECK_FAST]);
    let owner = server.owner().await;
    let app = client_app(&owner).await;
    let before = app_token(&server, &app).await;
    let old = kid(&before);
    let new = rotate_signing(&server);
    eventually(15, "the running server to load the new key", || async {
        jwks_kids(&server).await.len() == 2
    })
    .await;

    // The window is the longest lifetime any client may be given (an hour) plus ten minutes,
    // so a test cannot wait it out: the window's end is moved to the past in this test's file.
    let until: i64 = server.with_store(|db| {
        db.query_row(
            "SELECT publish_until FROM signing_keys WHERE kid = ?1",
            [&old],
            |r| r.get(0),
        )
        .unwrap()
    });
    let hour_ms = 3_600_000;
    let now_ms = chrono::Utc::now().timestamp_millis();
    assert!(until >= now_ms + hour_ms, "published at least an hour more");
    server.with_store(|db| {
        db.execute(
            "UPDATE signing_keys SET publish_until = ?2 WHERE kid = ?1",
            rusqlite::params![old, now_ms - 1],
        )
        .unwrap()
    });

    eventually(15, "the old key to leave the JWKS", || async {
        jwks_kids(&server).await == vec![new.clone()]
    })
    .await;
    assert_eq!(
        app_call(&server, &before).await,
        StatusCode::UNAUTHORIZED,
        "a key no longer published verifies nothing"
    );
    let left: i64 = server.with_store(|db| {
        db.query_row(
            "SELECT COUNT(*) FROM signing_keys WHERE kid = ?1",
            [&old],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(left, 0, "pruned from the store");
}

/// The DER of the OID prime256v1 (1.2.840.10045.3.1.7), in every PKCS#8 P-256 key.
const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

#[tokio::test]
async fn private_parts_are_sealed_in_the_store_and_never_published() {
    let mut server = Server::start_with(&[CHECK_FAST]);
    let owner = server.owner().await;
    let _ = client_app(&owner).await;
    let new = rotate_signing(&server);
    eventually(15, "the running server to load the new key", || async {
        jwks_kids(&server).await.len() == 2
    })
    .await;

    for key in jwks(&server).await {
        let mut fields: Vec<&str> = key
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            ["alg", "crv", "kid", "kty", "use", "x", "y"],
            "{key}"
        );
    }

    let rows: Vec<(String, Option<Vec<u8>>)> = server.with_store(|db| {
        db.prepare("SELECT kid, sealed FROM signing_keys")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(rows.len(), 2);
    for (kid, sealed) in &rows {
        if *kid == new {
            let sealed = sealed
                .as_ref()
                .expect("the signing key's private part is kept");
            let rng = ring::rand::SystemRandom::new();
            assert!(
                ring::signature::EcdsaKeyPair::from_pkcs8(
                    &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    sealed,
                    &rng
                )
                .is_err(),
                "the stored bytes are not a PKCS#8 key"
            );
            assert!(!sealed.windows(P256_OID.len()).any(|w| w == P256_OID));
        } else {
            assert!(sealed.is_none(), "a retired key keeps no private part");
        }
    }
    // Nowhere in the files either, the write-ahead log included.
    assert!(server.stop().success());
    for name in ["armario.db", "armario.db-wal"] {
        let Ok(bytes) = std::fs::read(server.data_dir().join(name)) else {
            continue;
        };
        assert!(
            !bytes.windows(P256_OID.len()).any(|w| w == P256_OID),
            "{name} holds an unsealed key"
        );
    }
}

#[tokio::test]
async fn the_schedule_rotates_an_old_key_as_the_system_unless_switched_off() {
    let mut server = Server::start_with(&[ISSUER]);
    let owner = server.owner().await;
    let app = client_app(&owner).await;
    let before = app_token(&server, &app).await;
    let old = kid(&before);

    // The key was made 91 days ago, as far as the store knows.
    assert!(server.stop().success());
    server.with_store(|db| {
        db.execute(
            "UPDATE signing_keys SET created_at = created_at - ?1",
            [91 * 86_400_000i64],
        )
        .unwrap()
    });
    let dir = server.take_dir();

    // 0 days: never.
    let mut server = Server::start_in(
        dir,
        &server.master_key,
        &[
            ISSUER,
            CHECK_FAST,
            ("ARMARIO_SIGNING_KEY_ROTATION_DAYS", "0"),
        ],
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(jwks_kids(&server).await, vec![old.clone()]);

    // The default, 90 days: the first check, at start, rotates.
    let server = {
        assert!(server.stop().success());
        let key = server.master_key.clone();
        Server::start_in(server.take_dir(), &key, &[ISSUER])
    };
    eventually(15, "the scheduled rotation", || async {
        jwks_kids(&server).await.len() == 2
    })
    .await;
    let after = app_token(&server, &app).await;
    assert_ne!(kid(&after), old);
    assert_eq!(app_call(&server, &after).await, StatusCode::OK);
    assert_eq!(app_call(&server, &before).await, StatusCode::OK);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let r = owner
        .get("/api/v1/audit-events?action=oidc.signing_key_rotated")
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["actor_kind"], "system");
    assert_eq!(r.body["items"][0]["target_id"], kid(&after).as_str());
}

#[tokio::test]
async fn a_master_key_rotation_carries_the_signing_key_along() {
    let mut server = Server::start_with(&[ISSUER]);
    let owner = server.owner().await;
    let app = client_app(&owner).await;
    let before = app_token(&server, &app).await;
    let old = kid(&before);

    assert!(server.stop().success());
    let new_key_file = server.dir.path().join("new.key");
    let out = run_armario(
        &server.data_dir(),
        &server.master_key,
        &[
            "keys",
            "rotate",
            "--new-key-file",
            new_key_file.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_key = std::fs::read_to_string(&new_key_file).unwrap();
    let server = Server::start_in(server.take_dir(), new_key.trim(), &[ISSUER]);

    assert_eq!(jwks_kids(&server).await, vec![old.clone()]);
    let after = app_token(&server, &app).await;
    assert_eq!(
        kid(&after),
        old,
        "the same key signs, opened with the new master key"
    );
    assert_eq!(app_call(&server, &after).await, StatusCode::OK);
    assert_eq!(app_call(&server, &before).await, StatusCode::OK);
}
