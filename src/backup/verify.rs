//! Verification: fetch a backup, check it end to end and leave a checked clear-text copy for a
//! restore to put in place. Each failed check is its own error.

use std::path::PathBuf;

use super::archive::{hash_file, open_file};
use super::engine::BackupEngine;
use super::error::{BackupError, Result};
use super::manifest::{BackupId, Manifest, MANIFEST_SUFFIX};
use super::progress::step;
use super::scratch::{self, ScratchDir, ScratchFile};
use super::snapshot::{diff_row_counts, inspect, DbFacts};
use super::threads::{blocking, on_backup_thread};

/// Which backup to verify or restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupSelector {
    /// The newest complete backup on the target.
    Latest,
    /// A backup id (`20261123T030000.000Z-1a2b3c4d`) or just its 8-hex-digit suffix.
    Id(String),
    /// A local copy of an object, with its manifest beside it (`<file>.manifest.json`).
    File(PathBuf),
}

impl BackupSelector {
    /// Reads the CLI argument: `latest`, an id, or a path to a file.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let short = text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit());
        if text.is_empty() || text == "latest" {
            BackupSelector::Latest
        } else if BackupId::parse(text).is_some() || short {
            BackupSelector::Id(text.to_string())
        } else {
            BackupSelector::File(PathBuf::from(text))
        }
    }
}

/// A backup that passed every check.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub manifest: Manifest,
    /// Where it came from: an object name on the target or a local path.
    pub source: String,
}

/// A verified backup and its checked clear-text database, removed on drop unless kept.
pub(crate) struct Checked {
    pub manifest: Manifest,
    pub source: String,
    pub db: ScratchFile,
    /// The private directory `db` lives in; removed, with whatever is left in it, on drop.
    pub run_dir: ScratchDir,
}

impl BackupEngine {
    /// Downloads, checks the SHA-256, decrypts, decompresses, runs `integrity_check` and
    /// compares row counts with the manifest. Leaves nothing behind.
    pub async fn verify(&self, selector: &BackupSelector) -> Result<VerifyReport> {
        let checked = self.fetch_and_check(selector).await?;
        Ok(VerifyReport {
            manifest: checked.manifest,
            source: checked.source,
        })
    }

    /// The id a selector names on the target, with the reason when there is none; `None` for
    /// a file.
    pub async fn resolve_id(&self, selector: &BackupSelector) -> Result<Option<BackupId>> {
        match selector {
            BackupSelector::File(_) => Ok(None),
            _ => self.resolve(selector).await.map(Some),
        }
    }

    /// The id a selector names on the target, with the reason when there is none.
    async fn resolve(&self, selector: &BackupSelector) -> Result<BackupId> {
        let entries = self.list().await?;
        let entry = match selector {
            BackupSelector::Latest => entries
                .iter()
                .rev()
                .find(|e| e.is_complete())
                .ok_or_else(|| BackupError::NoBackups(self.target.describe()))?,
            BackupSelector::Id(text) => {
                let matches: Vec<_> = entries
                    .iter()
                    .filter(|e| {
                        e.id.as_str() == text || e.id.as_str().ends_with(&format!("-{text}"))
                    })
                    .collect();
                match matches.as_slice() {
                    [one] => *one,
                    [] => return Err(BackupError::NotFound(text.clone())),
                    _ => return Err(BackupError::NotFound(format!("{text} is ambiguous"))),
                }
            }
            BackupSelector::File(_) => unreachable!("files are not resolved on the target"),
        };
        match (&entry.object, &entry.manifest_name) {
            (Some(_), Some(_)) => Ok(entry.id.clone()),
            (Some(object), None) => Err(BackupError::ManifestMissing(object.name.clone())),
            _ => Err(BackupError::ObjectMissing(entry.id.to_string())),
        }
    }

    /// Fetches the selected backup into a private scratch directory of the data directory and
    /// checks it; the returned copy lives there until a restore moves it into place.
    pub(crate) async fn fetch_and_check(&self, selector: &BackupSelector) -> Result<Checked> {
        self.fetch_and_check_on(selector, self.postgres.clone())
            .await
    }

    /// [`Self::fetch_and_check`], a PostgreSQL snapshot checked on the server of `postgres`
    /// (a restore's target), whatever store the engine backs up.
    pub(crate) async fn fetch_and_check_on(
        &self,
        selector: &BackupSelector,
        postgres: Option<crate::db::pg::backup::PgDatabase>,
    ) -> Result<Checked> {
        let quiet = self.quiet;
        let data_dir = self.data_dir.clone();
        let run_dir = blocking(move || {
            std::fs::create_dir_all(&data_dir)
                .map_err(BackupError::io(format!("creating {}", data_dir.display())))?;
            scratch::sweep(&data_dir);
            ScratchDir::create(&data_dir)
                .map_err(BackupError::io("creating the backup scratch directory"))
        })
        .await?;
        let download;
        let (manifest, object_path, source) = match selector {
            BackupSelector::File(path) => {
                let manifest = read_manifest_beside(path.clone()).await?;
                (manifest, path.clone(), path.display().to_string())
            }
            _ => {
                let id = self.resolve(selector).await?;
                let manifest = self.manifest(&id).await?;
                // The object's name comes from the id, never from the manifest's text.
                let object = id.object_name();
                if manifest.id != id || manifest.object != object {
                    return Err(BackupError::InvalidManifest {
                        name: id.manifest_name(),
                        reason: format!(
                            "describes {} / {}, not {id}",
                            manifest.id, manifest.object
                        ),
                    });
                }
                download = run_dir.file("download", "enc");
                step(&format!("downloading {object}"), quiet);
                let found = self
                    .target
                    .get_to_file(&object, download.path(), quiet)
                    .await?;
                if !found {
                    return Err(BackupError::ObjectMissing(id.to_string()));
                }
                let source = format!("{} on {}", manifest.object, self.target.describe());
                (manifest, download.path().to_path_buf(), source)
            }
        };
        let key = self.key.clone();
        let company_keys = match postgres {
            Some(_) => self.company_keys_of(&manifest),
            None => Default::default(),
        };
        // Hashing, decryption, decompression and the integrity_check run at the backup
        // thread's lowered priorities: the server verifies each of its runs while it serves.
        on_backup_thread(move || {
            let name = manifest.object.clone();
            let (sha256, size) = hash_file(&object_path, quiet)?;
            if size < manifest.encrypted_size {
                return Err(BackupError::Truncated {
                    name,
                    detail: format!(
                        "object is {size} bytes, manifest says {}",
                        manifest.encrypted_size
                    ),
                });
            }
            if sha256 != manifest.sha256 {
                return Err(BackupError::ChecksumMismatch {
                    name,
                    expected: manifest.sha256.clone(),
                    actual: sha256,
                });
            }
            if manifest.key_id != key.key_id() {
                return Err(BackupError::WrongKey {
                    expected: manifest.key_id.clone(),
                    actual: key.key_id().to_string(),
                });
            }
            let db = run_dir.file("restored", "db");
            open_file(&object_path, db.path(), &key, &name, quiet)?;
            step("checking the restored copy", quiet);
            let facts = match &postgres {
                Some(pg) => check_postgres(pg, db.path(), &company_keys)?,
                None => inspect(db.path())?,
            };
            if facts.schema_version != manifest.schema_version {
                return Err(BackupError::SchemaVersionDiffers {
                    expected: manifest.schema_version,
                    actual: facts.schema_version,
                });
            }
            if let Some(diff) = diff_row_counts(&manifest.row_counts, &facts.row_counts) {
                return Err(BackupError::RowCountsDiffer(diff));
            }
            Ok(Checked {
                manifest,
                source,
                db,
                run_dir,
            })
        })
        .await
    }
}

/// Checks a PostgreSQL snapshot by restoring it, with the rows kept beside its dump, into a
/// scratch database; the rows no key opens any more count as held (the backup has them).
fn check_postgres(
    pg: &crate::db::pg::backup::PgDatabase,
    snapshot: &std::path::Path,
    keys: &super::company_seal::CompanyKeys,
) -> Result<DbFacts> {
    super::pg_rows::split(snapshot)?;
    let mut rows = super::pg_rows::Opener::new(snapshot, keys)?;
    let mut facts: DbFacts = pg
        .check_dump(snapshot, &mut rows)
        .map_err(BackupError::Postgres)?
        .into();
    for (table, n) in rows.left_out {
        *facts.row_counts.entry(table).or_default() += n;
    }
    Ok(facts)
}

/// The manifest `<file>.manifest.json` beside a local copy of an object.
async fn read_manifest_beside(path: PathBuf) -> Result<Manifest> {
    blocking(move || {
        let manifest_path = PathBuf::from(format!("{}{MANIFEST_SUFFIX}", path.display()));
        let bytes = match std::fs::read(&manifest_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BackupError::ManifestMissing(path.display().to_string()))
            }
            Err(e) => return Err(BackupError::io("reading the manifest")(e)),
        };
        Manifest::from_json(&manifest_path.display().to_string(), &bytes)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_reads_latest_ids_and_files() {
        assert_eq!(BackupSelector::parse("latest"), BackupSelector::Latest);
        assert_eq!(
            BackupSelector::parse("20261123T030000.000Z-1a2b3c4d"),
            BackupSelector::Id("20261123T030000.000Z-1a2b3c4d".into())
        );
        assert_eq!(
            BackupSelector::parse("1a2b3c4d"),
            BackupSelector::Id("1a2b3c4d".into())
        );
        assert_eq!(
            BackupSelector::parse("./x.db.zst.enc"),
            BackupSelector::File("./x.db.zst.enc".into())
        );
    }
}
