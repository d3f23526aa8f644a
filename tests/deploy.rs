//! Checks deploy.sh and the files it renders with the real tools that will read them:
//! systemd-analyze for the unit, nginx for the site, shellcheck for the script and for
//! every script it sends to the server, and a dry run that must not touch the network.
//!
//! A test whose tool is missing prints why and returns, except under CI=true, where
//! .ci/run installs the tools and a missing one is a failure.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const UNIT_NAME: &str = "armario.service";
const SITE_NAME: &str = "armario-nginx.conf";
const ENV_NAME: &str = "armario.env.example";

/// The backup keys of the settings contract; the env template must offer every one.
const BACKUP_KEYS: &[&str] = &[
    "ARMARIO_BACKUP_TARGET",
    "ARMARIO_BACKUP_LOCAL_DIR",
    "ARMARIO_BACKUP_S3_ENDPOINT",
    "ARMARIO_BACKUP_S3_REGION",
    "ARMARIO_BACKUP_S3_BUCKET",
    "ARMARIO_BACKUP_S3_PREFIX",
    "ARMARIO_BACKUP_S3_PATH_STYLE",
    "ARMARIO_BACKUP_S3_ACCESS_KEY",
    "ARMARIO_BACKUP_S3_SECRET_KEY",
    "ARMARIO_BACKUP_TIMES",
    "ARMARIO_BACKUP_TIMEZONE",
    "ARMARIO_BACKUP_RETENTION_DAYS",
];

// --- helpers ---------------------------------------------------------------------------------

fn deploy_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy.sh")
}

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("armario-deploy-{label}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

/// Finds an executable on PATH, then in the sbin directories (nginx lives in /usr/sbin,
/// which is not on an ordinary user's PATH).
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter().map(|d| d.join(name)).find(|p| {
        fs::metadata(p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    })
}

/// The tool's path, or None after printing why the test is skipped. Under CI=true a
/// missing tool fails the test instead.
fn require(name: &str, package: &str) -> Option<PathBuf> {
    match find_tool(name) {
        Some(path) => Some(path),
        None if in_ci() => {
            panic!("{name} is missing but CI=true: .ci/run must install the {package} package")
        }
        None => {
            eprintln!("skipped: {name} not found (apt-get install {package})");
            None
        }
    }
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn deploy(bash: &Path, args: &[&str]) -> Output {
    run(Command::new(bash).arg(deploy_sh()).args(args))
}

/// Runs `deploy.sh --render DIR EXTRA...` and returns the three files' contents.
fn render(bash: &Path, dir: &Path, extra: &[&str]) -> (String, String, String) {
    let mut args = vec!["--render", dir.to_str().expect("utf-8 temp path")];
    args.extend_from_slice(extra);
    let output = deploy(bash, &args);
    assert_success("deploy.sh --render", &output);
    let read = |name: &str| {
        fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name} not rendered: {e}"))
    };
    (read(UNIT_NAME), read(SITE_NAME), read(ENV_NAME))
}

fn lines_starting<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Copies a directory tree with `cp -a` (keeps the symlinks between unit files).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to.parent().unwrap()).unwrap();
    let output = run(Command::new("cp").arg("-a").arg(from).arg(to));
    assert_success("cp -a", &output);
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().unwrap().port()
}

/// The site with its four `listen` lines moved to loopback ports; panics if any of the
/// expected lines is missing, so the rendered ports are checked too.
fn listen_on_loopback(site: &str, http_port: u16, https_port: u16) -> String {
    let replacements = [
        ("listen 80;", format!("listen 127.0.0.1:{http_port};")),
        (
            "listen [::]:80;",
            String::from("# (IPv6 listen left out of the check)"),
        ),
        (
            "listen 443 ssl;",
            format!("listen 127.0.0.1:{https_port} ssl;"),
        ),
        (
            "listen [::]:443 ssl;",
            String::from("# (IPv6 listen left out of the check)"),
        ),
    ];
    let mut out = Vec::new();
    let mut seen = vec![0; replacements.len()];
    for line in site.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("listen ") {
            let i = replacements
                .iter()
                .position(|(from, _)| *from == trimmed)
                .unwrap_or_else(|| panic!("unexpected listen line `{trimmed}`"));
            seen[i] += 1;
            out.push(format!("    {}", replacements[i].1));
        } else {
            out.push(line.to_string());
        }
    }
    assert_eq!(
        seen,
        [1, 1, 1, 1],
        "expected each listen line once:\n{site}"
    );
    out.join("\n") + "\n"
}

fn write_executable(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// The remote scripts a dry run prints: the lines between `... <<'SCRIPT'` and `SCRIPT`.
fn remote_scripts(dry_run_stdout: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    let mut current: Option<String> = None;
    for line in dry_run_stdout.lines() {
        if let Some(script) = current.as_mut() {
            if line.trim() == "SCRIPT" {
                scripts.push(current.take().unwrap());
            } else {
                script.push_str(line.strip_prefix("    ").unwrap_or(line));
                script.push('\n');
            }
        } else if line.ends_with("<<'SCRIPT'") {
            current = Some(String::from("#!/bin/bash\n"));
        }
    }
    assert!(current.is_none(), "a remote script is not closed");
    scripts
}

/// True if `text` holds something shaped like a real master key: the key name followed
/// by 43 base64 characters and '=' (32 bytes).
fn contains_master_key(text: &str) -> bool {
    let marker = "ARMARIO_MASTER_KEY=";
    text.match_indices(marker).any(|(at, _)| {
        let rest = &text[at + marker.len()..];
        let b64 = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .count();
        b64 == 43 && rest[b64..].starts_with('=')
    })
}

// --- tests ---------------------------------------------------------------------------------

#[test]
fn render_writes_a_hardened_unit_a_tls_site_and_the_env_template() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let dir = TempDir::new("render");
    let (unit, site, env) = render(&bash, dir.path(), &[]);

    for line in [
        "ExecStart=/usr/local/bin/armario serve --data-dir /var/lib/armario",
        "EnvironmentFile=/etc/armario/armario.env",
        "User=armario",
        "KillSignal=SIGTERM",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "CapabilityBoundingSet=",
        "MemoryDenyWriteExecute=yes",
        "SystemCallFilter=@system-service",
        "WantedBy=multi-user.target",
    ] {
        assert!(
            unit.lines().any(|l| l == line),
            "unit lacks `{line}`:\n{unit}"
        );
    }
    assert_eq!(
        lines_starting(&unit, "ReadWritePaths="),
        ["ReadWritePaths=/var/lib/armario"],
        "the data directory must be the only writable path"
    );
    assert!(lines_starting(&unit, "ReadOnlyPaths=").is_empty());

    for needle in [
        "server_name armario.example.com;",
        "return 301 https://armario.example.com$request_uri;",
        "location /.well-known/acme-challenge/",
        "listen 443 ssl;",
        "ssl_certificate /etc/letsencrypt/live/armario.example.com/fullchain.pem;",
        "ssl_certificate_key /etc/letsencrypt/live/armario.example.com/privkey.pem;",
        "proxy_pass http://127.0.0.1:8080;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "client_max_body_size ",
    ] {
        assert!(
            site.contains(needle),
            "nginx site lacks `{needle}`:\n{site}"
        );
    }

    for key in BACKUP_KEYS {
        assert!(
            env.lines().any(|l| l.starts_with(&format!("# {key}="))),
            "env template lacks a commented {key}:\n{env}"
        );
    }
    assert!(
        lines_starting(&env, "ARMARIO_").is_empty(),
        "with no --domain the template sets nothing:\n{env}"
    );
    assert!(
        env.contains("# ARMARIO_MASTER_KEY=<"),
        "the key placeholder is missing"
    );
    assert!(!contains_master_key(&env));

    // With a domain: the site and the Secure-cookie settings follow it.
    let dir = TempDir::new("render-domain");
    let (_, site, env) = render(&bash, dir.path(), &["--domain", "armario.example.org"]);
    assert!(site.contains("server_name armario.example.org;"));
    assert!(site.contains("/etc/letsencrypt/live/armario.example.org/fullchain.pem"));
    assert_eq!(
        lines_starting(&env, "ARMARIO_"),
        [
            "ARMARIO_PUBLIC_URL=https://armario.example.org",
            "ARMARIO_COOKIE_SECURE=true",
            "ARMARIO_TRUST_PROXY=true"
        ]
    );
}

#[test]
fn systemd_analyze_verifies_the_unit_and_rates_it_ok() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let Some(analyze) = require("systemd-analyze", "systemd") else {
        return;
    };
    let Some(system_units) = ["/usr/lib/systemd/system", "/lib/systemd/system"]
        .iter()
        .map(Path::new)
        .find(|p| p.join("multi-user.target").exists())
    else {
        assert!(!in_ci(), "systemd's unit directory is missing but CI=true");
        eprintln!("skipped: no systemd unit directory with multi-user.target");
        return;
    };

    // verify needs the ExecStart binary to exist. Rather than edit the unit, verify it
    // unchanged inside a throwaway root that holds systemd's own units (for the targets
    // it names), the unit, and a stand-in /usr/local/bin/armario.
    let tmp = TempDir::new("systemd");
    render(&bash, tmp.path(), &[]);
    let root = tmp.path().join("root");
    copy_tree(system_units, &root.join("usr/lib/systemd/system"));
    std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
    write_executable(&root.join("usr/local/bin/armario"), "#!/bin/sh\nexit 0\n");
    let unit = root.join("etc/systemd/system").join(UNIT_NAME);
    fs::create_dir_all(unit.parent().unwrap()).unwrap();
    fs::copy(tmp.path().join(UNIT_NAME), &unit).unwrap();

    let output = run(Command::new(&analyze)
        .arg("verify")
        .arg("--man=no")
        .arg(format!("--root={}", root.display()))
        .arg(&unit));
    assert_success("systemd-analyze verify", &output);
    // verify exits 0 on unknown keys and bad values, which it only reports: any line
    // about the unit is a finding.
    let report = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        !report.contains("armario"),
        "systemd-analyze verify has findings:\n{report}"
    );

    // The exposure score of the hardening: 2.0 or less ("OK") on systemd's 0-10 scale.
    let output = run(Command::new(&analyze)
        .args(["security", "--offline=yes", "--threshold=20", "--no-pager"])
        .arg(format!("--root={}", root.display()))
        .arg(&unit));
    assert_success("systemd-analyze security --threshold=20", &output);
}

#[test]
fn nginx_accepts_the_site() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let Some(nginx) = require("nginx", "nginx") else {
        return;
    };
    let Some(openssl) = require("openssl", "openssl") else {
        return;
    };

    let tmp = TempDir::new("nginx");
    let cert_dir = tmp.path().join("cert");
    fs::create_dir_all(&cert_dir).unwrap();
    let output = run(Command::new(&openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=armario.example.org"])
        .arg("-keyout")
        .arg(cert_dir.join("privkey.pem"))
        .arg("-out")
        .arg(cert_dir.join("fullchain.pem")));
    assert_success("openssl req", &output);

    // The placeholder site and a site for a given domain, each with the test certificate
    // in place of Let's Encrypt's (--cert-dir, the same option a server with its own
    // certificate uses).
    for domain in [None, Some("armario.example.org")] {
        let dir = tmp.path().join(domain.unwrap_or("placeholder"));
        let mut extra = vec!["--cert-dir", cert_dir.to_str().unwrap()];
        if let Some(domain) = domain {
            extra.extend(["--domain", domain]);
        }
        let (_, site, _) = render(&bash, &dir, &extra);
        assert!(site.contains(&format!(
            "ssl_certificate {}/fullchain.pem;",
            cert_dir.display()
        )));

        // nginx -t opens the listening sockets, and ports 80 and 443 need root, must be free
        // and, for [::], need IPv6. So the checked copy listens on free loopback ports
        // instead; every other line is checked as rendered.
        let (http_port, https_port) = (free_port(), free_port());
        let checked = listen_on_loopback(&site, http_port, https_port);
        fs::write(dir.join(SITE_NAME), &checked).unwrap();

        // A minimal main configuration that keeps every file nginx touches in the temp dir,
        // so the check runs as any user.
        let temp = dir.join("nginx-temp");
        fs::create_dir_all(&temp).unwrap();
        let t = temp.display();
        let conf = dir.join("nginx.conf");
        fs::write(
            &conf,
            format!(
                "pid {dir}/nginx.pid;\n\
                 error_log stderr;\n\
                 events {{}}\n\
                 http {{\n\
                 \x20   access_log off;\n\
                 \x20   client_body_temp_path {t}/body;\n\
                 \x20   proxy_temp_path {t}/proxy;\n\
                 \x20   fastcgi_temp_path {t}/fastcgi;\n\
                 \x20   uwsgi_temp_path {t}/uwsgi;\n\
                 \x20   scgi_temp_path {t}/scgi;\n\
                 \x20   include {site};\n\
                 }}\n",
                dir = dir.display(),
                site = dir.join(SITE_NAME).display(),
            ),
        )
        .unwrap();
        let output = run(Command::new(&nginx)
            .arg("-t")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .args(["-e", "stderr"]));
        assert_success("nginx -t", &output);
        let report = text(&output.stderr);
        assert!(
            !report.contains("[warn]") && !report.contains("[emerg]"),
            "nginx -t warns about the site:\n{report}"
        );
    }
}

#[test]
fn shellcheck_finds_nothing_in_deploy_sh_or_its_remote_scripts() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let Some(shellcheck) = require("shellcheck", "shellcheck") else {
        return;
    };

    let output = run(Command::new(&shellcheck).arg(deploy_sh()));
    assert_success("shellcheck deploy.sh", &output);
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));

    // The scripts sent to the server are quoted heredocs, invisible to the check above:
    // check each one as the dry run prints it, for the fullest set of steps.
    let output = deploy(
        &bash,
        &[
            "--dry-run",
            "user@example.invalid",
            "--domain",
            "example.com",
        ],
    );
    assert_success("deploy.sh --dry-run", &output);
    let mut scripts = remote_scripts(&text(&output.stdout));
    let output = deploy(&bash, &["--dry-run", "root@example.invalid", "--rollback"]);
    assert_success("deploy.sh --dry-run --rollback", &output);
    scripts.extend(remote_scripts(&text(&output.stdout)));
    assert!(
        scripts.len() >= 8,
        "expected the remote scripts, got {}",
        scripts.len()
    );

    let tmp = TempDir::new("shellcheck");
    for (i, script) in scripts.iter().enumerate() {
        let file = tmp.path().join(format!("remote-{i}.sh"));
        fs::write(&file, script).unwrap();
        let output = run(Command::new(&shellcheck).arg(&file));
        assert!(
            output.status.success(),
            "shellcheck finds problems in a remote script:\n{}\n--- script\n{script}",
            text(&output.stdout)
        );
    }
}

#[test]
fn dry_run_prints_every_step_and_touches_nothing() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };

    // Stand-ins for everything that reaches the network or builds: any call is recorded.
    let tmp = TempDir::new("dry-run");
    let stubs = tmp.path().join("bin");
    let calls = tmp.path().join("calls");
    for tool in ["ssh", "scp", "cargo", "curl", "certbot"] {
        write_executable(
            &stubs.join(tool),
            &format!(
                "#!/bin/sh\necho \"{tool} $*\" >> '{}'\nexit 1\n",
                calls.display()
            ),
        );
    }
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    let output = run(Command::new(&bash)
        .arg(deploy_sh())
        .args([
            "--dry-run",
            "user@example.invalid",
            "--domain",
            "example.com",
        ])
        .env("PATH", &path));
    assert_success("deploy.sh --dry-run", &output);
    assert!(
        !calls.exists(),
        "a dry run ran commands:\n{}",
        fs::read_to_string(&calls).unwrap_or_default()
    );
    let stdout = text(&output.stdout);
    assert!(output.stderr.is_empty(), "stderr: {}", text(&output.stderr));

    // Each step, in order.
    let steps = [
        "cargo build --release",
        "[ssh user@example.invalid] id -u",
        "[ssh user@example.invalid] sudo -n bash -s <<'SCRIPT'",
        "/etc/os-release",
        "packages=curl\\ ca-certificates\\ nginx\\ certbot",
        "apt-get install",
        "useradd --system",
        "install -d -m 0700 -o \"$user\" -g \"$user\" \"$data_dir\"",
        "env_file=/etc/armario/armario.env",
        "public_url=https://example.com",
        "head -c 32 /dev/urandom | base64",
        "chmod 0600 \"$env_file\"",
        "set_key ARMARIO_COOKIE_SECURE true",
        "unit_file=/etc/systemd/system/armario.service",
        "systemctl daemon-reload",
        "systemctl enable \"$service\"",
        "sh -c 'cat > /usr/local/bin/armario.new'",
        "sha256sum --check",
        "--version",
        "url=http://127.0.0.1:8080/readyz",
        "timeout=30",
        "systemctl restart \"$service\"",
        "mv -f \"$bin.outgoing\" \"$bin.previous\"",
        "mv -f \"$bin.outgoing\" \"$bin\"",
        "domain=example.com",
        "ln -sfn \"$site_file\" \"$site_link\"",
        "nginx -t",
        "systemctl reload nginx",
        "certbot certonly --webroot",
        "install_site \"$site\"",
        "End of dry run",
    ];
    let mut from = 0;
    for step in steps {
        match stdout[from..].find(step) {
            Some(at) => from += at + step.len(),
            None => panic!("dry run lacks `{step}` (after byte {from}):\n{stdout}"),
        }
    }
    assert!(
        !contains_master_key(&stdout),
        "a dry run must not show a key"
    );

    // Without --domain there is no nginx step and no TLS setting.
    let output = run(Command::new(&bash)
        .arg(deploy_sh())
        .args(["--dry-run", "root@example.invalid", "--binary", "/bin/true"])
        .env("PATH", &path));
    assert_success("deploy.sh --dry-run (no domain)", &output);
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("cargo build"), "--binary skips the build");
    assert!(!stdout.contains("sudo -n"), "root needs no sudo");
    assert!(stdout.contains("[ssh root@example.invalid] bash -s"));
    assert!(!stdout.contains("certbot") && !stdout.contains("nginx -t"));
    assert!(stdout.contains("public_url=''"));
    assert!(!calls.exists());
}

#[test]
fn help_and_bad_arguments() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };

    let output = deploy(&bash, &["--help"]);
    assert_success("deploy.sh --help", &output);
    let help = text(&output.stdout);
    for option in [
        "--domain",
        "--binary",
        "--dry-run",
        "--render",
        "--rollback",
        "--cert-dir",
        "--database-url-file",
        "--master-key-file",
        "--listen",
    ] {
        assert!(help.contains(option), "--help does not mention {option}");
    }

    for (args, message) in [
        (&[][..], "missing USER@HOST"),
        (
            &["user@host", "--domain", "not a domain"][..],
            "is not a domain name",
        ),
        (&["user@host", "--frobnicate"][..], "unknown option"),
        (&["-oProxyCommand=x"][..], "unknown option"),
        (&["user@host", "--domain"][..], "needs a value"),
        (
            &["user@host", "--rollback", "--domain", "example.com"][..],
            "--rollback",
        ),
        (
            &["--render", "/tmp/x", "user@host"][..],
            "--render takes no USER@HOST",
        ),
    ] {
        let output = deploy(&bash, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?} should be a usage error"
        );
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(message),
            "{args:?}: expected `{message}` in:\n{stderr}"
        );
    }
}

/// A replica of one PostgreSQL database: the URL and the shared master key come from files,
/// travel inside the scripts on SSH's standard input and are never printed; the service
/// listens on the private address the balancer reaches, and is checked there.
#[test]
fn a_replica_takes_the_database_url_and_the_shared_key_from_files_and_prints_neither() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let tmp = TempDir::new("replica");
    let url_file = tmp.path().join("db.url");
    let key_file = tmp.path().join("master.key");
    fs::write(
        &url_file,
        "postgres://armario:pa55-w0rd&more@db.internal:5432/armario?sslmode=require\n",
    )
    .unwrap();
    let key = "c2hhcmVkLWtleS1vZi10aHJlZS1yZXBsaWNhcy0wMTI=";
    fs::write(&key_file, format!("{key}\n")).unwrap();
    let output = deploy(
        &bash,
        &[
            "--dry-run",
            "root@example.invalid",
            "--binary",
            "/bin/true",
            "--database-url-file",
            url_file.to_str().unwrap(),
            "--master-key-file",
            key_file.to_str().unwrap(),
            "--listen",
            "10.0.0.11:8080",
        ],
    );
    assert_success("deploy.sh --dry-run (replica)", &output);
    let stdout = text(&output.stdout);
    assert!(
        !stdout.contains("pa55-w0rd"),
        "the URL's password shows:\n{stdout}"
    );
    assert!(!stdout.contains(key), "the master key shows:\n{stdout}");
    for shown in [
        "secret_master_key='(secret, not shown)'",
        "secret_database_url='(secret, not shown)'",
        "set_secret ARMARIO_DATABASE_URL \"$secret_database_url\"",
        "listen=10.0.0.11:8080",
        "url=http://10.0.0.11:8080/readyz",
    ] {
        assert!(stdout.contains(shown), "no `{shown}` in:\n{stdout}");
    }

    let not_postgres = tmp.path().join("mysql.url");
    fs::write(&not_postgres, "mysql://db/armario\n").unwrap();
    let empty = tmp.path().join("empty.key");
    fs::write(&empty, "\n").unwrap();
    for (args, message) in [
        (
            vec![
                "root@h",
                "--database-url-file",
                not_postgres.to_str().unwrap(),
            ],
            "must begin with postgres://",
        ),
        (
            vec!["root@h", "--master-key-file", empty.to_str().unwrap()],
            "first line is empty",
        ),
        (
            vec!["root@h", "--master-key-file", "/nonexistent/key"],
            "cannot read the file",
        ),
        (
            vec!["root@h", "--listen", "0.0.0.0"],
            "is not an IPv4 ADDR:PORT",
        ),
    ] {
        let output = deploy(&bash, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Expands a `SystemCallFilter=` entry (a system call or an `@group`) with the groups that
/// `systemd-analyze syscall-filter` prints.
fn expand_syscalls(
    entry: &str,
    groups: &std::collections::HashMap<String, Vec<String>>,
) -> Vec<String> {
    match groups.get(entry) {
        Some(members) => members
            .iter()
            .flat_map(|m| expand_syscalls(m, groups))
            .collect(),
        None => vec![entry.to_string()],
    }
}

/// The system calls the rendered unit lets armario make, by systemd's rules: the first
/// `SystemCallFilter=` line without `~` starts an allow list, each later `~` line removes from
/// it and each later line without `~` adds to it.
#[test]
fn the_units_syscall_filter_lets_backups_lower_their_priority() {
    let Some(bash) = require("bash", "bash") else {
        return;
    };
    let Some(analyze) = require("systemd-analyze", "systemd") else {
        return;
    };
    let output = run(Command::new(&analyze).args(["syscall-filter", "--no-pager"]));
    assert_success("systemd-analyze syscall-filter", &output);
    let mut groups = std::collections::HashMap::<String, Vec<String>>::new();
    let mut current = None;
    for line in text(&output.stdout).lines() {
        if let Some(name) = line.strip_prefix('@') {
            current = Some(format!("@{}", name.trim()));
            groups.insert(format!("@{}", name.trim()), Vec::new());
        } else if let (Some(group), entry) = (&current, line.trim()) {
            if !entry.is_empty() && !entry.starts_with('#') {
                groups.get_mut(group).unwrap().push(entry.to_string());
            }
        }
    }
    assert!(groups.contains_key("@resources"), "no groups listed");

    let dir = TempDir::new("syscalls");
    let (unit, _, _) = render(&bash, dir.path(), &[]);
    let mut allowed = std::collections::HashSet::new();
    for value in lines_starting(&unit, "SystemCallFilter=") {
        let value = &value["SystemCallFilter=".len()..];
        let (deny, list) = match value.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        for call in list
            .split_whitespace()
            .flat_map(|e| expand_syscalls(e, &groups))
        {
            if deny {
                allowed.remove(&call);
            } else {
                allowed.insert(call);
            }
        }
    }
    for call in ["setpriority", "ioprio_set", "read", "fsync", "flock"] {
        assert!(allowed.contains(call), "the unit forbids {call}:\n{unit}");
    }
    for call in ["reboot", "mount", "setrlimit", "sched_setscheduler"] {
        assert!(!allowed.contains(call), "the unit allows {call}:\n{unit}");
    }
}
