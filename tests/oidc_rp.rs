//! Two independent relying-party libraries drive the live OpenID provider: authlib (Python)
//! through sign-in with consent, ID token validation against the JWKS, refresh rotation and
//! reuse, revocation and introspection (tests/oidc/authlib_rp.py); openid-client (Node)
//! through sign-in, userinfo, RP-initiated logout and `private_key_jwt`
//! (tests/oidc/openid_client_rp.mjs).
//! Without python3 + authlib, or node + tests/oidc/node_modules, a test skips with the reason,
//! unless CI=true, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

const REDIRECT_URI: &str = "http://127.0.0.1:8765/cb";
const POST_LOGOUT_URI: &str = "http://127.0.0.1:8765/signed-out";
const EMAIL: &str = "rita@padaria.test";

fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

fn have_authlib() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import authlib, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok || skip_or_fail(
        "python3 with authlib and requests",
        "python3 -m pip install authlib requests",
    )
}

fn have_openid_client() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let module = oidc_dir().join("node_modules/openid-client").is_dir();
    (node && module) || skip_or_fail("node with openid-client", "cd tests/oidc && npm ci")
}

/// An owner, a company with an active member, an application with a key linked to it, and
/// client settings with a loopback redirect URI: the environment the scripts read.
async fn world(server: &Server) -> Vec<(&'static str, String)> {
    let owner = server.owner().await;
    let company = company(&owner, "Padaria Estrela", 4411).await;
    user(&owner, &company, EMAIL, "member").await;
    let r = owner.get(&format!("/api/v1/companies/{company}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let slug = r.body["slug"].as_str().expect("slug").to_string();
    let linked = seed::linked_app(&owner, "Caderno", &company, &["company:read"]).await;
    let r = owner
        .put(
            &format!("/api/v1/applications/{}/oidc", linked.app.id),
            json!({
                "redirect_uris": [REDIRECT_URI],
                "post_logout_redirect_uris": [POST_LOGOUT_URI],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["issuer"], server.base, "{}", r.text);
    vec![
        ("OIDC_ISSUER", server.base.clone()),
        ("OIDC_CLIENT_ID", linked.app.id.clone()),
        ("OIDC_CLIENT_SECRET", linked.app.key.clone()),
        ("OIDC_REDIRECT_URI", REDIRECT_URI.into()),
        ("OIDC_POST_LOGOUT_URI", POST_LOGOUT_URI.into()),
        ("OIDC_EMAIL", EMAIL.into()),
        ("OIDC_PASSWORD", PASSWORD.into()),
        ("OIDC_NAME", "Pessoa".into()),
        ("OIDC_COMPANY_ID", company),
        ("OIDC_COMPANY_SLUG", slug),
        ("OIDC_ROLE", "member".into()),
        (
            "OIDC_OWNER_TOKEN",
            owner.token.clone().expect("owner token"),
        ),
    ]
}

/// Runs a script with the world in its environment; its output is shown, its exit code judged.
fn run(program: &str, script: &str, env: &[(&str, String)]) {
    let out = Command::new(program)
        .arg(oidc_dir().join(script))
        .current_dir(oidc_dir())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap_or_else(|e| panic!("run {program} {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("every check passed"),
        "{script} ended early:\n{stdout}"
    );
}

#[tokio::test]
async fn authlib_signs_in_validates_refreshes_revokes_and_introspects() {
    if !have_authlib() {
        return;
    }
    let server = Server::start();
    let env = world(&server).await;
    // The script blocks; the server answers from its own runtime on another thread.
    tokio::task::spawn_blocking(move || run("python3", "authlib_rp.py", &env))
        .await
        .expect("authlib script");
}

#[tokio::test]
async fn openid_client_signs_in_reads_userinfo_logs_out_and_signs_assertions() {
    if !have_openid_client() {
        return;
    }
    let server = Server::start();
    let env = world(&server).await;
    tokio::task::spawn_blocking(move || run("node", "openid_client_rp.mjs", &env))
        .await
        .expect("openid-client script");
}
