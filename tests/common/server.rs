//! The server under test, started one of two ways behind one API:
//!
//! - [`Server::start_with`] runs `armario::app::serve_until` inside the test process, on its
//!   own thread and runtime, on `127.0.0.1:0`, with settings built from the given `ARMARIO_*`
//!   pairs only (never from this process's environment: tests run side by side in threads).
//!   It hands back the address and the setup token directly and stops when dropped.
//! - [`Server::spawn_with`] runs the real binary, for what only a process shows: the CLI,
//!   signals, SIGKILL, the log output and start-up failures.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use armario::app::Started;
use armario::config::{Overrides, Settings};

enum Running {
    Process(Child),
    InProcess {
        stop: tokio::sync::oneshot::Sender<()>,
        thread: std::thread::JoinHandle<Result<(), String>>,
    },
}

pub struct Server {
    running: Option<Running>,
    pub base: String,
    pub setup_token: Option<String>,
    pub dir: tempfile::TempDir,
    pub master_key: String,
    /// Whether this is the real binary, whose output `logs` holds.
    spawned: bool,
    logs: Arc<Mutex<String>>,
}

pub fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts a server in this process with these `ARMARIO_*` settings and waits until it
    /// listens.
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, &random_hex(32), env)
    }

    /// Starts a server in this process over `dir/data`; `dir/armario.toml` is read if present,
    /// as the binary started in `dir` would.
    pub fn start_in(dir: tempfile::TempDir, master_key: &str, env: &[(&str, &str)]) -> Self {
        show_logs();
        let mut vars = vec![("ARMARIO_MASTER_KEY".to_string(), master_key.to_string())];
        if let Some(url) = suite_database(&dir, env) {
            vars.push(("ARMARIO_DATABASE_URL".to_string(), url));
            vars.push(("ARMARIO_PG_BIN_DIR".to_string(), pg_bin_dir()));
        }
        for (k, v) in env {
            assert!(
                k.starts_with("ARMARIO_"),
                "{k} is read by a real process only: use Server::spawn_with"
            );
            vars.push((k.to_string(), v.to_string()));
        }
        let file = dir.path().join("armario.toml");
        let overrides = Overrides {
            // Never the working directory's armario.toml: the test process runs in the repo.
            config: vars.iter().all(|(k, _)| k != "ARMARIO_CONFIG").then(|| {
                if file.exists() {
                    file
                } else {
                    "/dev/null".into()
                }
            }),
            data_dir: Some(dir.path().join("data")),
            addr: Some(
                env.iter()
                    .find(|(k, _)| *k == "ARMARIO_ADDR")
                    .map_or("127.0.0.1:0", |(_, v)| *v)
                    .to_string(),
            ),
        };
        let settings = Settings::load(&overrides, vars).expect("settings");
        // A server of this process stopped just before may still be letting go of the data
        // directory (a backup thread of its own finishing): wait for its lock to be free.
        let data = dir.path().join("data");
        if data.exists() {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while let Err(armario::datadir::LockError::Held { .. }) = armario::datadir::lock(&data)
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the data directory stayed locked"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let (ready_tx, ready_rx) = mpsc::channel::<Started>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("armario-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime");
                let stop = move || {
                    Ok(async move {
                        let _ = stop_rx.await;
                    })
                };
                let ready = move |started| {
                    let _ = ready_tx.send(started);
                };
                runtime.block_on(armario::app::serve_until(settings, stop, ready))
            })
            .expect("server thread");
        let started = match ready_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(started) => started,
            Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
                Ok(Err(e)) => panic!("armario did not start: {e}"),
                other => panic!("armario did not start: {other:?}"),
            },
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("armario did not start within 60 s"),
        };
        Self {
            running: Some(Running::InProcess {
                stop: stop_tx,
                thread,
            }),
            base: format!("http://{}", started.addr),
            setup_token: started.setup_token,
            dir,
            master_key: master_key.to_string(),
            spawned: false,
            logs: Arc::default(),
        }
    }

    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    /// Starts the real binary with extra environment variables and waits until it listens.
    pub fn spawn_with(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::spawn_in(dir, &random_hex(32), env)
    }

    pub fn spawn_in(dir: tempfile::TempDir, master_key: &str, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_armario"));
        // The flag wins over the environment, so an `ARMARIO_ADDR` given here becomes the flag.
        let addr = env
            .iter()
            .find(|(k, _)| *k == "ARMARIO_ADDR")
            .map_or("127.0.0.1:0", |(_, v)| *v);
        cmd.args(["serve", "--addr", addr, "--data-dir"])
            .arg(dir.path().join("data"))
            .current_dir(dir.path())
            .env("ARMARIO_MASTER_KEY", master_key)
            .env("RUST_LOG", "info")
            .env_remove("ARMARIO_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = suite_database(&dir, env) {
            cmd.env("ARMARIO_DATABASE_URL", url)
                .env("ARMARIO_PG_BIN_DIR", pg_bin_dir());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn armario");
        let logs = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let logs = logs.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut l = logs.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let base = loop {
            let text = logs.lock().unwrap().clone();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                let addr: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, '\u{1b}' | '"'))
                    .collect();
                break format!("http://{addr}");
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("armario exited with {status}:\n{text}");
            }
            assert!(Instant::now() < deadline, "armario did not start:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        };
        let text = logs.lock().unwrap().clone();
        let setup_token = text.split("#token=").nth(1).map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        });
        Self {
            running: Some(Running::Process(child)),
            base,
            setup_token,
            dir,
            master_key: master_key.to_string(),
            spawned: true,
            logs,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// What the process printed so far.
    pub fn logs(&self) -> String {
        assert!(
            self.spawned,
            "only a real process's logs are captured: start it with Server::spawn_with"
        );
        self.logs.lock().unwrap().clone()
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// The path of the database file.
    pub fn db_path(&self) -> std::path::PathBuf {
        self.data_dir().join("armario.db")
    }

    /// The PostgreSQL database this server's data is in, when the run is on PostgreSQL.
    pub fn database_url(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join("database_url")).ok()
    }

    /// What a command run on this server's directory needs to find its store besides the
    /// data directory: the PostgreSQL database and client tools, when the run is on one.
    pub fn store_env(&self) -> Vec<(&'static str, String)> {
        match self.database_url() {
            Some(url) => vec![
                ("ARMARIO_DATABASE_URL", url),
                ("ARMARIO_PG_BIN_DIR", pg_bin_dir()),
            ],
            None => Vec::new(),
        }
    }

    /// Before a restore in place: on PostgreSQL, where a backup goes only into an empty
    /// database, points the server's directory at a new empty one (the restore's target and
    /// the next start's store) and returns the database it used before. Nothing on SQLite.
    pub fn use_an_empty_database(&self) -> Option<String> {
        let before = self.database_url()?;
        std::fs::write(
            self.dir.path().join("database_url"),
            super::postgres::fresh_database(),
        )
        .unwrap();
        Some(before)
    }

    /// Writes a session of the first user that began and ended at `at` (ms), with `id` and a
    /// token digest of `digest`, as another program would.
    pub fn insert_ended_session(&self, id: &str, at: i64, digest: &[u8]) {
        self.with_store(|db| {
            db.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, id)
                 VALUES (?2, (SELECT id FROM users LIMIT 1), ?1, ?1, ?3)",
                rusqlite::params![at, digest, id],
            )
            .unwrap()
        });
    }

    /// Runs `f` on a connection of its own to the server's store, as another program would:
    /// the SQLite file, or its PostgreSQL database (opened for the platform's side of the
    /// company wall). On a thread of its own, since PostgreSQL's client blocks on a runtime of
    /// its own.
    pub fn with_store<T: Send>(&self, f: impl FnOnce(&armario::db::Db<'_>) -> T + Send) -> T {
        with_store_at(self.database_url(), &self.db_path(), f)
    }

    /// Stops the server as SIGTERM does (a real SIGTERM for a process) and waits for it to
    /// finish; a server in this process that ended with an error reports exit status 1.
    pub fn stop(&mut self) -> ExitStatus {
        match self.running.take().expect("running") {
            Running::Process(child) => terminate(child),
            Running::InProcess { stop, thread } => {
                let _ = stop.send(());
                match thread.join().expect("server thread") {
                    Ok(()) => ExitStatus::from_raw(0),
                    Err(e) => {
                        eprintln!("armario: {e}");
                        ExitStatus::from_raw(1 << 8)
                    }
                }
            }
        }
    }

    /// Kills the process with SIGKILL, as a crash or a power cut would, and reaps it.
    pub fn kill(&mut self) {
        match self.running.take().expect("running") {
            Running::Process(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Running::InProcess { .. } => {
                panic!("only a real process can be killed: start it with Server::spawn_with")
            }
        }
    }

    /// Takes the temporary directory out of a stopped server, to start another on the same data.
    pub fn take_dir(&mut self) -> tempfile::TempDir {
        assert!(self.running.is_none(), "stop the server first");
        std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"))
    }

    /// Stops the server and starts a new one the same way on the same data and master key.
    pub fn restart(mut self, env: &[(&str, &str)]) -> Server {
        let spawned = self.spawned;
        let status = self.stop();
        assert!(status.success(), "armario exited with {status}");
        let dir = self.take_dir();
        let key = self.master_key.clone();
        if spawned {
            Server::spawn_in(dir, &key, env)
        } else {
            Server::start_in(dir, &key, env)
        }
    }
}

/// [`Server::with_store`] for a server's data that no server serves at the moment: its
/// PostgreSQL database when `url` names one, else the SQLite file at `path`.
pub fn with_store_at<T: Send>(
    url: Option<String>,
    path: &std::path::Path,
    f: impl FnOnce(&armario::db::Db<'_>) -> T + Send,
) -> T {
    std::thread::scope(|s| {
        s.spawn(|| match url {
            Some(url) => {
                let client = armario::db::pg::connect(&url, None).expect("connect to PostgreSQL");
                let session = armario::db::sql::pg::Session::new(client, None);
                session
                    .batch("SET armario.scope = 'platform'")
                    .expect("platform scope");
                f(&armario::db::Db::postgres(&session))
            }
            None => {
                let mut conn = rusqlite::Connection::open(path).expect("open the database file");
                conn.busy_timeout(Duration::from_secs(10)).unwrap();
                // Brings a new file to the schema (a store written before any server ran) and
                // registers the cell functions the storage functions call, keyless.
                armario::db::migrate::apply(&mut conn).expect("migrate");
                f(&armario::db::Db::sqlite(&conn))
            }
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// A server directory whose store exists, at this armario's schema, before any server ran on
/// it: the SQLite file, or a fresh PostgreSQL database when the run is on PostgreSQL.
pub fn new_store_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    if let Some(url) = suite_database(&dir, &[]) {
        std::thread::spawn(move || {
            armario::db::Store::open_postgres(&url, None, 2, None).expect("migrate");
        })
        .join()
        .expect("migrate");
    }
    with_store_in(&dir, |_| ());
    dir
}

/// [`Server::with_store`] for the data in `dir` (a stopped server's directory).
pub fn with_store_in<T: Send>(
    dir: &tempfile::TempDir,
    f: impl FnOnce(&armario::db::Db<'_>) -> T + Send,
) -> T {
    let url = std::fs::read_to_string(dir.path().join("database_url")).ok();
    with_store_at(url, &dir.path().join("data/armario.db"), f)
}

/// `TEST_LOG=warn` (a `RUST_LOG` filter) prints what the servers in this process log, with the
/// test's output: tests run side by side, so it is for one test at a time.
fn show_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

/// The database of the server over `dir` when the run is on PostgreSQL
/// ([`super::postgres::suite_on_postgres`]) and the test did not name one: made on the first
/// start and kept in `dir`, so a restart over the same directory finds the same data.
fn suite_database(dir: &tempfile::TempDir, env: &[(&str, &str)]) -> Option<String> {
    if !super::postgres::suite_on_postgres()
        || env
            .iter()
            .any(|(k, _)| k.starts_with("ARMARIO_DATABASE_URL"))
    {
        return None;
    }
    let kept = dir.path().join("database_url");
    if let Ok(url) = std::fs::read_to_string(&kept) {
        return Some(url);
    }
    let url = super::postgres::fresh_database();
    std::fs::write(&kept, &url).expect("keep the database URL");
    Some(url)
}

/// Sends SIGTERM and waits for a clean exit.
fn terminate(mut child: Child) -> ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("armario did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        match self.running.take() {
            Some(Running::Process(mut c)) => {
                let _ = c.kill();
                let _ = c.wait();
            }
            Some(Running::InProcess { stop, thread }) => {
                let _ = stop.send(());
                let _ = thread.join();
            }
            None => {}
        }
    }
}

/// The PostgreSQL client tools a server on the suite's PostgreSQL backs up with.
pub fn pg_bin_dir() -> String {
    super::postgres::bin_dir().display().to_string()
}
