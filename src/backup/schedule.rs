//! When backups run: at the configured local times of day, plus one at start when the last
//! good backup is older than the longest gap between two scheduled times.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::engine::{BackupEngine, BackupReport};
use super::error::BackupError;

/// Longest single sleep, so a suspended machine or a changed clock is noticed within a minute.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Receives every scheduled run's report; the server records it in `backup_runs` and the audit
/// log. Awaited on the runtime like the rest of the run, so it must not block: the store does
/// its SQLite work on its own threads.
pub trait RunRecorder: Send + Sync + 'static {
    /// This server's turn at a run due since `since`, held until the returned value drops, or
    /// `None` when it is not its turn: replicas sharing one store run each scheduled backup
    /// once (another holds the turn, or one ran since then).
    fn take_turn(&self, since: DateTime<Utc>) -> impl Future<Output = Option<Turn>> + Send;

    fn record(&self, report: &BackupReport) -> impl Future<Output = ()> + Send;

    /// Verifies what a run stored, after [`RunRecorder::record`]; given up when the server
    /// stops.
    fn verify(&self, report: &BackupReport) -> impl Future<Output = ()> + Send;
}

/// A scheduled run's turn, held while the run goes on.
pub type Turn = Box<dyn std::any::Any + Send>;

/// The instant a local wall-clock time happens in `tz`: the earlier one when the clock is
/// set back, and the first instant after the gap when it is set forward.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(early, _) => Some(early.with_timezone(&Utc)),
        LocalResult::None => (1..=4).find_map(|h| {
            tz.from_local_datetime(&(local + chrono::Duration::minutes(30 * h)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }),
    }
}

/// The first scheduled instant strictly after `after`. `times` must not be empty.
pub fn next_run(times: &[NaiveTime], tz: Tz, after: DateTime<Utc>) -> DateTime<Utc> {
    let today = after.with_timezone(&tz).date_naive();
    let start = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    (0..4)
        .filter_map(|d| start.checked_add_days(Days::new(d)))
        .flat_map(|day| times.iter().map(move |t| day.and_time(*t)))
        .filter_map(|local| resolve_local(tz, local))
        .filter(|t| *t > after)
        .min()
        .unwrap_or(after + chrono::Duration::days(1))
}

/// The longest wait between two consecutive scheduled times (24 h for a single time).
pub fn longest_interval(times: &[NaiveTime]) -> chrono::Duration {
    let day = chrono::Duration::days(1);
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return day;
    };
    // The wait from the last time of one day to the first of the next, and between neighbours.
    let wrap = day - (*last - *first);
    times
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .fold(wrap, chrono::Duration::max)
}

/// Whether a backup should run at start: none yet, or the last good one is older than the
/// longest interval between scheduled times (a run was missed while the server was down).
pub fn due_at_start(
    last_good: Option<DateTime<Utc>>,
    times: &[NaiveTime],
    now: DateTime<Utc>,
) -> bool {
    match last_good {
        None => true,
        Some(last) => now - last > longest_interval(times),
    }
}

/// Runs, records and verifies one backup, given up if `stop` resolves first; true when it was.
async fn run_and_record<S: Future<Output = ()>>(
    engine: &BackupEngine,
    recorder: &impl RunRecorder,
    since: DateTime<Utc>,
    mut stop: std::pin::Pin<&mut S>,
) -> bool {
    let turn = tokio::select! {
        turn = recorder.take_turn(since) => turn,
        () = stop.as_mut() => return true,
    };
    let Some(turn) = turn else {
        tracing::info!("scheduled backup skipped: another replica takes it or took it");
        return false;
    };
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let during_run = async {
        stop.as_mut().await;
        stopped.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let report = match engine.run_backup_until(during_run).await {
        Ok(report) => report,
        Err(BackupError::AlreadyRunning) => {
            tracing::info!("scheduled backup skipped: another backup is running");
            return false;
        }
        Err(e) => {
            tracing::error!(error = %e, "scheduled backup could not start");
            return false;
        }
    };
    recorder.record(&report).await;
    // Recorded: a replica that takes the turn next sees this run.
    drop(turn);
    if stopped.load(std::sync::atomic::Ordering::Relaxed) {
        return true;
    }
    tokio::select! {
        () = recorder.verify(&report) => false,
        () = stop => {
            tracing::warn!(backup_id = %report.id, "the server stopped during a backup's verification; `armario backup verify` checks it");
            true
        }
    }
}

/// The background loop: a catch-up run at start when [`due_at_start`], then one run at each
/// scheduled time, until `shutdown` resolves. A run in progress is given up and recorded as
/// interrupted: a backup of a large database takes minutes, longer than a service manager
/// waits for a stop.
pub async fn run_scheduler<R: RunRecorder>(
    engine: Arc<BackupEngine>,
    recorder: Arc<R>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let times = engine.settings().times.clone();
    let tz = engine.settings().timezone;
    let listed = tokio::select! {
        listed = engine.latest_good() => listed,
        () = &mut shutdown => return,
    };
    let last_good = match listed {
        Ok(entry) => entry.map(|e| e.created_at),
        Err(e) => {
            // An unreachable target is not a reason to skip: the run records why it failed.
            tracing::warn!(error = %e, "could not list backups at start");
            None
        }
    };
    let now = engine.now();
    if due_at_start(last_good, &times, now)
        && run_and_record(
            &engine,
            &*recorder,
            now - longest_interval(&times),
            shutdown.as_mut(),
        )
        .await
    {
        return;
    }
    loop {
        let next = next_run(&times, tz, engine.now());
        tracing::info!(next = %next, "next backup scheduled");
        loop {
            let now = engine.now();
            if now >= next {
                break;
            }
            let wait = (next - now).to_std().unwrap_or_default().min(MAX_SLEEP);
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        if run_and_record(&engine, &*recorder, next, shutdown.as_mut()).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::settings::parse_times;
    use chrono_tz::America::{New_York, Sao_Paulo};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn next_run_in_sao_paulo() {
        let times = parse_times("03:00,15:00").unwrap();
        // 02:00 in São Paulo (UTC-3) is 05:00 UTC; next is 03:00 local = 06:00 UTC.
        assert_eq!(
            next_run(&times, Sao_Paulo, utc("2026-11-23T05:00:00Z")),
            utc("2026-11-23T06:00:00Z")
        );
        // Exactly at a scheduled time, the next one is the following time.
        assert_eq!(
            next_run(&times, Sao_Paulo, utc("2026-11-23T06:00:00Z")),
            utc("2026-11-23T18:00:00Z")
        );
        // After 15:00 local, the next is tomorrow 03:00.
        assert_eq!(
            next_run(&times, Sao_Paulo, utc("2026-11-23T19:00:00Z")),
            utc("2026-11-24T06:00:00Z")
        );
    }

    #[test]
    fn next_run_across_daylight_saving_changes() {
        let times = parse_times("02:30").unwrap();
        // 2026-03-08 02:30 does not exist in New York: it runs right after the gap.
        let t = next_run(&times, New_York, utc("2026-03-08T05:00:00Z"));
        assert_eq!(t, utc("2026-03-08T07:00:00Z"));
        let times = parse_times("01:30").unwrap();
        // 2026-11-01 01:30 happens twice: the first one counts.
        let t = next_run(&times, New_York, utc("2026-11-01T04:00:00Z"));
        assert_eq!(t, utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn due_at_start_when_a_run_was_missed() {
        let times = parse_times("03:00,15:00").unwrap();
        assert_eq!(longest_interval(&times), chrono::Duration::hours(12));
        assert_eq!(
            longest_interval(&parse_times("03:00,05:00").unwrap()),
            chrono::Duration::hours(22)
        );
        let now = utc("2026-11-23T12:00:00Z");
        assert!(due_at_start(None, &times, now));
        assert!(!due_at_start(
            Some(utc("2026-11-23T06:00:00Z")),
            &times,
            now
        ));
        assert!(due_at_start(Some(utc("2026-11-22T18:00:00Z")), &times, now));
    }
}
