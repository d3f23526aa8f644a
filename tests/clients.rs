//! Clients generated from the live OpenAPI document: a Python client (openapi-python-client)
//! runs tests/clients/scenario.py against the running server, and a TypeScript client
//! (@hey-api/openapi-ts, from tests/clients' npm project) type-checks with tsc --strict. The
//! committed docs/openapi.json must equal the document the binary serves, so an API change
//! shows in review.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;
use serde_json::Value;

const REFRESH: &str = "cargo run -q -- openapi > docs/openapi.json";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The first place two JSON values differ, as a JSON pointer.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => {
                    first_difference(p, q, &format!("{at}/{}", k.replace('/', "~1")))
                }
                _ => Some(format!("{at}/{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}"))),
        _ => (a != b).then(|| at.to_string()),
    }
}

/// The OpenAPI document a running server publishes.
async fn live_spec(server: &Server) -> Value {
    let r = server.anon().get("/api/openapi.json").await;
    assert!(r.status.is_success(), "{}", r.text);
    r.body
}

#[tokio::test]
async fn committed_spec_is_the_one_the_binary_serves() {
    let printed = run(Command::new(env!("CARGO_BIN_EXE_armario"))
        .arg("openapi")
        .env("RUST_LOG", "error"));
    let printed: Value = serde_json::from_slice(&printed.stdout).expect("armario openapi: JSON");
    let server = Server::start();
    assert_eq!(
        live_spec(&server).await,
        printed,
        "armario openapi and /api/openapi.json differ"
    );
    let committed = std::fs::read_to_string(repo().join("docs/openapi.json"))
        .unwrap_or_else(|e| panic!("docs/openapi.json: {e}; create it with `{REFRESH}`"));
    let committed: Value = serde_json::from_str(&committed).expect("docs/openapi.json: JSON");
    if let Some(at) = first_difference(&committed, &printed, "") {
        panic!("docs/openapi.json is out of date (first difference at {at}); refresh it with `{REFRESH}` and review the diff");
    }
}

fn python_client_tools() -> bool {
    let install = "python3 -m pip install openapi-python-client";
    if find_tool("openapi-python-client").is_none() {
        return skip_or_fail("openapi-python-client", install);
    }
    // What the generated client imports; openapi-python-client itself depends on them.
    let imports = Command::new("python3")
        .args(["-c", "import httpx, attrs, dateutil"])
        .output();
    if !imports.is_ok_and(|o| o.status.success()) {
        return skip_or_fail(
            "the generated client's modules (httpx, attrs, dateutil)",
            install,
        );
    }
    true
}

#[tokio::test]
async fn generated_python_client_runs_the_owner_and_application_scenario() {
    if !python_client_tools() {
        return;
    }
    let server = Server::start();
    let _owner = server.owner().await;
    let work = tempfile::tempdir().unwrap();
    let spec = live_spec(&server).await;
    std::fs::write(work.path().join("openapi.json"), spec.to_string()).unwrap();
    let out = run(Command::new("openapi-python-client")
        .args(["generate", "--path", "openapi.json"])
        .current_dir(work.path()));
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !said.contains("Warning") && !said.contains("Error"),
        "the spec does not generate cleanly:\n{said}"
    );
    let package = work.path().join("armario-client");
    assert!(package.join("armario_client").is_dir(), "{said}");
    let out = run(Command::new("python3")
        .arg(repo().join("tests/clients/scenario.py"))
        .args([&server.base, "owner@armario.test", PASSWORD])
        .env("PYTHONPATH", &package)
        .env("PYTHONDONTWRITEBYTECODE", "1"));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("ok:"), "{said}");
}

/// tests/clients/node_modules/.bin/<name>, installed by `npm ci` there.
fn node_tool(name: &str) -> Option<PathBuf> {
    let path = repo().join("tests/clients/node_modules/.bin").join(name);
    if path.exists() && find_tool("node").is_some() {
        Some(path)
    } else {
        skip_or_fail(&format!("{name} (and node)"), "cd tests/clients && npm ci");
        None
    }
}

fn typecheck(tsc: &Path, dir: &Path, file: &str) {
    run(Command::new(tsc)
        .args([
            "--strict",
            "--lib",
            "es2022,dom,dom.iterable",
            "--noEmit",
            // tsc's default target (ES5) cannot iterate what the generated runtime iterates.
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            file,
        ])
        .current_dir(dir));
}

#[tokio::test]
async fn generated_typescript_client_type_checks() {
    let (Some(openapi_ts), Some(tsc)) = (node_tool("openapi-ts"), node_tool("tsc")) else {
        return;
    };
    let server = Server::start();
    let work = tempfile::tempdir().unwrap();
    let spec = live_spec(&server).await;
    std::fs::write(work.path().join("openapi.json"), spec.to_string()).unwrap();
    run(Command::new(&openapi_ts)
        .args(["-i", "openapi.json", "-o", "client"])
        .current_dir(work.path()));
    assert!(work.path().join("client/sdk.gen.ts").exists());
    typecheck(&tsc, work.path(), "client/index.ts");
    // A typed use of the client: stops compiling if an operation or a field it uses changes.
    std::fs::copy(
        repo().join("tests/clients/usage.ts"),
        work.path().join("usage.ts"),
    )
    .unwrap();
    typecheck(&tsc, work.path(), "usage.ts");
}
