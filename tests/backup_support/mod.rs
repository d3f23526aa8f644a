//! Fixtures for the backup engine tests: a WAL database, engines on a local directory or on a
//! real S3-compatible server (moto) on loopback, and a clock the test can move.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use armario::backup::{BackupConfig, BackupEngine, BackupSettings, Clock, Secret, DB_FILE_NAME};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

pub const KEY: [u8; 32] = [7; 32];
pub const OTHER_KEY: [u8; 32] = [8; 32];

/// Creates `<dir>/armario.db` in WAL mode with two tables and `rows` events.
pub fn make_db(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join(DB_FILE_NAME);
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
    S3 { moto: Arc<Moto>, prefix: String },
}

pub fn engine(data_dir: &Path, place: &Where, key: &[u8; 32]) -> BackupEngine {
    let config = match place {
        Where::Local => BackupConfig::default(),
        Where::S3 { moto, prefix } => moto.config(prefix),
    };
    let settings: BackupSettings = config.resolve(data_dir).unwrap();
    BackupEngine::new(data_dir, settings, key).unwrap()
}

/// A moto S3 server on a free loopback port, stopped on drop.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub bucket: String,
}

impl Moto {
    /// Starts moto_server, or returns `None` (with the reason printed) when it is not
    /// installed. Under `CI=true` a missing moto_server fails the test instead.
    pub async fn start() -> Option<Moto> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let reason = format!("moto_server not available ({e}); pip install 'moto[server]>=5.2.5' (older ones answer multipart completion with a root element rust-s3 rejects)");
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("{reason}");
                }
                eprintln!("skipping S3 part of this test: {reason}");
                return None;
            }
        };
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "armario-backups".into(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = format!("{}/{}", moto.endpoint, moto.bucket);
        let resp = reqwest::Client::new().put(&url).send().await.unwrap();
        assert!(
            resp.status().is_success(),
            "creating the bucket: {}",
            resp.status()
        );
        Some(moto)
    }

    pub fn config(&self, prefix: &str) -> BackupConfig {
        BackupConfig {
            target: Some("s3".into()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_region: Some("us-east-1".into()),
            s3_bucket: Some(self.bucket.clone()),
            s3_prefix: Some(prefix.into()),
            s3_path_style: Some(true),
            s3_access_key: Some("test".into()),
            s3_secret_key: Some(Secret::new("test")),
            ..Default::default()
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `test` on a local directory, then on a loopback S3 server when moto is there.
pub async fn each_target<F, Fut>(test: F)
where
    F: Fn(Where) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    test(Where::Local).await;
    if let Some(moto) = Moto::start().await {
        let prefix = "prod/armario".to_string();
        test(Where::S3 {
            moto: Arc::new(moto),
            prefix,
        })
        .await;
    }
}
