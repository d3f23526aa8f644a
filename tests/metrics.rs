//! `/metrics`: counters move with real requests, the output parses as the Prometheus text
//! format, and only loopback clients or holders of the metrics token may read it. Also: every
//! JSON log line of a request carries its request id.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses `{a="x",b="y\"z"}` and returns the labels and the rest of the line.
fn parse_labels(text: &str) -> (BTreeMap<String, String>, &str) {
    let mut labels = BTreeMap::new();
    let Some(mut rest) = text.strip_prefix('{') else {
        return (labels, text);
    };
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return (labels, after);
        }
        let (key, after) = rest.split_once("=\"").expect("label: key=\"value\"");
        assert!(valid_name(key), "label name {key:?}");
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect("unterminated label value") {
                (i, '"') => break i,
                (_, '\\') => match chars.next().expect("escape").1 {
                    'n' => value.push('\n'),
                    c @ ('\\' | '"') => value.push(c),
                    c => panic!("bad escape \\{c}"),
                },
                (_, c) => value.push(c),
            }
        };
        assert!(
            labels.insert(key.to_string(), value).is_none(),
            "label {key} twice"
        );
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// A strict reader of the text format: every sample belongs to a family declared by a TYPE
/// line before it, names and labels are well formed, no series repeats, and histograms are
/// cumulative with `+Inf` equal to `_count`.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(valid_name(name), "{line}");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "{line}"
                    );
                    assert!(
                        types.insert(name.into(), kind.into()).is_none(),
                        "TYPE twice: {line}"
                    );
                }
                (Some("HELP"), Some(name), _) => assert!(valid_name(name), "{line}"),
                _ => {}
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).expect("sample line");
        let name = &line[..name_end];
        assert!(valid_name(name), "{line}");
        let (labels, rest) = parse_labels(&line[name_end..]);
        let value = rest.trim();
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value in {line}")),
        };
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).map(String::as_str) == Some("histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "no TYPE before {line}");
        assert!(
            seen.insert(format!("{name}{labels:?}")),
            "series twice: {line}"
        );
        samples.push(Sample {
            name: name.into(),
            labels,
            value,
        });
    }
    check_histograms(&types, &samples);
    samples
}

fn check_histograms(types: &HashMap<String, String>, samples: &[Sample]) {
    for (family, _) in types.iter().filter(|(_, k)| *k == "histogram") {
        let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        for s in samples
            .iter()
            .filter(|s| s.name == format!("{family}_bucket"))
        {
            let mut labels = s.labels.clone();
            let le = labels.remove("le").expect("bucket without le");
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap()
            };
            series
                .entry(format!("{labels:?}"))
                .or_default()
                .push((le, s.value));
        }
        for (labels, buckets) in series {
            assert!(buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
            let inf = buckets.last().unwrap();
            assert!(inf.0.is_infinite(), "{family}{labels}: no +Inf bucket");
            let count = samples
                .iter()
                .find(|s| {
                    s.name == format!("{family}_count") && format!("{:?}", s.labels) == labels
                })
                .expect("_count");
            assert_eq!(count.value, inf.1, "{family}{labels}: +Inf != _count");
        }
    }
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

async fn scrape(server: &Server) -> Vec<Sample> {
    let r = server.anon().get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ct = r.headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    parse_exposition(&r.text)
}

#[tokio::test]
async fn counters_move_and_the_format_parses() {
    let server = Server::start();
    let before = scrape(&server).await;
    assert!(value(&before, "armario_last_backup_timestamp_seconds", &[]).is_some());
    assert_eq!(value(&before, "armario_sign_ins_total", &[]), Some(0.0));

    let owner = server.owner().await;
    let r = server
        .anon()
        .post(
            "/api/v1/auth/login",
            json!({"email": "owner@armario.test", "password": "wrong-password-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let company = company(&owner, "Padaria Métrica", 7).await;
    for _ in 0..3 {
        let r = owner.get(&format!("/api/v1/companies/{company}")).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = owner.get("/api/v1/companies/cmp_does_not_exist").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let app = owner
        .post("/api/v1/applications", json!({"name": "Metrificador"}))
        .await;
    let app_id = app.body["id"].as_str().unwrap();
    let key = owner
        .post(
            &format!("/api/v1/applications/{app_id}/credentials"),
            json!({"label": "k"}),
        )
        .await;
    let key = key.body["secret"].as_str().unwrap();
    let r = owner
        .post(
            "/api/v1/links",
            json!({"application_id": app_id, "company_id": company, "scopes": ["company:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let as_app = server.anon().with_token(key);
    assert_eq!(
        as_app.get("/api/v1/app/companies").await.status,
        StatusCode::OK
    );
    let r = as_app
        .get(&format!("/api/v1/app/companies/{company}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    server.anon().get("/no/such/page/cmp_123").await;

    let after = scrape(&server).await;
    let by_route = |route: &str, method: &str, status: &str| {
        value(
            &after,
            "armario_http_requests_total",
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(by_route("/api/v1/companies/{id}", "GET", "200"), Some(3.0));
    assert_eq!(by_route("/api/v1/companies/{id}", "GET", "404"), Some(1.0));
    assert_eq!(by_route("/api/v1/auth/login", "POST", "401"), Some(1.0));
    assert_eq!(by_route("/api/v1/companies", "POST", "201"), Some(1.0));
    assert_eq!(by_route("unmatched", "GET", "404"), Some(1.0));
    assert!(
        after
            .iter()
            .filter(|s| s.name == "armario_http_requests_total")
            .all(|s| !s.labels["route"].contains("cmp_")),
        "raw ids leaked into route labels"
    );
    assert_eq!(
        value(
            &after,
            "armario_http_request_duration_seconds_count",
            &[("route", "/api/v1/companies/{id}"), ("method", "GET")]
        ),
        Some(4.0)
    );
    assert_eq!(value(&after, "armario_sign_ins_total", &[]), Some(1.0));
    assert_eq!(
        value(
            &after,
            "armario_sign_in_failures_total",
            &[("reason", "credentials")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &after,
            "armario_app_requests_total",
            &[("route_group", "companies")]
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &after,
            "armario_app_requests_total",
            &[("route_group", "secrets")]
        ),
        Some(0.0)
    );
    let db = value(&after, "armario_database_size_bytes", &[]).unwrap();
    assert!(db >= 4096.0, "database size {db}");
    assert!(value(&after, "process_resident_memory_bytes", &[]).unwrap() > 0.0);
    // The earlier scrape is counted too.
    assert_eq!(by_route("/metrics", "GET", "200"), Some(1.0));
}

/// A local address other than loopback, when the machine has one.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

async fn status_of(url: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("request").status()
}

#[tokio::test]
async fn without_a_token_only_loopback_clients_may_read() {
    let server = Server::start();
    let url = server.url("/metrics");
    assert_eq!(status_of(&url, &[]).await, StatusCode::OK);
    // Through a reverse proxy on this machine: the client is elsewhere.
    for header in ["X-Forwarded-For", "X-Real-IP"] {
        let refused = status_of(&url, &[(header, "203.0.113.9")]).await;
        assert_eq!(refused, StatusCode::NOT_FOUND, "{header}");
    }
    let refused = status_of(&url, &[("Forwarded", "for=203.0.113.9")]).await;
    assert_eq!(refused, StatusCode::NOT_FOUND);
    // A token when none is configured is a wrong token.
    let refused = status_of(&url, &[("Authorization", "Bearer anything")]).await;
    assert_eq!(refused, StatusCode::NOT_FOUND);
    // The refusal looks like any missing page.
    let missing = server.anon().get("/no-such-page").await;
    let r = reqwest::Client::new()
        .get(&url)
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), missing.text);
}

#[tokio::test]
async fn a_client_on_another_address_is_refused() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("skipped: this machine has no non-loopback address to connect from");
        return;
    };
    let token = "metrics-token-for-the-test-0123456789";
    let server = Server::start_with(&[
        ("ARMARIO_ADDR", "0.0.0.0:0"),
        ("ARMARIO_METRICS_TOKEN", token),
    ]);
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let base = format!("http://{ip}:{port}");
    if reqwest::get(format!("{base}/healthz")).await.is_err() {
        eprintln!("skipped: cannot connect to {base}");
        return;
    }
    let url = format!("{base}/metrics");
    assert_eq!(status_of(&url, &[]).await, StatusCode::NOT_FOUND);
    let good = format!("Bearer {token}");
    assert_eq!(
        status_of(&url, &[("Authorization", &good)]).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&server.url("/metrics"), &[]).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_a_token_remote_clients_need_it() {
    let token = "metrics-token-for-the-test-0123456789";
    let server = Server::spawn_with(&[("ARMARIO_METRICS_TOKEN", token)]);
    let url = server.url("/metrics");
    let remote = ("X-Forwarded-For", "203.0.113.9");
    let good = format!("Bearer {token}");
    let wrong = format!("Bearer {token}x");
    assert_eq!(
        status_of(&url, &[remote, ("Authorization", &good)]).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&url, &[remote, ("Authorization", &wrong)]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&url, &[remote, ("Authorization", "Bearer ")]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status_of(&url, &[remote]).await, StatusCode::NOT_FOUND);
    // A wrong token is refused even from loopback; no token from loopback still works.
    assert_eq!(
        status_of(&url, &[("Authorization", &wrong)]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status_of(&url, &[]).await, StatusCode::OK);
    assert!(!server.logs().contains(token), "the token reached the log");
}

#[tokio::test]
async fn json_log_lines_of_a_request_carry_its_id() {
    let server = Server::spawn_with(&[("ARMARIO_LOG_FORMAT", "json")]);
    let r = reqwest::Client::new()
        .post(server.url("/api/v1/auth/login"))
        .header("X-Request-Id", "trace-me-42")
        .json(&json!({"email": "nobody@armario.test", "password": "not-the-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["x-request-id"], "trace-me-42");
    let r = server.anon().get("/readyz").await;
    let generated = r.headers["x-request-id"].to_str().unwrap().to_string();
    assert!(generated.len() >= 16);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let lines: Vec<Value> = loop {
        let lines: Vec<Value> = server
            .logs()
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
            .collect();
        let done = lines.iter().any(|l| l["request_id"] == generated.as_str());
        if done || std::time::Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let ours: Vec<&Value> = lines
        .iter()
        .filter(|l| l["request_id"] == "trace-me-42")
        .collect();
    assert!(!ours.is_empty(), "no line with the request id");
    assert!(lines.iter().any(|l| l["request_id"] == generated.as_str()));
    // Any line logged inside a request span names that request at the top level.
    for line in &lines {
        if let Some(spans) = line["spans"].as_array() {
            let in_request = spans.iter().find(|s| s["name"] == "request");
            if let Some(span) = in_request {
                assert_eq!(line["request_id"], span["request_id"], "{line}");
            }
        }
    }
}

#[tokio::test]
async fn a_good_backup_moves_the_last_backup_gauge() {
    let server = Server::start();
    let owner = server.owner().await;
    let started = chrono_now_secs();
    // The scheduler may be taking the catch-up backup of a fresh start: 409 until it is done.
    eventually(30, "a backup taken through the API", || async {
        let r = owner.post_empty("/api/v1/backups").await;
        assert!(
            r.status.is_success() || r.status == StatusCode::CONFLICT,
            "{}",
            r.text
        );
        r.status.is_success() && r.body["status"] == "succeeded"
    })
    .await;
    let after = scrape(&server).await;
    let last = value(&after, "armario_last_backup_timestamp_seconds", &[]).unwrap();
    assert!(
        last >= started as f64 - 1.0 && last <= chrono_now_secs() as f64 + 1.0,
        "{last}"
    );
}

fn chrono_now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
