//! `armario migrate-store --from A --to B`: moves the whole store between SQLite and
//! PostgreSQL and prints, per table, the rows copied and the content hash both sides agree on.

use std::path::PathBuf;

use crate::db::store_move::{self, Location};

pub async fn run(from: &str, to: &str, ca_file: Option<PathBuf>) -> Result<(), String> {
    let (from, to) = (Location::parse(from), Location::parse(to));
    let (source, target) = (from.describe(), to.describe());
    let report =
        tokio::task::spawn_blocking(move || store_move::run(&from, &to, ca_file.as_deref()))
            .await
            .map_err(|e| format!("the move stopped: {e}"))?
            .map_err(|e| format!("migrate-store: {e}"))?;
    println!("{:<28} {:>12}  content hash (SHA-256)", "table", "rows");
    for t in &report.tables {
        println!("{:<28} {:>12}  {}", t.table, t.rows, t.hex());
    }
    println!(
        "moved {} rows in {} tables from {source} to {target} in {:.1} s; \
         every table's row count and content hash match",
        report.rows(),
        report.tables.len(),
        report.seconds
    );
    Ok(())
}
