//! Helpers for `bench/backup.sh`: build a large database, take a backup with the engine, copy
//! with SQLite's online backup API, and measure write latency under load.
//!
//! ```text
//! backup_bench make-db DATA_DIR SIZE_MIB     create DATA_DIR/armario.db of about SIZE_MIB
//! backup_bench backup DATA_DIR               one engine backup to DATA_DIR/backups
//! backup_bench sqlite-backup DB DEST         rusqlite's backup API, DB → DEST
//! backup_bench write-load DB STOP_FILE       insert until STOP_FILE exists; print latencies
//! ```
//! Every timing is printed as `name seconds` on stdout for the script to read.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use armario::backup::{BackupEngine, BackupSettings, BackupStatus};
use armario::crypto::MasterKey;
use armario::datadir::DB_FILE;
use rusqlite::{Connection, MAIN_DB};

/// The master key of the benchmark's throwaway data (also set by the script for the CLI).
const BENCH_KEY: [u8; 32] = [0x42; 32];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str {
        args.get(i).map(String::as_str).unwrap_or_else(|| {
            eprintln!("usage: see the top of examples/backup_bench.rs");
            std::process::exit(2)
        })
    };
    match arg(0) {
        "make-db" => make_db(Path::new(arg(1)), arg(2).parse().expect("SIZE_MIB")),
        "backup" => backup(Path::new(arg(1))),
        "sqlite-backup" => sqlite_backup(Path::new(arg(1)), Path::new(arg(2))),
        "write-load" => write_load(Path::new(arg(1)), Path::new(arg(2))),
        other => {
            eprintln!("unknown command {other:?}");
            std::process::exit(2)
        }
    }
}

/// Rows shaped like the application's: short text columns and a few hundred bytes of
/// half-compressible payload (hex of random bytes), about 600 bytes a row.
fn make_db(data_dir: &Path, size_mib: u64) {
    std::fs::create_dir_all(data_dir).unwrap();
    let path = data_dir.join(DB_FILE);
    let mut conn = Connection::open(&path).unwrap();
    // The real schema first, so `armario backup now` can record its run in this database.
    armario::db::migrate::apply(&mut conn).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
         CREATE TABLE IF NOT EXISTS bench_companies(
             id INTEGER PRIMARY KEY, legal_name TEXT NOT NULL, cnpj TEXT NOT NULL,
             payload TEXT NOT NULL, created_at TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS bench_companies_cnpj ON bench_companies(cnpj);
         CREATE TABLE IF NOT EXISTS bench_events(id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    )
    .unwrap();
    let started = Instant::now();
    let target = size_mib * 1024 * 1024;
    while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < target {
        conn.execute_batch(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
             INSERT INTO bench_companies(legal_name, cnpj, payload, created_at)
             SELECT 'Empresa ' || i || ' Ltda', printf('%014d', abs(random()) % 100000000000000),
                    hex(randomblob(200)) || ' ' || substr('lorem ipsum dolor sit amet ', 1 + i % 20),
                    datetime('now') FROM n;
             COMMIT;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!(
        "made {} ({:.0} MiB) in {:.1} s",
        path.display(),
        size as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
}

fn backup(data_dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let settings = BackupSettings::defaults(data_dir);
    let engine = BackupEngine::new(data_dir, settings, &MasterKey::from_bytes(BENCH_KEY)).unwrap();
    let started = Instant::now();
    let report = runtime.block_on(engine.run_backup()).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    if report.status != BackupStatus::Succeeded {
        eprintln!("backup failed: {}", report.error.unwrap_or_default());
        std::process::exit(1);
    }
    println!("armario_backup {seconds:.3}");
}

fn sqlite_backup(db: &Path, dest: &Path) {
    let _ = std::fs::remove_file(dest);
    let conn = Connection::open(db).unwrap();
    let started = Instant::now();
    conn.backup(MAIN_DB, dest, None).unwrap();
    println!("rusqlite_backup {:.3}", started.elapsed().as_secs_f64());
}

/// One writer like the server's (WAL, synchronous=FULL, one short transaction per request),
/// writing as fast as it can until `stop_file` exists or 10 minutes pass.
fn write_load(db: &Path, stop_file: &Path) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut latencies: Vec<Duration> = Vec::new();
    let stop: PathBuf = stop_file.to_path_buf();
    let mut i = 0u64;
    while !stop.exists() && Instant::now() < deadline {
        let started = Instant::now();
        conn.execute(
            "INSERT INTO bench_events(body) VALUES (?1)",
            [format!("event {i} {}", "x".repeat(100))],
        )
        .unwrap();
        latencies.push(started.elapsed());
        i += 1;
    }
    latencies.sort();
    let pct = |p: f64| {
        let idx = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(idx).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("writes {}", latencies.len());
    println!("p50_ms {:.3}", pct(0.50));
    println!("p99_ms {:.3}", pct(0.99));
    println!("max_ms {:.3}", pct(1.0));
}
