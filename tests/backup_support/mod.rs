//! Fixtures for the backup engine tests: a WAL database, engines on a local directory or on
//! real S3-compatible servers on loopback (moto, when installed, and s3s-fs in-process, which
//! checks SigV4 signatures), and a clock the test can move.

#![allow(dead_code)]

use std::fmt;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use armario::backup::{BackupConfig, BackupEngine, BackupSettings, Secret};
use armario::clock::Clock;
use armario::crypto::MasterKey;
use armario::datadir::DB_FILE;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

pub const KEY: [u8; 32] = [7; 32];
pub const OTHER_KEY: [u8; 32] = [8; 32];

/// The master key of these bytes, as the server holds it.
pub fn master_key(bytes: &[u8; 32]) -> MasterKey {
    MasterKey::from_bytes(*bytes)
}

/// Creates `<dir>/armario.db` in WAL mode with two tables and `rows` events.
pub fn make_db(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join(DB_FILE);
    let conn = open_writer(&path);
    conn.execute_batch(
        "PRAGMA user_version = 3;
         CREATE TABLE companies(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL);
         INSERT INTO companies(name) VALUES ('Oficina do Zé'), ('Pet Feliz');",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..rows {
        tx.execute("INSERT INTO events(payload) VALUES (?1)", [payload(i)])
            .unwrap();
    }
    tx.commit().unwrap();
    path
}

pub fn payload(i: usize) -> String {
    format!("event {i} {}", "x".repeat(200 + i % 300))
}

/// A connection configured like the server's writer.
pub fn open_writer(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
    )
    .unwrap();
    conn
}

pub fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// The bytes of a database file and its WAL, to show a failure changed nothing.
pub fn db_state(db: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    (std::fs::read(db).unwrap(), std::fs::read(wal).ok())
}

/// A clock the test moves by hand.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at(t: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock(AtomicI64::new(t.timestamp())))
    }
    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.0.load(Ordering::SeqCst), 0).unwrap()
    }
}

/// Which kind of target a test runs against.
#[derive(Clone)]
pub enum Where {
    Local,
    S3 { store: Arc<S3Store>, prefix: String },
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Where::Local => f.write_str("local directory"),
            Where::S3 { store, .. } => f.write_str(store.kind),
        }
    }
}

pub fn engine(data_dir: &Path, place: &Where, key: &[u8; 32]) -> BackupEngine {
    let config = match place {
        Where::Local => BackupConfig::default(),
        Where::S3 { store, prefix } => store.config(prefix),
    };
    let settings: BackupSettings = config.resolve(data_dir).unwrap();
    BackupEngine::new(data_dir, settings, &master_key(key)).unwrap()
}

pub const ACCESS_KEY: &str = "armario-test";
pub const SECRET_KEY: &str = "armario-test-secret";

/// A real S3-compatible server on a free loopback port, stopped on drop.
pub struct S3Store {
    pub kind: &'static str,
    pub endpoint: String,
    pub bucket: String,
    running: Running,
}

enum Running {
    Moto(Child),
    InProcess {
        server: tokio::task::JoinHandle<()>,
        root: tempfile::TempDir,
    },
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Skips the S3 part of a test with its reason, except under `CI=true`, where `.ci/run`
/// installs moto and an unusable one is a failure.
fn moto_unusable(reason: String) -> Option<S3Store> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{reason}");
    }
    eprintln!("skipping the moto part of this test: {reason}");
    None
}

impl S3Store {
    /// Starts moto_server, or returns `None` with the reason printed when it is missing or
    /// cannot serve (any moto 5 does). It accepts any credentials.
    pub async fn moto() -> Option<S3Store> {
        let port = free_port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                return moto_unusable(format!(
                    "moto_server not available ({e}); pip install 'moto[server]'"
                ))
            }
        };
        let mut store = S3Store {
            kind: "moto",
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "armario-backups".into(),
            running: Running::Moto(child),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Running::Moto(child) = &mut store.running {
                if let Ok(Some(status)) = child.try_wait() {
                    return moto_unusable(format!(
                        "moto_server exited at start ({status}); run it by hand to see why"
                    ));
                }
            }
            if Instant::now() > deadline {
                return moto_unusable("moto_server did not listen within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = format!("{}/{}", store.endpoint, store.bucket);
        match reqwest::Client::new().put(&url).send().await {
            Ok(resp) if resp.status().is_success() => Some(store),
            Ok(resp) => moto_unusable(format!("moto_server refused a bucket: {}", resp.status())),
            Err(e) => moto_unusable(format!("moto_server did not answer: {e}")),
        }
    }

    /// Starts s3s-fs on this runtime, serving a temporary folder and checking SigV4 signatures
    /// against [`ACCESS_KEY`] and [`SECRET_KEY`].
    pub async fn s3s_fs() -> S3Store {
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use hyper_util::server::conn::auto::Builder;
        use s3s::auth::SimpleAuth;
        use s3s::service::S3ServiceBuilder;

        let root = tempfile::tempdir().unwrap();
        let bucket = "armario-backups".to_string();
        // A bucket of s3s-fs is a folder under its root.
        std::fs::create_dir(root.path().join(&bucket)).unwrap();
        let fs = s3s_fs::FileSystem::new(root.path()).unwrap();
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        S3Store {
            kind: "s3s-fs",
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket,
            running: Running::InProcess { server, root },
        }
    }

    /// The folder s3s-fs serves, to look for leftovers of uploads; `None` for moto.
    pub fn root(&self) -> Option<&Path> {
        match &self.running {
            Running::InProcess { root, .. } => Some(root.path()),
            Running::Moto(_) => None,
        }
    }

    pub fn config(&self, prefix: &str) -> BackupConfig {
        self.config_with_secret(prefix, SECRET_KEY)
    }

    pub fn config_with_secret(&self, prefix: &str, secret: &str) -> BackupConfig {
        BackupConfig {
            target: Some("s3".into()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_region: Some("us-east-1".into()),
            s3_bucket: Some(self.bucket.clone()),
            s3_prefix: Some(prefix.into()),
            s3_path_style: Some(true),
            s3_access_key: Some(ACCESS_KEY.into()),
            s3_secret_key: Some(Secret::new(secret)),
            ..Default::default()
        }
    }
}

impl Drop for S3Store {
    fn drop(&mut self) {
        match &mut self.running {
            Running::Moto(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Running::InProcess { server, .. } => server.abort(),
        }
    }
}

/// The S3-compatible servers at hand: moto when installed, and s3s-fs always.
pub async fn s3_stores() -> Vec<Arc<S3Store>> {
    let mut stores = Vec::new();
    if let Some(moto) = S3Store::moto().await {
        stores.push(Arc::new(moto));
    }
    stores.push(Arc::new(S3Store::s3s_fs().await));
    stores
}

/// Runs `test` on a local directory, then on each loopback S3 server.
pub async fn each_target<F, Fut>(test: F)
where
    F: Fn(Where) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    test(Where::Local).await;
    for store in s3_stores().await {
        eprintln!("on {}", store.kind);
        test(Where::S3 {
            store,
            prefix: "prod/armario".to_string(),
        })
        .await;
    }
}
