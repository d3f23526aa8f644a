//! Test fixtures: the server on 127.0.0.1:0 over a fresh data directory (in this process, or the
//! real binary: see [`server`]), an HTTP client that signs in like any user would, and the
//! seeded worlds several areas share (see [`seed`]).
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct-horse-battery";

impl Server {
    /// An anonymous client.
    pub fn anon(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// Creates the first owner through the setup link and signs in.
    pub async fn owner(&self) -> Client {
        let anon = self.anon();
        let token = self.setup_token.clone().expect("setup link printed");
        let r = anon
            .post("/api/v1/setup", json!({"token": token, "email": "owner@armario.test", "name": "Dona", "password": PASSWORD}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        self.login("owner@armario.test", PASSWORD).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Client {
        let anon = self.anon();
        let r = anon
            .post(
                "/api/v1/auth/login",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
        Client {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: Some(r.body["token"].as_str().unwrap().to_string()),
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// Reads a response whole: status, headers, text and the JSON body (null when not JSON).
    pub async fn read(resp: reqwest::Response) -> Self {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            body,
        }
    }
}

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Client {
    pub fn with_token(&self, token: &str) -> Client {
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            token: Some(token.to_string()),
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Resp::read(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(Method::POST, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }
}

/// Valid CNPJs for tests, computed from a seed so each test gets distinct ones.
pub fn cnpj(seed: u32) -> String {
    let base: Vec<u32> = format!("{:08}0001", seed % 100_000_000)
        .bytes()
        .map(|b| (b - b'0') as u32)
        .collect();
    let dv = |digits: &[u32], weights: &[u32]| {
        let s: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        let r = s % 11;
        if r < 2 {
            0
        } else {
            11 - r
        }
    };
    let d1 = dv(&base, &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    let mut with1 = base.clone();
    with1.push(d1);
    let d2 = dv(&with1, &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    with1.push(d2);
    with1.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

/// Creates an active company as the owner and returns its id.
pub async fn company(owner: &Client, name: &str, seed: u32) -> String {
    let r = owner
        .post(
            "/api/v1/companies",
            json!({"legal_name": name, "cnpj": cnpj(seed)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

/// Adds a user to a company and returns its id.
pub async fn user(owner: &Client, company: &str, email: &str, role: &str) -> String {
    let r = owner
        .post(
            &format!("/api/v1/companies/{company}/users"),
            json!({"email": email, "name": "Pessoa", "role": role, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

/// Whether the tests run under CI, where a missing tool is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// An executable on PATH.
pub fn find_tool(name: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Says why a test is skipped and returns false, or under CI=true fails it: for a test whose
/// tool (`what`, installed by `install`) is missing.
pub fn skip_or_fail(what: &str, install: &str) -> bool {
    assert!(
        !in_ci(),
        "{what} is missing but CI=true: .ci/run must run `{install}`"
    );
    eprintln!("skipped: {what} not found ({install})");
    false
}

/// The tool's path, or None after [`skip_or_fail`].
pub fn require_tool(name: &str, install: &str) -> Option<std::path::PathBuf> {
    find_tool(name).or_else(|| {
        skip_or_fail(name, install);
        None
    })
}

// ---- Helpers shared by the core_* tests ----

/// Percent-encodes a value for a query string.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Asserts an error answer: its status, its `code` and the `field` it names.
pub fn assert_error(r: &Resp, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["code"], code, "{}", r.text);
    match field {
        Some(f) => assert_eq!(r.body["field"], f, "{}", r.text),
        None => assert!(r.body.get("field").is_none(), "{}", r.text),
    }
    assert!(
        !r.body["message"].as_str().unwrap_or("").is_empty(),
        "error without a message: {}",
        r.text
    );
}

/// Follows `next_cursor` from `path` (which may already carry a query) and returns every item.
pub async fn all_pages(client: &Client, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}cursor={}", enc(c)),
            None => path.to_string(),
        };
        let r = client.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
        items.extend(r.body["items"].as_array().expect("items").iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
    panic!("{path}: pagination did not end");
}

/// The audit events matching `query` (for example `action=company.created`), newest first.
pub async fn audit_events(client: &Client, query: &str) -> Vec<Value> {
    all_pages(client, &format!("/api/v1/audit-events?{query}")).await
}

/// The audit events matching `query` that people and applications caused, newest first: what
/// a "nothing changed" comparison reads. The system's own background work (the backup every
/// server takes at start, its verification, retention) lands at its own time and is left out.
pub async fn audit_events_by_callers(client: &Client, query: &str) -> Vec<Value> {
    audit_events(client, query)
        .await
        .into_iter()
        .filter(|e| e["actor_kind"] != "system")
        .collect()
}

/// The ids of a list of objects.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

/// Runs the `armario` binary (not `serve`) over a data directory with `stdin` as its input,
/// and waits for it to finish (at most 60 s).
pub fn run_armario(
    data_dir: &std::path::Path,
    master_key: &str,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_armario"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .current_dir(data_dir.parent().unwrap_or(data_dir))
        .env("ARMARIO_MASTER_KEY", master_key)
        .env("RUST_LOG", "info")
        .env_remove("ARMARIO_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The store of a server's directory: its PostgreSQL database when the run is on one.
    if let Ok(url) =
        std::fs::read_to_string(data_dir.parent().unwrap_or(data_dir).join("database_url"))
    {
        cmd.env("ARMARIO_DATABASE_URL", url)
            .env("ARMARIO_PG_BIN_DIR", server::pg_bin_dir());
    }
    let mut child = cmd.spawn().expect("spawn armario");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("armario output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("armario {args:?} did not finish within 60 s");
        }
    }
}

/// Polls `check` every 50 ms until it returns true, for at most `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Client {
    /// Sends a raw body with the given content type, for bodies that are not JSON values.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        Resp::read(req.send().await.expect("request")).await
    }
}

pub mod postgres;
pub mod seed;
mod server;
pub mod smtp;
pub mod walk;

pub use postgres::sqlite_only;
pub use seed::*;
pub use server::{new_store_dir, random_hex, with_store_at, with_store_in, Server};

/// The bytes of the server's database and its write-ahead log, as SQLite left them on disk:
/// what someone holding the file could read with a hex editor, freed pages and old frames
/// included.
pub fn raw_files(server: &Server) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(server.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("armario.db") {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

pub fn bytes_contain(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}
