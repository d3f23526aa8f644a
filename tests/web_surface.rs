//! The surface outside `/api/v1`: pages, static files, the spec and the docs answer only GET
//! and HEAD (anything else is a 405 with `Allow`); the docs page runs under a CSP without
//! `'unsafe-inline'`; logs carry no colour codes when they do not go to a terminal.

use std::process::Command;

use crate::common::*;
use reqwest::{Method, StatusCode};

const READ_ONLY: [&str; 9] = [
    "/",
    "/admin",
    "/admin/",
    "/portal/",
    "/portal/index.html",
    "/static/shared/list.js",
    "/api/openapi.json",
    "/api/docs/",
    "/healthz",
];

#[tokio::test]
async fn pages_and_files_answer_405_with_allow_to_other_methods() {
    let server = Server::start();
    let anon = server.anon();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in READ_ONLY {
        let get = no_redirects.get(server.url(path)).send().await.unwrap();
        assert!(
            get.status().is_success() || get.status().is_redirection(),
            "GET {path}: {}",
            get.status()
        );
        let head = no_redirects.head(server.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        for method in [
            Method::POST,
            Method::DELETE,
            Method::PUT,
            Method::from_bytes(b"BREW").unwrap(),
        ] {
            let r = anon.send(method.clone(), path, None).await;
            assert_eq!(
                r.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {}",
                r.text
            );
            assert_eq!(r.headers["allow"], "GET, HEAD", "{method} {path}");
        }
    }
    // The API still lists what each of its paths allows.
    let r = anon.send(Method::DELETE, "/api/v1/companies", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text);
    assert_eq!(r.headers["allow"], "GET, HEAD, POST");
}

#[tokio::test]
async fn the_docs_page_needs_no_inline_script_or_style() {
    let server = Server::start();
    let anon = server.anon();
    for path in ["/api/docs", "/api/docs/"] {
        let page = anon.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(
            csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
            "{csp}"
        );
        // Every script has a src, there is no <style> and no style attribute.
        let html = &page.text;
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=").count(),
            "{html}"
        );
        assert!(
            !html.contains("<style") && !html.contains("style="),
            "{html}"
        );
        assert!(!html.contains("onload="), "{html}");
    }
    let html = anon.get("/api/docs/").await.text;
    let linked: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/api/docs/") && (s.ends_with(".js") || s.ends_with(".css")))
        .collect();
    assert_eq!(linked.len(), 3, "{html}");
    for path in linked {
        let r = anon.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let kind = r.headers["content-type"].to_str().unwrap();
        let want = if path.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(kind.starts_with(want), "{path}: {kind}");
        assert!(r.text.len() > 40, "{path} is empty");
    }
    let init = anon.get("/api/docs/init.js").await.text;
    assert!(init.contains("/api/openapi.json"), "{init}");
    let bundle = anon.get("/api/docs/swagger-ui-bundle.js").await.text;
    assert!(bundle.contains("SwaggerUIBundle"));
}

#[tokio::test]
async fn logs_into_a_pipe_have_no_colour_codes() {
    let server = Server::spawn();
    let owner = server.owner().await;
    owner.get("/api/v1/companies").await;
    owner.get("/api/v1/nothing-here").await;
    let logs = server.logs();
    assert!(logs.contains("handled"), "{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "escape bytes in piped logs:\n{logs:?}"
    );
}

/// Runs `armario serve` for a moment behind a pseudo-terminal (util-linux `script`), with or
/// without NO_COLOR, and returns what it printed.
fn serve_on_a_terminal(no_color: Option<&str>) -> Option<String> {
    let script = find_tool("script")?;
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "timeout -s TERM 3 {} serve --addr 127.0.0.1:0 --data-dir {}",
        env!("CARGO_BIN_EXE_armario"),
        dir.path().join("data").display()
    );
    let mut cmd = Command::new(script);
    cmd.args(["-qec", &command, "/dev/null"])
        .env("ARMARIO_MASTER_KEY", "ab".repeat(32))
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("ARMARIO_CONFIG");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// tracing-subscriber already honoured NO_COLOR; this keeps it so now that colour also depends
/// on the terminal.
#[test]
fn no_color_turns_colour_off_even_on_a_terminal() {
    let Some(coloured) = serve_on_a_terminal(None) else {
        skip_or_fail("script (util-linux)", "apt-get install bsdutils");
        return;
    };
    assert!(coloured.contains("listening on"), "{coloured}");
    assert!(
        coloured.contains('\u{1b}'),
        "a terminal gets colour:\n{coloured:?}"
    );
    let plain = serve_on_a_terminal(Some("1")).unwrap();
    assert!(plain.contains("listening on"), "{plain}");
    assert!(
        !plain.contains('\u{1b}'),
        "NO_COLOR=1 still coloured:\n{plain:?}"
    );
}

#[test]
fn cli_output_into_a_pipe_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = "cd".repeat(32);
    for args in [
        vec!["backup", "now"],
        vec!["backup", "list"],
        vec!["admin", "create", "--email", "not-an-email"],
        vec!["no-such-command"],
    ] {
        let out = run_armario(&data, &key, &args, "correct-horse-battery\n");
        let printed = [out.stdout, out.stderr].concat();
        assert!(!printed.is_empty(), "armario {args:?} printed nothing");
        assert!(
            !printed.contains(&0x1b),
            "armario {args:?} wrote escape bytes into a pipe:\n{:?}",
            String::from_utf8_lossy(&printed)
        );
    }
}
