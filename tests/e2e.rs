//! Runs the end-to-end walk of the web UI (tests/e2e/run.mjs) against the real binary: the
//! server on 127.0.0.1:0 with a fresh data directory, driven by Debian's Chromium through
//! playwright-core; and the server-less checks of static/ (tests/e2e/static.test.mjs). Without
//! node, chromium or tests/e2e/node_modules a test skips with the reason, unless CI=true, where a
//! missing tool is a failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const MASTER_KEY: &str = "6a1d0f4c9b8e7d2c3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the walk can't run here, if it can't.
fn missing_tool(e2e_dir: &Path) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !matches!(node, Ok(ref out) if out.status.success()) {
        return Some("node is not installed".into());
    }
    if !chromium_path().exists() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            chromium_path().display()
        ));
    }
    if !e2e_dir.join("node_modules/playwright-core").is_dir() {
        return Some("tests/e2e/node_modules is missing (cd tests/e2e && npm ci)".into());
    }
    None
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first `http://…` word of `line` that contains `needle`.
fn url_containing(line: &str, needle: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter_map(|word| word.find("http://").map(|i| &word[i..]))
        .find(|url| url.contains(needle))
        .map(|url| url.trim_end_matches([',', '.', ')']).to_string())
}

/// Says why a test is skipped; in CI (CI=true) a missing tool is a failure instead.
fn skip_unless_ci(reason: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the web UI test cannot run in CI: {reason}");
    }
    eprintln!("skipping: {reason}");
}

/// The checks on static/ that need no server: translations complete in both languages, nothing
/// that breaks the Content-Security-Policy, nothing loaded from outside the binary, and the
/// CNPJ mask and live check (numeric and alphanumeric).
#[test]
fn static_files_follow_the_rules() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let node = Command::new("node").arg("--version").output();
    if !matches!(node, Ok(ref out) if out.status.success()) {
        skip_unless_ci("node is not installed");
        return;
    }
    let status = Command::new("node")
        .args([
            "--test",
            "tests/e2e/static.test.mjs",
            "tests/e2e/cnpj.test.mjs",
            "tests/e2e/audit-actions.test.mjs",
            "tests/e2e/ticks.test.mjs",
        ])
        .current_dir(&root)
        .status()
        .expect("run node --test");
    assert!(
        status.success(),
        "static/ breaks a rule; see the node test output above"
    );
}

#[test]
fn web_ui_end_to_end() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let e2e_dir = root.join("tests/e2e");
    if let Some(reason) = missing_tool(&e2e_dir) {
        skip_unless_ci(&format!("the web UI end-to-end walk: {reason}"));
        return;
    }

    // The messages the walk reads (a reset link) go to a real SMTP server on loopback.
    let Some(sink) = crate::common::smtp::Sink::start(0) else {
        return;
    };
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_armario"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env("ARMARIO_MASTER_KEY", MASTER_KEY)
        // The webhook walk's receiver listens on loopback.
        .env("ARMARIO_WEBHOOKS_ALLOW_PRIVATE", "true")
        .envs(sink.env())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start armario serve");
    let stderr = child.stderr.take().expect("server stderr");
    let server = Server(child);

    // Keep reading stderr for the whole run so the server never blocks on a full pipe.
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(strip_ansi(&line)).is_err() {
                break;
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut base, mut token) = (None::<String>, None::<String>);
    let mut seen = Vec::new();
    while base.is_none() || token.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|_| {
            panic!(
                "the server printed no listening address and setup link; it printed:\n{}",
                seen.join("\n")
            )
        });
        if base.is_none() && line.contains("listening on") {
            base = url_containing(&line, "127.0.0.1").map(|u| u.trim_end_matches('/').to_string());
        }
        if let Some(link) = url_containing(&line, "/admin/setup#token=") {
            token = link.split("#token=").nth(1).map(str::to_string);
        }
        seen.push(line);
    }
    let base = base.expect("listening address");
    // The link may carry the configured public URL; the walk uses the address actually bound.
    let setup_url = format!("{base}/admin/setup#token={}", token.expect("setup token"));
    let screenshots = root.join("test-artifacts/screenshots");

    let status = Command::new("node")
        .arg("run.mjs")
        .current_dir(&e2e_dir)
        .env("ARMARIO_URL", &base)
        .env("ARMARIO_SETUP_URL", &setup_url)
        .env("ARMARIO_SCREENSHOTS", &screenshots)
        .env("MAIL_DIR", sink.dir.path())
        .env("CHROMIUM_PATH", chromium_path())
        .status()
        .expect("run node tests/e2e/run.mjs");

    drop(server);
    let log: Vec<String> = rx.try_iter().collect();
    assert!(
        status.success(),
        "the web UI walk failed; server log after start-up:\n{}",
        log.join("\n")
    );
}
