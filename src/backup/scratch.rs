//! Temporary files that remove themselves, so a failed run leaves no half-written snapshot
//! (which could hold secrets in clear) behind in the data directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A path removed when dropped, unless [`ScratchFile::keep`] was called.
#[derive(Debug)]
pub struct ScratchFile {
    path: PathBuf,
    armed: bool,
}

impl ScratchFile {
    /// A fresh path `dir/.<stem>-<random>.<ext>`; the file itself is not created.
    pub fn new_in(dir: &Path, stem: &str, ext: &str) -> Self {
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..12];
        ScratchFile {
            path: dir.join(format!(".{stem}-{tag}.{ext}")),
            armed: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Disarms the guard (the file was renamed into place) and returns the path.
    pub fn keep(mut self) -> PathBuf {
        self.armed = false;
        std::mem::take(&mut self.path)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        if self.armed {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
    }
}

/// Fsyncs a directory so a rename inside it survives power loss.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes scratch files (`.backup-*`) older than `max_age` that a crashed run left in `dir`;
/// younger ones may belong to a run in another process (the CLI beside a server).
pub fn sweep_stale(dir: &Path, max_age: Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(".backup-") {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified());
        let old = modified.is_ok_and(|t| now.duration_since(t).unwrap_or_default() > max_age);
        if old {
            tracing::warn!(file = %entry.path().display(), "removing a stale backup scratch file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
