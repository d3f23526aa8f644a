//! The Prometheus text exposition format (version 0.0.4).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;

use super::histogram::BUCKETS;
use super::Metrics;

/// Values read at scrape time rather than counted: `None` leaves the series out.
#[derive(Debug, Default)]
pub struct Gauges {
    pub database_bytes: Option<u64>,
    pub wal_bytes: Option<u64>,
    pub resident_bytes: Option<u64>,
    /// Unix time of the last good backup; 0 when there is none.
    pub last_backup_unix: i64,
    /// Writes refused for lack of disk space since start (a counter kept by the store).
    pub storage_full_total: u64,
    /// Write transactions committed and the writes they carried.
    pub write_batches: (u64, u64),
    pub write_replays: u64,
    /// Whether writes are being refused for lack of space right now.
    pub storage_full: bool,
    /// Messages waiting in the outbox and dead-lettered ones; `None` when unreadable.
    pub mail: Option<crate::db::outbox::Counts>,
}

/// Route patterns as the router sees them mapped to the paths of the OpenAPI document:
/// poem-openapi registers `/companies/{id}` as `/companies/:param0`.
#[derive(Clone, Debug, Default)]
pub struct RouteNames(pub std::sync::Arc<HashMap<String, String>>);

impl RouteNames {
    /// Names the routes of path templates (`/api/v1/companies/{id}`), as the API's route
    /// table lists them.
    pub fn from_templates<'a>(templates: impl IntoIterator<Item = &'a str>) -> Self {
        let names = templates
            .into_iter()
            .map(|path| {
                let mut n = 0;
                let pattern: Vec<String> = path
                    .split('/')
                    .map(|seg| {
                        if seg.starts_with('{') && seg.ends_with('}') {
                            n += 1;
                            format!(":param{}", n - 1)
                        } else {
                            seg.to_string()
                        }
                    })
                    .collect();
                (pattern.join("/"), path.to_string())
            })
            .collect();
        Self(std::sync::Arc::new(names))
    }
}

/// The label of a route pattern: the OpenAPI path when there is one, otherwise `:id` and
/// `*rest` become `{id}` and `{rest}`; requests that matched no route share `unmatched`.
fn route_label(pattern: Option<&str>, names: &RouteNames) -> String {
    let Some(pattern) = pattern else {
        return "unmatched".into();
    };
    if let Some(name) = names.0.get(pattern) {
        return name.clone();
    }
    pattern
        .split('/')
        .map(
            |seg| match seg.strip_prefix(':').or(seg.strip_prefix('*')) {
                Some(name) => format!("{{{name}}}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn seconds(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

pub fn render(m: &Metrics, gauges: &Gauges, names: &RouteNames) -> String {
    let mut out = String::with_capacity(8 * 1024);
    header(
        &mut out,
        "armario_http_requests_total",
        "counter",
        "HTTP requests answered, by route template, method and status.",
    );
    for ((key, status), n) in m.requests.sorted() {
        let _ = writeln!(
            out,
            "armario_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {}",
            escape(&route_label(key.pattern.as_deref(), names)),
            key.method,
            n.load(Ordering::Relaxed)
        );
    }
    let name = "armario_http_request_duration_seconds";
    header(
        &mut out,
        name,
        "histogram",
        "Time from receiving a request to its answer, by route template and method.",
    );
    for (key, h) in m.latency.sorted() {
        let labels = format!(
            "route=\"{}\",method=\"{}\"",
            escape(&route_label(key.pattern.as_deref(), names)),
            key.method
        );
        let s = h.snapshot();
        for (le, n) in BUCKETS.iter().zip(&s.cumulative) {
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{}\"}} {n}", seconds(*le));
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels},le=\"+Inf\"}} {}",
            s.cumulative[BUCKETS.len()]
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", s.sum_secs);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", s.count);
    }
    header(
        &mut out,
        "armario_sign_ins_total",
        "counter",
        "Successful sign-ins with e-mail and password.",
    );
    let _ = writeln!(
        out,
        "armario_sign_ins_total {}",
        m.sign_ins.load(Ordering::Relaxed)
    );
    header(
        &mut out,
        "armario_sign_in_failures_total",
        "counter",
        "Refused sign-ins, by reason: credentials, throttled, inactive, error.",
    );
    for (reason, n) in m.sign_in_failures.sorted() {
        let _ = writeln!(
            out,
            "armario_sign_in_failures_total{{reason=\"{reason}\"}} {}",
            n.load(Ordering::Relaxed)
        );
    }
    header(
        &mut out,
        "armario_app_requests_total",
        "counter",
        "Requests of applications with a valid key, by route group.",
    );
    for (group, n) in m.app_requests.sorted() {
        let _ = writeln!(
            out,
            "armario_app_requests_total{{route_group=\"{}\"}} {}",
            escape(group),
            n.load(Ordering::Relaxed)
        );
    }
    let gauges_list = [
        (
            "armario_database_size_bytes",
            "Size of the database: the SQLite file, or the PostgreSQL database.",
            gauges.database_bytes,
        ),
        (
            "armario_database_wal_size_bytes",
            "Size of the database's write-ahead log.",
            gauges.wal_bytes,
        ),
        (
            "process_resident_memory_bytes",
            "Resident memory of the process.",
            gauges.resident_bytes,
        ),
    ];
    for (name, help, value) in gauges_list {
        if let Some(v) = value {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {v}");
        }
    }
    header(
        &mut out,
        "armario_last_backup_timestamp_seconds",
        "gauge",
        "Unix time of the last backup that completed and checked good; 0 when none has yet.",
    );
    let _ = writeln!(
        out,
        "armario_last_backup_timestamp_seconds {}",
        gauges.last_backup_unix
    );
    header(
        &mut out,
        "armario_storage_full_total",
        "counter",
        "Writes refused because the disk was full (answered 507 storage_full).",
    );
    let _ = writeln!(
        out,
        "armario_storage_full_total {}",
        gauges.storage_full_total
    );
    header(
        &mut out,
        "armario_write_transactions_total",
        "counter",
        "Write transactions committed; with group commit one carries several writes.",
    );
    let _ = writeln!(
        out,
        "armario_write_transactions_total {}",
        gauges.write_batches.0
    );
    header(
        &mut out,
        "armario_writes_total",
        "counter",
        "Writes that ran in a committed transaction (including those that failed alone).",
    );
    let _ = writeln!(out, "armario_writes_total {}", gauges.write_batches.1);
    header(
        &mut out,
        "armario_write_replays_total",
        "counter",
        "Write batches run again with a savepoint per write, after one failed having changed rows.",
    );
    let _ = writeln!(out, "armario_write_replays_total {}", gauges.write_replays);
    header(
        &mut out,
        "armario_storage_full",
        "gauge",
        "1 while writes are refused for lack of disk space; 0 once a write succeeds again.",
    );
    let _ = writeln!(
        out,
        "armario_storage_full {}",
        u8::from(gauges.storage_full)
    );
    if let Some(mail) = gauges.mail {
        header(
            &mut out,
            "armario_mail_queued",
            "gauge",
            "E-mail messages waiting in the outbox (all of them while no SMTP server is set).",
        );
        let _ = writeln!(out, "armario_mail_queued {}", mail.queued);
        header(
            &mut out,
            "armario_mail_dead",
            "gauge",
            "E-mail messages dead-lettered after their last attempt; `armario mail list --dead`.",
        );
        let _ = writeln!(out, "armario_mail_dead {}", mail.dead);
    }
    header(
        &mut out,
        "armario_mail_sent_total",
        "counter",
        "E-mail messages the SMTP server accepted since start.",
    );
    let _ = writeln!(
        out,
        "armario_mail_sent_total {}",
        m.mail_sent.load(Ordering::Relaxed)
    );
    header(
        &mut out,
        "armario_mail_failed_attempts_total",
        "counter",
        "Delivery attempts the SMTP server refused or that failed to connect, since start.",
    );
    let _ = writeln!(
        out,
        "armario_mail_failed_attempts_total {}",
        m.mail_failed_attempts.load(Ordering::Relaxed)
    );
    header(
        &mut out,
        "armario_oidc_events_total",
        "counter",
        "OpenID provider events since start: sign-ins, refusals, grants, refresh-token reuse, revocations.",
    );
    for (event, n) in m.oidc.sorted() {
        let _ = writeln!(
            out,
            "armario_oidc_events_total{{event=\"{event}\"}} {}",
            n.load(Ordering::Relaxed)
        );
    }
    header(
        &mut out,
        "process_start_time_seconds",
        "gauge",
        "Unix time the process started.",
    );
    let _ = writeln!(out, "process_start_time_seconds {}", m.started_unix);
    header(
        &mut out,
        "armario_build_info",
        "gauge",
        "The running version, as a label; always 1.",
    );
    let _ = writeln!(
        out,
        "armario_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns_read_like_the_spec() {
        let names = RouteNames::from_templates([
            "/api/v1/companies/{id}/users/{user_id}",
            "/api/v1/companies",
        ]);
        assert_eq!(
            route_label(Some("/api/v1/companies/:param0/users/:param1"), &names),
            "/api/v1/companies/{id}/users/{user_id}"
        );
        assert_eq!(
            route_label(Some("/api/v1/companies"), &names),
            "/api/v1/companies"
        );
        assert_eq!(route_label(Some("/static/*rest"), &names), "/static/{rest}");
        assert_eq!(route_label(None, &names), "unmatched");
        assert_eq!(seconds(1.0), "1.0");
        assert_eq!(seconds(0.0025), "0.0025");
    }
}
