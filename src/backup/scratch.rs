//! Scratch space for backup runs: `<data_dir>/scratch/run-<tag>/`, one private directory per run
//! (mode 0700, files 0600), locked while its run lives and removed when the run ends, however it
//! ends. A run killed with SIGKILL leaves its directory behind with the lock released; the next
//! sweep (at start, and before every run) removes it, while the directory of a run still going
//! on in another process (the CLI beside a server) stays, because its lock is held.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use crate::datadir::SCRATCH_DIR;

/// A run's private scratch directory, removed with everything in it when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    // The flock on the directory itself tells sweeps in other processes that it is in use.
    _lock: File,
}

impl ScratchDir {
    /// Creates and locks a fresh run directory under `<data_dir>/scratch/`.
    pub fn create(data_dir: &Path) -> io::Result<Self> {
        let root = data_dir.join(SCRATCH_DIR);
        make_private_dir(&root, true)?;
        loop {
            let tag = &uuid::Uuid::new_v4().simple().to_string()[..12];
            let path = root.join(format!("run-{tag}"));
            make_private_dir(&path, false)?;
            let lock = File::open(&path)?;
            lock.lock()?;
            // A sweep may have taken the lock between mkdir and ours and removed the folder:
            // only a directory still reachable under its name is ours.
            if same_inode(&lock, &path) {
                return Ok(ScratchDir { path, _lock: lock });
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A guard for the path `<run dir>/<stem>.<ext>`; the file itself is not created.
    pub fn file(&self, stem: &str, ext: &str) -> ScratchFile {
        ScratchFile {
            path: self.path.join(format!("{stem}.{ext}")),
            armed: true,
        }
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(dir = %self.path.display(), error = %e, "could not remove a backup scratch directory");
            }
        }
    }
}

/// A path removed when dropped (with SQLite's side files), unless [`ScratchFile::keep`] was
/// called; lets a run drop a clear-text copy as soon as it is no longer needed.
#[derive(Debug)]
pub struct ScratchFile {
    path: PathBuf,
    armed: bool,
}

impl ScratchFile {
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
                let _ = fs::remove_file(PathBuf::from(p));
            }
        }
    }
}

/// Creates a new file readable and writable by its owner only (0600); fails if it exists.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Restricts an existing file to its owner (0600).
pub fn make_owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn make_private_dir(path: &Path, may_exist: bool) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(path) {
        Ok(()) => Ok(()),
        Err(e) if may_exist && e.kind() == io::ErrorKind::AlreadyExists => {
            // Made by an older version or by hand: tighten it anyway.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn same_inode(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub entries: usize,
    pub bytes: u64,
}

/// Removes what killed runs left: every unlocked run directory under `<data_dir>/scratch/`, and
/// the `.backup-*` files that versions before the scratch directory left in the data directory
/// itself. Never fails: a sweep that cannot remove something says so in the log.
pub fn sweep(data_dir: &Path) -> Swept {
    let mut swept = Swept::default();
    if let Ok(entries) = fs::read_dir(data_dir.join(SCRATCH_DIR)) {
        for entry in entries.flatten() {
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let lock = if is_dir {
                match File::open(&path).map(|f| (f.try_lock(), f)) {
                    Ok((Ok(()), f)) => Some(f),
                    // In use by a live run, here or in another process.
                    Ok((Err(TryLockError::WouldBlock), _)) => continue,
                    Ok((Err(TryLockError::Error(_)), _)) | Err(_) => None,
                }
            } else {
                None
            };
            remove(&path, is_dir, &mut swept);
            drop(lock);
        }
    }
    if let Ok(entries) = fs::read_dir(data_dir) {
        for entry in entries.flatten() {
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && entry.file_name().to_string_lossy().starts_with(".backup-") {
                remove(&entry.path(), false, &mut swept);
            }
        }
    }
    if swept.entries > 0 {
        tracing::warn!(
            entries = swept.entries,
            bytes = swept.bytes,
            "removed scratch files that interrupted backup runs left behind"
        );
    }
    swept
}

fn remove(path: &Path, is_dir: bool, swept: &mut Swept) {
    let bytes = size_of(path);
    let result = if is_dir {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Ok(()) => {
            swept.entries += 1;
            swept.bytes += bytes;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "could not remove a backup scratch file")
        }
    }
}

fn size_of(path: &Path) -> u64 {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::read_dir(path)
            .map(|d| d.flatten().map(|e| size_of(&e.path())).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

/// Fsyncs a directory so a rename inside it survives power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Tells the kernel that the first `len` bytes of `file` will not be read again, so their
/// cached pages are the first to go. A hint: it fails silently.
#[cfg(target_os = "linux")]
// posix_fadvise is exposed by the libc crate only as an unsafe function.
#[allow(unsafe_code)]
pub fn drop_cached(file: &std::fs::File, len: u64) {
    use std::os::fd::AsRawFd;
    let len = libc::off_t::try_from(len).unwrap_or(libc::off_t::MAX);
    // SAFETY: the descriptor is open for the call's duration and no memory of ours is passed.
    unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, len, libc::POSIX_FADV_DONTNEED) };
}

#[cfg(not(target_os = "linux"))]
pub fn drop_cached(_file: &std::fs::File, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_directory_is_private_and_a_sweep_spares_it_while_it_lives() {
        let data = tempfile::tempdir().unwrap();
        let run = ScratchDir::create(data.path()).unwrap();
        let file = run.file("snapshot", "db");
        create_private(file.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&data.path().join(SCRATCH_DIR)), 0o700);
            assert_eq!(mode(run.path()), 0o700);
            assert_eq!(mode(file.path()), 0o600);
        }
        assert_eq!(sweep(data.path()), Swept::default());
        assert!(file.path().exists());
        let dir = run.path().to_path_buf();
        drop(file);
        drop(run);
        assert!(!dir.exists());
    }

    #[test]
    fn a_sweep_removes_unlocked_runs_and_old_layout_files() {
        let data = tempfile::tempdir().unwrap();
        let dead = data.path().join(SCRATCH_DIR).join("run-dead");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join("snapshot.db"), b"clear text").unwrap();
        fs::write(data.path().join(".backup-snapshot-1.db"), b"old").unwrap();
        fs::write(data.path().join("armario.db"), b"live").unwrap();
        let swept = sweep(data.path());
        assert_eq!(swept.entries, 2);
        assert_eq!(swept.bytes, 13);
        assert!(!dead.exists());
        assert!(data.path().join("armario.db").exists());
    }
}
