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

impl Postgres {
    /// Starts a cluster, or returns None after [`super::skip_or_fail`].
    pub fn start() -> Option<Postgres> {
        let bin = std::env::var_os("ARMARIO_TEST_PG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_BIN));
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
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("log").display().to_string();
        pg.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        pg.psql("CREATE ROLE armario LOGIN PASSWORD 'armario' NOSUPERUSER NOBYPASSRLS");
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(tool);
        let out = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        }
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
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
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
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
