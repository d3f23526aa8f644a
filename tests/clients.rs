//! Clients generated from the live OpenAPI document: a Python client (openapi-python-client)
//! runs tests/clients/scenario.py against the running server, and a TypeScript client
//! (@hey-api/openapi-ts, from tests/clients' npm project) type-checks with tsc --strict. The
//! committed docs/openapi.json must equal the document the binary serves, so an API change
//! shows in review. openapi-generator's Go client (default settings) builds and runs a short
//! scenario, its Java client compiles against Debian's Jackson jars, and Spectral lints the
//! document with tests/clients/.spectral.yaml.

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

/// openapi-generator-cli (its Python package bundles the generator's jar).
fn openapi_generator() -> Option<PathBuf> {
    require_tool(
        "openapi-generator-cli",
        "python3 -m pip install openapi-generator-cli",
    )
}

/// Writes the live spec into a fresh directory and generates `generator`'s client from it
/// into `client/`. The served text, not a re-serialised `Value`: generators follow the order
/// of properties (the Go client's constructors take required fields in that order).
async fn generate(server: &Server, generator: &str, options: &[&str]) -> tempfile::TempDir {
    let cli = openapi_generator().expect("checked by the caller");
    let work = tempfile::tempdir().unwrap();
    let r = server.anon().get("/api/openapi.json").await;
    assert!(r.status.is_success(), "{}", r.text);
    std::fs::write(work.path().join("openapi.json"), &r.text).unwrap();
    run(Command::new(cli)
        .args([
            "generate",
            "-g",
            generator,
            "-i",
            "openapi.json",
            "-o",
            "client",
        ])
        .args(options)
        .current_dir(work.path()));
    work
}

#[tokio::test]
async fn generated_go_client_builds_and_lists_a_new_company() {
    let install = "apt-get install golang-go";
    let (Some(_), Some(go)) = (openapi_generator(), require_tool("go", install)) else {
        return;
    };
    let server = Server::start();
    let _owner = server.owner().await;
    // Default settings: what someone trying the API would run first.
    let work = generate(&server, "go", &[]).await;
    let client = work.path().join("client");
    let scenario = client.join("cmd/scenario");
    std::fs::create_dir_all(&scenario).unwrap();
    std::fs::copy(
        repo().join("tests/clients/scenario.go"),
        scenario.join("main.go"),
    )
    .unwrap();
    // The client needs nothing beyond Go's standard library: nothing is fetched, and a
    // toolchain older than its go.mod line builds it rather than downloading another.
    let go = |args: &[&str]| {
        run(Command::new(&go)
            .args(args)
            .current_dir(&client)
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOPATH", work.path().join("gopath"))
            .env("GOCACHE", std::env::temp_dir().join("armario-go-build")))
    };
    go(&["build", "./..."]);
    let out = go(&[
        "run",
        "./cmd/scenario",
        &server.base,
        "owner@armario.test",
        PASSWORD,
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("ok:"), "{said}");
}

/// The jars the Java client compiles against: Jackson and the annotation jars from Debian's
/// packages, and Jackson's java.time module, which Debian does not package, from the
/// generator's own jar (openapi-generator-cli bundles it).
fn java_classpath(work: &Path) -> Option<String> {
    let install = "apt-get install libjackson2-databind-java libjackson2-annotations-java \
                   libjackson2-core-java libjsr305-java libgeronimo-annotation-1.3-spec-java";
    let jars: Vec<String> = [
        "jackson-databind",
        "jackson-annotations",
        "jackson-core",
        "jsr305",
        "geronimo-annotation-1.3-spec",
    ]
    .iter()
    .map(|name| format!("/usr/share/java/{name}.jar"))
    .collect();
    if let Some(missing) = jars.iter().find(|jar| !Path::new(jar).exists()) {
        skip_or_fail(missing, install);
        return None;
    }
    let located = run(Command::new("python3").args([
        "-c",
        "import openapi_generator_cli as g, os; print(os.path.dirname(g.__file__))",
    ]));
    let bundled = PathBuf::from(String::from_utf8_lossy(&located.stdout).trim())
        .join("openapi-generator.jar");
    let time_module = work.join("jackson-jsr310");
    std::fs::create_dir_all(&time_module).unwrap();
    run(Command::new("jar")
        .arg("xf")
        .arg(&bundled)
        .arg("com/fasterxml/jackson/datatype/jsr310")
        .current_dir(&time_module));
    assert!(
        time_module
            .join("com/fasterxml/jackson/datatype/jsr310/JavaTimeModule.class")
            .exists(),
        "{} no longer bundles Jackson's java.time module",
        bundled.display()
    );
    Some(format!("{}:{}", jars.join(":"), time_module.display()))
}

#[tokio::test]
async fn generated_java_client_compiles_against_debian_jackson() {
    let install = "apt-get install openjdk-17-jdk-headless";
    let (Some(_), Some(javac), Some(_)) = (
        openapi_generator(),
        require_tool("javac", install),
        require_tool("jar", install),
    ) else {
        return;
    };
    let server = Server::start();
    // java.net.http and Jackson only; no jackson-databind-nullable, no Swagger annotations.
    // Request objects besides positional calls, which tests/clients/Usage.java uses.
    let work = generate(
        &server,
        "java",
        &[
            "--library",
            "native",
            "--additional-properties",
            "openApiNullable=false,annotationLibrary=none,documentationProvider=none,\
             hideGenerationTimestamp=true,useSingleRequestParameter=true",
        ],
    )
    .await;
    let Some(classpath) = java_classpath(work.path()) else {
        return;
    };
    let mut sources = vec![repo().join("tests/clients/Usage.java")];
    let mut dirs = vec![work.path().join("client/src/main/java")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "java") {
                sources.push(path);
            }
        }
    }
    assert!(sources.len() > 50, "few sources generated: {sources:?}");
    run(Command::new(javac)
        .args(["-nowarn", "-proc:none", "-d"])
        .arg(work.path().join("classes"))
        .arg("-cp")
        .arg(&classpath)
        .args(&sources));
}

#[tokio::test]
async fn spec_lints_clean_with_spectral_and_the_owasp_size_limits() {
    let Some(spectral) = node_tool("spectral") else {
        return;
    };
    let server = Server::start();
    let work = tempfile::tempdir().unwrap();
    let spec = live_spec(&server).await;
    std::fs::write(work.path().join("openapi.json"), spec.to_string()).unwrap();
    let out = Command::new(spectral)
        .args([
            "lint",
            "--quiet",
            "--format",
            "json",
            "--fail-severity",
            "warn",
        ])
        .arg("--ruleset")
        .arg(repo().join("tests/clients/.spectral.yaml"))
        .arg("openapi.json")
        .current_dir(work.path())
        .output()
        .expect("run spectral");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "spectral printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // Severity 0 is an error, 1 a warning; information and hints pass.
    let failing: Vec<String> = findings
        .iter()
        .filter(|f| f["severity"].as_u64().is_some_and(|s| s <= 1))
        .map(|f| {
            let path: Vec<String> = f["path"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p.as_str().map_or(p.to_string(), str::to_string))
                .collect();
            format!("{} at {}: {}", f["code"], path.join("."), f["message"])
        })
        .collect();
    assert!(
        failing.is_empty() && out.status.success(),
        "{} findings:\n{}",
        failing.len(),
        failing.join("\n")
    );
}
