//! A throwaway PostgreSQL 15 for a test: `initdb` into a temporary directory (as the
//! `postgres` user when the tests run as root, since initdb refuses root), `pg_ctl` on a free
//! loopback port, a login role `armario` that is not a superuser (so row-level security
//! applies to it), and a stop and removal when dropped. Without the binaries the test is
//! skipped with a reason, or fails under CI=true.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Where the PostgreSQL 15 binaries are (`ARMARIO_TEST_PG_BIN`, else Debian's place): the
/// cluster's, and the client tools a server's backups run.
pub fn bin_dir() -> PathBuf {
    std::env::var_os("ARMARIO_TEST_PG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BIN))
}

impl Postgres {
    /// Starts a cluster, or returns None after [`super::skip_or_fail`].
    pub fn start() -> Option<Postgres> {
        Self::start_with(false)
    }

    /// Starts a cluster that also speaks TLS, with a server certificate for 127.0.0.1 issued
    /// by a CA of its own ([`Postgres::ca_file`]).
    pub fn start_tls() -> Option<Postgres> {
        Self::start_with(true)
    }

    /// The CA that issued a TLS cluster's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    fn start_with(tls: bool) -> Option<Postgres> {
        let bin = bin_dir();
        if !bin.join("initdb").is_file() {
            super::skip_or_fail(
                &format!("PostgreSQL 15 ({}/initdb)", bin.display()),
                "apt-get install -y postgresql-15",
            );
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("armario-pg")
            .tempdir()
            .expect("temp dir");
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(ok.success(), "chown of the cluster directory failed");
        }
        let port = free_port();
        let pg = Postgres {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        );
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            pg.dir.path().display()
        );
        if tls {
            pg.issue_certificate();
            let d = pg.dir.path().display();
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key"
            ));
        }
        let log = pg.dir.path().join("log").display().to_string();
        pg.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        // CREATEDB: a backup is checked by restoring it into a scratch database.
        pg.psql("CREATE ROLE armario LOGIN PASSWORD 'armario' NOSUPERUSER NOBYPASSRLS CREATEDB");
        Some(pg)
    }

    /// A CA and a server certificate for 127.0.0.1 signed by it, made with openssl.
    fn issue_certificate(&self) {
        let d = self.dir.path();
        let ext = d.join("server.ext");
        std::fs::write(
            &ext,
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        let steps: [&[&str]; 3] = [
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=armario test CA",
                "-days",
                "2",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.crt",
            ],
        ];
        for args in steps {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(d)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        use std::os::unix::fs::PermissionsExt;
        let key = d.join("server.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        if self.as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(d)
                .status()
                .unwrap();
            assert!(ok.success());
        }
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// A PostgreSQL tool, as the `postgres` user when the tests run as root.
    fn tool(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(exe);
            cmd
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let out = self
            .tool(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs SQL as the superuser.
    pub fn psql(&self, sql: &str) -> String {
        self.psql_in("postgres", sql)
    }

    /// Runs SQL as the superuser in database `db`.
    pub fn psql_in(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A new empty database owned by `armario`, and the URL that reaches it as that role.
    pub fn database(&self, name: &str) -> String {
        self.psql(&format!("CREATE DATABASE {name} OWNER armario"));
        self.database_url(name)
    }

    /// The URL of the database `name` of this cluster, as the `armario` role.
    pub fn database_url(&self, name: &str) -> String {
        format!(
            "postgres://armario:armario@127.0.0.1:{}/{name}?sslmode=disable",
            self.port
        )
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .tool("pg_ctl")
            .args(["-D", data.as_str(), "-m", "immediate", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Which store the servers of this test run use: `TEST_STORE=postgres` gives every
/// server a fresh database of one cluster shared by the whole run; anything else (or nothing)
/// keeps the SQLite file in the server's data directory.
pub fn suite_on_postgres() -> bool {
    std::env::var("TEST_STORE").is_ok_and(|s| s == "postgres")
}

/// The cluster shared by the run's servers, started on first use. A static is never dropped,
/// so a watchdog shell stops the cluster and removes its directory once this process is gone,
/// however it ended.
pub fn shared() -> &'static Postgres {
    static SHARED: std::sync::OnceLock<Postgres> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let pg = Postgres::start().expect("TEST_STORE=postgres needs PostgreSQL 15");
        let ctl = pg.bin.join("pg_ctl");
        let stop = if pg.as_postgres {
            format!("runuser -u postgres -- {} -D {} -m immediate stop", ctl.display(), pg.data())
        } else {
            format!("{} -D {} -m immediate stop", ctl.display(), pg.data())
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = pg.dir().display(),
        );
        // Never waited for: it outlives this process by design, and init reaps it.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cluster watchdog");
        pg
    })
}

/// A fresh database of the shared cluster, for one server's data.
pub fn fresh_database() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    shared().database(&format!("suite_{n}"))
}

/// A copy of the database `url` names (whose server is stopped), in a new database of the
/// shared cluster; returns its URL.
pub fn copy_database(url: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = url
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("a database name in the URL");
    let copy = format!("copy_{n}_{name}");
    let pg = shared();
    pg.psql(&format!(
        "CREATE DATABASE {copy} TEMPLATE {name} OWNER armario"
    ));
    format!(
        "postgres://armario:armario@127.0.0.1:{}/{copy}?sslmode=disable",
        pg.port
    )
}

/// Whether a test of what only the SQLite file has (its bytes on disk, its FTS5 index, its
/// migrations from older versions, its disk filling up) is to be left out: the run is on
/// PostgreSQL. Prints why.
pub fn sqlite_only(what: &str) -> bool {
    let skip = suite_on_postgres();
    if skip {
        eprintln!("not run on PostgreSQL: {what} is the SQLite file's own");
    }
    skip
}
