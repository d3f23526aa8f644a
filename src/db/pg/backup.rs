//! A PostgreSQL store's side of the backups: its snapshot is `pg_dump`'s custom format, taken
//! inside a repeatable-read transaction whose snapshot the dump shares (so the row counts and
//! the audit chain's head the manifest records are the dump's own); a dump is checked by
//! `pg_restore` into a scratch database made for it and dropped after; a restore is
//! `pg_restore` into an empty database.
//!
//! The companies' keys stay out of the dump (`company_keys` goes without its rows): the
//! manifest carries them, as it does for the SQLite file, so removing an erased company's key
//! from the manifests leaves what the store sealed under it unreadable in every backup. A
//! restore writes the keys the manifest still has back, sealed under the master key.
//!
//! The tables whose personal columns the store keeps in clear go without their data too
//! (`side_rows`): their rows are handed, read in the dump's snapshot, to the backup, which
//! seals those columns under each company's key and keeps them beside the dump. A restore
//! writes them back between the dump's data and its indexes, constraints and triggers.
//!
//! The tools get the URL's parts through libpq's environment (`PGHOST`, `PGPASSWORD`, …),
//! never on their command line, so a password shows in no process list. They see every
//! company's rows: `PGOPTIONS` opens their sessions in the platform scope.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use postgres::config::{Host, SslMode};
use postgres::Config;
use rusqlite::OptionalExtension;

use super::redacted;
use super::side_rows::{self, SideRow};
use crate::db::sql::pg::Session;
use crate::db::sql::Db;
use crate::domain::audit_chain::ChainHead;

/// The table whose rows no dump holds: the manifest carries the keys.
pub const KEYS_TABLE: &str = "company_keys";

/// Tables derived from others that a dump leaves empty and a restore builds again: the trigrams
/// of the companies' search text (migration 35), which would otherwise carry the names in clear
/// that travel sealed beside the dump. Not counted among a dump's rows.
const DERIVED_TABLES: &[&str] = &["company_trigrams"];

/// What a dump holds, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub schema_version: i64,
    /// Rows per table of the store's schema (`company_keys` counted as the dump has it: 0).
    pub row_counts: BTreeMap<String, u64>,
    pub audit_head: Option<ChainHead>,
}

/// A company's key as the store keeps it: sealed under the master key `key_id`.
pub struct SealedKey {
    pub company: String,
    pub sealed: Vec<u8>,
    pub key_id: String,
}

/// Where a dump's companies' keys and the rows it leaves out go.
pub trait DumpSink {
    /// A company's key as the store keeps it; `false` stops the dump.
    fn key(&mut self, key: SealedKey) -> bool;
    /// A row the dump leaves out, handed over once the dump is written.
    fn row(&mut self, row: SideRow) -> Result<(), String>;
}

/// The rows a restore writes back beside the dump, already opened.
pub type SideRows<'a> = &'a mut dyn Iterator<Item = Result<SideRow, String>>;

/// What a restore wrote.
pub struct Restored {
    pub keys_written: usize,
    /// Companies whose key the backup no longer has (erased since): what the store sealed
    /// under it stays unreadable.
    pub without_key: Vec<String>,
}

/// One PostgreSQL database and the client tools that dump and restore it.
#[derive(Clone)]
pub struct PgDatabase {
    url: String,
    ca_file: Option<PathBuf>,
    /// Where `pg_dump` and `pg_restore` are; none: the `PATH`.
    bin_dir: Option<PathBuf>,
}

impl std::fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted(&self.url))
    }
}

impl PgDatabase {
    pub fn new(url: &str, ca_file: Option<&Path>, bin_dir: Option<&Path>) -> Self {
        Self {
            url: url.to_string(),
            ca_file: ca_file.map(Path::to_path_buf),
            bin_dir: bin_dir.map(Path::to_path_buf),
        }
    }

    /// The database's URL without its password.
    pub fn describe(&self) -> String {
        redacted(&self.url)
    }

    fn config(&self) -> Result<Config, String> {
        self.url
            .parse()
            .map_err(|e| format!("{}: not a PostgreSQL URL: {e}", self.describe()))
    }

    fn session(&self, dbname: Option<&str>) -> Result<Session, String> {
        let mut config = self.config()?;
        if let Some(name) = dbname {
            config.dbname(name);
        }
        Ok(Session::new(
            super::connect_config(&config, &self.describe(), self.ca_file.as_deref())?,
            None,
        ))
    }

    /// The database a tool connects to: `dbname`, or the URL's (its user's name when the URL
    /// names none, as libpq does).
    fn dbname(&self, dbname: Option<&str>) -> Result<String, String> {
        let config = self.config()?;
        Ok(dbname
            .or(config.get_dbname())
            .or(config.get_user())
            .unwrap_or("postgres")
            .to_string())
    }

    /// `tool` with the URL's parts in its environment, connected to `dbname` (or the URL's).
    fn tool(&self, tool: &str, dbname: Option<&str>) -> Result<Command, String> {
        let config = self.config()?;
        let exe = match &self.bin_dir {
            Some(dir) => dir.join(tool),
            None => PathBuf::from(tool),
        };
        let mut cmd = Command::new(exe);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PGOPTIONS", "-c armario.scope=platform")
            .env("PGCONNECT_TIMEOUT", "10")
            .env("PGAPPNAME", "armario-backup");
        if let Some(host) = config.get_hosts().first() {
            match host {
                Host::Tcp(name) => cmd.env("PGHOST", name),
                Host::Unix(path) => cmd.env("PGHOST", path),
            };
        }
        if let Some(port) = config.get_ports().first() {
            cmd.env("PGPORT", port.to_string());
        }
        if let Some(user) = config.get_user() {
            cmd.env("PGUSER", user);
        }
        if let Some(password) = config.get_password() {
            cmd.env("PGPASSWORD", String::from_utf8_lossy(password).as_ref());
        }
        cmd.env("PGDATABASE", self.dbname(dbname)?);
        // Whenever TLS is used the server's certificate is checked, as armario's own
        // connection does: against the operator's CA when one is given.
        let mode = match (config.get_ssl_mode(), &self.ca_file) {
            (SslMode::Disable, _) => "disable",
            (_, Some(ca)) => {
                cmd.env("PGSSLROOTCERT", ca);
                "verify-full"
            }
            (SslMode::Require, None) => "require",
            _ => "prefer",
        };
        cmd.env("PGSSLMODE", mode);
        Ok(cmd)
    }

    /// Dumps the database into `dest` (custom format, uncompressed: the engine compresses)
    /// and returns what the dump holds, with the companies' keys and, once `dest` is
    /// written, the rows it leaves out handed to `sink`.
    pub fn dump(&self, dest: &Path, sink: &mut dyn DumpSink) -> Result<Facts, String> {
        let session = self.session(None)?;
        let db = Db::postgres(&session);
        let failed = |what: &str| {
            let place = self.describe();
            let what = what.to_string();
            move |e: rusqlite::Error| format!("{place}: {what}: {e}")
        };
        session
            .begin("ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(failed("starting the snapshot"))?;
        session
            .batch("SELECT set_config('armario.scope', 'platform', true)")
            .map_err(failed("starting the snapshot"))?;
        let snapshot: String = db
            .query_row("SELECT pg_export_snapshot()", [], |r| r.get(0))
            .map_err(failed("exporting the snapshot"))?;
        let mut facts = facts_of(&db).map_err(failed("counting the rows"))?;
        facts.row_counts.insert(KEYS_TABLE.into(), 0);
        crate::db::company_keys::for_each_sealed(&db, |company, sealed, key_id| {
            sink.key(SealedKey {
                company,
                sealed,
                key_id,
            })
        })
        .map_err(|e| format!("{}: reading the companies' keys: {e}", self.describe()))?;
        let mut cmd = self.tool("pg_dump", None)?;
        cmd.args([
            "--format=custom",
            "--compress=0",
            "--no-owner",
            "--no-privileges",
            "--enable-row-security",
            &format!("--exclude-table-data={KEYS_TABLE}"),
            &format!("--snapshot={snapshot}"),
        ])
        .args(
            DERIVED_TABLES
                .iter()
                .map(|t| format!("--exclude-table-data={t}")),
        )
        .args(side_rows::tables().map(|p| format!("--exclude-table-data={}", p.table)))
        .arg("--file")
        .arg(dest);
        run(cmd, "pg_dump")?;
        for p in side_rows::tables() {
            side_rows::read(&db, p, &mut |row| sink.row(row))?;
        }
        session.commit().map_err(failed("ending the snapshot"))?;
        Ok(facts)
    }

    /// Restores `dump`, with the rows beside it, into a scratch database made for it on the
    /// same server, reads what it holds, and drops it. The role needs `CREATEDB`.
    pub fn check_dump(&self, dump: &Path, rows: SideRows<'_>) -> Result<Facts, String> {
        let admin = self.session(None)?;
        super::check_scratch::sweep(&Db::postgres(&admin));
        let scratch = super::check_scratch::new_name();
        Db::postgres(&admin)
            .execute_batch(&format!(
                "CREATE DATABASE \"{scratch}\" TEMPLATE template0 ENCODING 'UTF8' \
                 LC_COLLATE 'C' LC_CTYPE 'C'"
            ))
            .map_err(|e| {
                format!(
                    "{}: creating the scratch database a dump is checked in (the role needs CREATEDB): {e}",
                    self.describe()
                )
            })?;
        let checked = self
            .restore_dump(dump, Some(&scratch), rows)
            .and_then(|()| {
                let session = self.session(Some(&scratch))?;
                let db = Db::postgres(&session);
                session
                    .begin("")
                    .and_then(|()| {
                        session.batch("SELECT set_config('armario.scope', 'platform', true)")
                    })
                    .and_then(|()| facts_of(&db))
                    .map_err(|e| format!("reading the restored copy: {e}"))
            });
        let dropped = Db::postgres(&admin)
            .execute_batch(&format!("DROP DATABASE IF EXISTS \"{scratch}\""))
            .map_err(|e| format!("dropping the scratch database {scratch}: {e}"));
        let facts = checked?;
        dropped?;
        Ok(facts)
    }

    /// How many tables the database's schema has: a restore goes only into an empty one.
    pub fn table_count(&self) -> Result<u64, String> {
        let session = self.session(None)?;
        Db::postgres(&session)
            .query_row(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| format!("{}: {e}", self.describe()))
    }

    /// Restores `dump` and the rows beside it into this database, which must be empty, then
    /// writes the companies' keys back.
    pub fn restore(
        &self,
        dump: &Path,
        rows: SideRows<'_>,
        keys: &[SealedKey],
    ) -> Result<Restored, String> {
        let tables = self.table_count()?;
        if tables > 0 {
            return Err(format!(
                "{} is not empty ({tables} tables): a backup is restored into an empty database",
                self.describe()
            ));
        }
        self.restore_dump(dump, None, rows)?;
        let session = self.session(None)?;
        let db = Db::postgres(&session);
        let write = || -> rusqlite::Result<Restored> {
            session.begin("")?;
            session.batch("SELECT set_config('armario.scope', 'platform', true)")?;
            // Before a company whose key is gone is changed below: its triggers then move its
            // trigrams as they would any edit's.
            // (The triggers come with the dump's last section, after the companies were
            // written back.)
            session.batch(super::REBUILD_TRIGRAMS)?;
            let mut keys_written = 0;
            for key in keys {
                keys_written += db.execute(
                    "INSERT INTO company_keys (company_id, sealed, key_id, created_at) \
                     SELECT id, ?2, ?3, created_at FROM companies WHERE id = ?1",
                    rusqlite::params![key.company, key.sealed, key.key_id],
                )?;
            }
            let without_key = db
                .prepare(
                    "SELECT id FROM companies c WHERE NOT EXISTS \
                     (SELECT 1 FROM company_keys k WHERE k.company_id = c.id) ORDER BY id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            // What the store sealed under a key the backup no longer has is unreadable: it
            // gets what a restore of the SQLite file gives such rows.
            for company in &without_key {
                crate::db::erasure::drop_unreadable(&db, company).map_err(|e| {
                    rusqlite::Error::ToSqlConversionFailure(
                        format!("company {company}, whose key is gone: {e}").into(),
                    )
                })?;
            }
            session.commit()?;
            Ok(Restored {
                keys_written,
                without_key,
            })
        };
        let restored = write()
            .map_err(|e| format!("{}: writing the companies' keys: {e}", self.describe()))?;
        // The planner's statistics of the tables just filled (a dump carries none): without
        // them it guesses their sizes until autovacuum comes.
        session
            .batch(super::ANALYZE_OWN_TABLES)
            .map_err(|e| format!("{}: gathering statistics: {e}", self.describe()))?;
        Ok(restored)
    }

    /// `pg_restore` of the tables and their data, the rows beside the dump written in one
    /// transaction, then `pg_restore` of the indexes, constraints, triggers and policies, which
    /// so check the rows written back as they check the dump's own. A restore stopped part of
    /// the way leaves a database that is not empty, which the next one refuses.
    fn restore_dump(
        &self,
        dump: &Path,
        dbname: Option<&str>,
        rows: SideRows<'_>,
    ) -> Result<(), String> {
        self.pg_restore(dump, dbname, &["--section=pre-data", "--section=data"])?;
        let session = self.session(dbname)?;
        let db = Db::postgres(&session);
        session
            .begin("")
            .and_then(|()| session.batch("SELECT set_config('armario.scope', 'platform', true)"))
            .map_err(|e| format!("writing the rows kept beside the dump: {e}"))?;
        for row in rows {
            side_rows::insert(&db, &row?)?;
        }
        session
            .commit()
            .map_err(|e| format!("writing the rows kept beside the dump: {e}"))?;
        self.pg_restore(dump, dbname, &["--section=post-data"])
    }

    fn pg_restore(
        &self,
        dump: &Path,
        dbname: Option<&str>,
        sections: &[&str],
    ) -> Result<(), String> {
        let mut cmd = self.tool("pg_restore", dbname)?;
        cmd.args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
        ])
        .args(sections)
        .arg("--dbname")
        .arg(self.dbname(dbname)?)
        .arg(dump);
        run(cmd, "pg_restore")
    }
}

/// Runs a client tool, with what it printed on failure.
fn run(mut cmd: Command, tool: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| {
        format!("cannot run {tool} (install the PostgreSQL 15 client tools, or set ARMARIO_PG_BIN_DIR): {e}")
    })?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    Err(format!("{tool} failed ({}): {}", out.status, said.trim()))
}

/// The schema version, the rows of every table and the audit chain's head, as the
/// transaction sees them.
fn facts_of(db: &Db) -> rusqlite::Result<Facts> {
    let schema_version: i64 = db
        .query_row("SELECT version FROM armario_schema WHERE id = 1", [], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .unwrap_or(0);
    let tables: Vec<String> = db
        .prepare(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut row_counts = BTreeMap::new();
    for table in tables
        .into_iter()
        .filter(|t| !DERIVED_TABLES.contains(&t.as_str()))
    {
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        let n: i64 = db.query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))?;
        row_counts.insert(table, n as u64);
    }
    let audit_head = if row_counts.contains_key("audit_chain") {
        crate::db::audit_chain::head(db).map_err(|e| {
            rusqlite::Error::ToSqlConversionFailure(format!("the audit chain's head: {e}").into())
        })?
    } else {
        None
    };
    Ok(Facts {
        schema_version,
        row_counts,
        audit_head,
    })
}
