//! The interactive API docs render in a real Chromium under the page's CSP (no
//! `'unsafe-inline'`): tests/e2e/docs.mjs, driven through playwright-core against the real
//! binary. Without node, chromium or tests/e2e/node_modules it skips with the reason, except
//! under CI=true, where that is a failure.

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

#[test]
fn api_docs_render_in_chromium_without_inline_script() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let e2e = root.join("tests/e2e");
    let chromium = std::env::var_os("CHROMIUM_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if find_tool("node").is_none() {
        skip_or_fail("node", "apt-get install nodejs");
        return;
    }
    if !chromium.exists() {
        skip_or_fail("chromium", "apt-get install chromium");
        return;
    }
    if !e2e.join("node_modules/playwright-core").is_dir() {
        skip_or_fail("tests/e2e/node_modules", "cd tests/e2e && npm ci");
        return;
    }
    let server = Server::start();
    let out = Command::new("node")
        .arg("docs.mjs")
        .current_dir(&e2e)
        .env("ARMARIO_URL", &server.base)
        .env("CHROMIUM_PATH", &chromium)
        .output()
        .expect("run node tests/e2e/docs.mjs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the docs page did not render:\n{printed}"
    );
    assert!(printed.contains("ok - the API docs render"), "{printed}");
}
