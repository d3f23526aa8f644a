//! Temporary files that remove themselves, so a failed run leaves no half-written snapshot
//! (which could hold secrets in clear) behind in the data directory.

use std::path::{Path, PathBuf};

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
