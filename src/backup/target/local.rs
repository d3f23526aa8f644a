//! A directory on this machine. Writes go to `<name>.part`, are fsynced, then renamed, so a
//! crash never leaves a half-written object under its final name.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{target_error, StoredObject};
use crate::backup::error::{BackupError, Result};
use crate::backup::scratch::{create_private, sync_dir};
use crate::backup::threads::blocking;

/// How long a `.part` file must have gone untouched before a sweep takes it for a leftover.
const STALE_PART: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[derive(Debug, Clone)]
pub struct LocalTarget {
    dir: PathBuf,
}

impl LocalTarget {
    pub fn new(dir: PathBuf) -> Self {
        LocalTarget { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn describe(&self) -> String {
        format!("local directory {}", self.dir.display())
    }

    fn fail(&self, op: &str, name: &str) -> impl FnOnce(io::Error) -> BackupError {
        let f = target_error(self.describe(), format!("{op} {name}"));
        move |e| f(e.to_string())
    }

    fn ensure_dir(&self) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)
    }

    /// Removes `<name>.part` files that a killed run left behind. A part still being written
    /// is touched continuously, so only parts untouched for `STALE_PART` go: another process
    /// (`armario backup now` beside the server) may be writing a fresh one.
    fn sweep_stale_parts(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let stale = entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_PART);
            if stale && path.extension().is_some_and(|e| e == "part") {
                match fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::info!(file = %path.display(), "removed a stale partial backup")
                    }
                    Err(e) => {
                        tracing::warn!(file = %path.display(), error = %e, "could not remove a stale partial backup")
                    }
                }
            }
        }
    }

    /// Moves (or copies) `src` into place as `name`, atomically.
    fn install(&self, name: &str, write: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        self.ensure_dir()?;
        self.sweep_stale_parts();
        let part = self.dir.join(format!("{name}.part"));
        let result = write(&part).and_then(|()| {
            fs::File::open(&part)?.sync_all()?;
            fs::rename(&part, self.dir.join(name))?;
            sync_dir(&self.dir)
        });
        if result.is_err() {
            let _ = fs::remove_file(&part);
        }
        result
    }

    pub async fn put_file(&self, name: &str, path: &Path) -> Result<()> {
        let (this, name, path) = (self.clone(), name.to_string(), path.to_path_buf());
        blocking(move || {
            // A hard link is instant when the scratch file is on the same filesystem.
            this.install(&name, |part| {
                fs::hard_link(&path, part).or_else(|_| {
                    io::copy(&mut fs::File::open(&path)?, &mut create_private(part)?).map(|_| ())
                })
            })
            .map_err(this.fail("writing", &name))
        })
        .await
    }

    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        let (this, name) = (self.clone(), name.to_string());
        blocking(move || {
            this.install(&name, |part| fs::write(part, &bytes))
                .map_err(this.fail("writing", &name))
        })
        .await
    }

    pub async fn get_to_file(&self, name: &str, path: &Path) -> Result<bool> {
        let (this, name, path) = (self.clone(), name.to_string(), path.to_path_buf());
        blocking(move || {
            let mut src = match fs::File::open(this.dir.join(&name)) {
                Ok(src) => src,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(this.fail("reading", &name)(e)),
            };
            // Not fs::copy: the copy is owner-only whatever mode the stored object has.
            let mut dst = create_private(&path)
                .map_err(BackupError::io(format!("creating {}", path.display())))?;
            io::copy(&mut src, &mut dst).map_err(this.fail("reading", &name))?;
            Ok(true)
        })
        .await
    }

    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let (this, name) = (self.clone(), name.to_string());
        blocking(move || match fs::read(this.dir.join(&name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(this.fail("reading", &name)(e)),
        })
        .await
    }

    pub async fn get_prefix(&self, name: &str, len: u64) -> Result<Option<Vec<u8>>> {
        let (this, name) = (self.clone(), name.to_string());
        blocking(move || {
            let file = match fs::File::open(this.dir.join(&name)) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(this.fail("reading", &name)(e)),
            };
            let mut bytes = Vec::new();
            io::Read::read_to_end(&mut io::Read::take(file, len), &mut bytes)
                .map_err(this.fail("reading", &name))?;
            Ok(Some(bytes))
        })
        .await
    }

    pub async fn list(&self) -> Result<Vec<StoredObject>> {
        let this = self.clone();
        blocking(move || {
            let entries = match fs::read_dir(&this.dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(this.fail("listing", "")(e)),
            };
            let mut objects = Vec::new();
            for entry in entries {
                let entry = entry.map_err(this.fail("listing", ""))?;
                let meta = entry.metadata().map_err(this.fail("listing", ""))?;
                if let (true, Some(name)) = (meta.is_file(), entry.file_name().to_str()) {
                    objects.push(StoredObject {
                        name: name.to_string(),
                        size: meta.len(),
                    });
                }
            }
            Ok(objects)
        })
        .await
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        let (this, name) = (self.clone(), name.to_string());
        blocking(move || match fs::remove_file(this.dir.join(&name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(this.fail("deleting", &name)(e)),
        })
        .await
    }
}
