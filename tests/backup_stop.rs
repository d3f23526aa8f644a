//! A stop during a backup: the run is given up, recorded as interrupted, and the server exits
//! at once instead of waiting for an upload that may take minutes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;

/// An S3 endpoint on loopback that lists an empty bucket and accepts every upload of a backup
/// object without ever answering it, as a stalled link or an overloaded store would.
struct StallingS3 {
    endpoint: String,
    /// The request lines received, in order.
    seen: Arc<Mutex<Vec<String>>>,
}

impl StallingS3 {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        StallingS3 { endpoint, seen }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("ARMARIO_BACKUP_TARGET", "s3".into()),
            ("ARMARIO_BACKUP_S3_ENDPOINT", self.endpoint.clone()),
            ("ARMARIO_BACKUP_S3_REGION", "us-east-1".into()),
            ("ARMARIO_BACKUP_S3_BUCKET", "armario-test".into()),
            ("ARMARIO_BACKUP_S3_PATH_STYLE", "true".into()),
            ("ARMARIO_BACKUP_S3_ACCESS_KEY", "test".into()),
            ("ARMARIO_BACKUP_S3_SECRET_KEY", "test-secret-value".into()),
        ]
    }

    fn uploads_seen(&self) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|l| l.starts_with("PUT ") && l.contains(".db.zst.enc"))
            .count()
    }
}

/// Answers one connection's requests (HTTP/1.1, kept alive) until the peer closes it or sends
/// a backup object, which is read and then never answered.
fn serve(stream: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let request = line.trim_end().to_string();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.lock().unwrap().push(request.clone());
        if request.starts_with("PUT ") && request.contains(".db.zst.enc") {
            // Holds the connection open without a word until the peer goes away.
            let _ = reader.read_to_end(&mut Vec::new());
            return;
        }
        let (status, xml) = if request.starts_with("GET ") && request.contains("list-type=2") {
            (
                "200 OK",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <Name>armario-test</Name><Prefix></Prefix><KeyCount>0</KeyCount>\
                 <MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>",
            )
        } else {
            (
                "404 Not Found",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <Error><Code>NoSuchKey</Code><Message>not here</Message></Error>",
            )
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        );
        if out.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn a_stop_during_an_upload_ends_the_run_and_records_it_as_interrupted() {
    let s3 = StallingS3::start();
    let env = s3.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut server = Server::spawn_with(&env);
    let owner = server.owner().await;

    // The catch-up run at start (no backup exists yet) reaches its upload, which never ends.
    let deadline = Instant::now() + Duration::from_secs(60);
    while s3.uploads_seen() == 0 {
        assert!(Instant::now() < deadline, "no upload reached the target");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = owner.get("/api/v1/backups").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"], serde_json::json!([]), "{}", r.text);

    // SIGTERM: the server gives the run up and exits cleanly, well before the upload's own
    // timeout (a minute) or a service manager's patience (`stop` gives up after 30 s).
    let status = server.stop();
    assert!(status.success(), "armario exited with {status}");
    let logs = server.logs();
    assert!(logs.contains("the server stopped during the run"), "{logs}");
    assert!(!logs.contains("test-secret-value"), "{logs}");

    // The next start finds the run recorded as failed, with the reason, and audited.
    let dir = server.take_dir();
    let key = server.master_key.clone();
    let server = Server::spawn_in(dir, &key, &env);
    let owner = server.login("owner@armario.test", PASSWORD).await;
    let runs = owner.get("/api/v1/backups").await;
    let items = runs.body["items"].as_array().expect("items").clone();
    let interrupted: Vec<_> = items
        .iter()
        .filter(|i| i["status"] == "failed")
        .filter(|i| {
            i["error"]
                .as_str()
                .is_some_and(|e| e.contains("the server stopped during the run"))
        })
        .collect();
    assert_eq!(interrupted.len(), 1, "{}", runs.text);
    assert_eq!(interrupted[0]["trigger"], "scheduler", "{}", runs.text);
    let audit = audit_events(&owner, "action=backup.failed").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
}
