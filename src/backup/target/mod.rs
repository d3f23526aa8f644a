//! Where backup objects live: a local directory or an S3-compatible bucket. Names given to a
//! target are relative (`armario-<id>.db.zst.enc`); an S3 target adds its prefix.

mod local;
mod multipart;
mod s3;

use std::path::Path;

pub use local::LocalTarget;
pub use s3::S3Target;

use super::error::{BackupError, Result};
use super::settings::TargetSettings;

/// One stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Name relative to the target's prefix.
    pub name: String,
    pub size: u64,
}

/// A storage target for backup objects.
#[derive(Debug, Clone)]
pub enum Target {
    Local(LocalTarget),
    S3(S3Target),
}

impl Target {
    pub fn from_settings(settings: &TargetSettings) -> Result<Self> {
        Ok(match settings {
            TargetSettings::Local { dir } => Target::Local(LocalTarget::new(dir.clone())),
            TargetSettings::S3(s3) => Target::S3(S3Target::new(s3)?),
        })
    }

    /// Human-readable location, for messages and reports (never includes credentials).
    pub fn describe(&self) -> String {
        match self {
            Target::Local(t) => t.describe(),
            Target::S3(t) => t.describe(),
        }
    }

    /// The full name of `name`: its path for a local directory, its key for a bucket.
    pub fn full_name(&self, name: &str) -> String {
        match self {
            Target::Local(t) => t.dir().join(name).display().to_string(),
            Target::S3(t) => t.key(name),
        }
    }

    /// Uploads the file at `path` as `name`, streaming it (multipart on S3).
    pub async fn put_file(&self, name: &str, path: &Path, quiet: bool) -> Result<()> {
        match self {
            Target::Local(t) => t.put_file(name, path).await,
            Target::S3(t) => t.put_file(name, path, quiet).await,
        }
    }

    /// Stores a small object.
    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Target::Local(t) => t.put_bytes(name, bytes).await,
            Target::S3(t) => t.put_bytes(name, bytes).await,
        }
    }

    /// Downloads `name` into a new file at `path`. `Ok(false)` when there is no such object.
    pub async fn get_to_file(&self, name: &str, path: &Path, quiet: bool) -> Result<bool> {
        match self {
            Target::Local(t) => t.get_to_file(name, path).await,
            Target::S3(t) => t.get_to_file(name, path, quiet).await,
        }
    }

    /// Reads a small object; `None` when there is no such object.
    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Target::Local(t) => t.get_bytes(name).await,
            Target::S3(t) => t.get_bytes(name).await,
        }
    }

    /// The first `len` bytes of `name` (all of it when it is shorter); `None` when there is no
    /// such object.
    pub async fn get_prefix(&self, name: &str, len: u64) -> Result<Option<Vec<u8>>> {
        match self {
            Target::Local(t) => t.get_prefix(name, len).await,
            Target::S3(t) => t.get_prefix(name, len).await,
        }
    }

    /// Every object under the target (directly under the prefix), in name order.
    pub async fn list(&self) -> Result<Vec<StoredObject>> {
        let mut objects = match self {
            Target::Local(t) => t.list().await?,
            Target::S3(t) => t.list().await?,
        };
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    /// Deletes `name`; deleting what is not there is not an error.
    pub async fn delete(&self, name: &str) -> Result<()> {
        match self {
            Target::Local(t) => t.delete(name).await,
            Target::S3(t) => t.delete(name).await,
        }
    }
}

pub(crate) fn target_error(
    target: String,
    op: impl Into<String>,
) -> impl FnOnce(String) -> BackupError {
    let op = op.into();
    move |reason| BackupError::Target { target, op, reason }
}
