//! File-to-file pipelines: snapshot → zstd → sealed object, and back. Everything streams
//! through fixed buffers, so memory use does not grow with the database.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::crypto::{open_error_of, BackupKey, OpenError, OpenReader, SealWriter};
use super::error::{BackupError, Result};
use super::progress::Progress;
use super::scratch::create_private;

/// zstd's first fast level (-1, `zstd --fast=1`): compression is the slowest step of a
/// backup. On the million-company file it took a third less CPU than level 1 (16 against 24
/// s) for output 1.1% larger; level 1 was already about twice as fast as the default 3.
const ZSTD_LEVEL: i32 = -1;

/// zstd's own worker threads, one per core up to four: the thread that feeds them encrypts and
/// hashes what they give back. They inherit the backup thread's lowered priorities.
fn zstd_workers() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
}
const IO_BUF: usize = 1 << 20;

/// What sealing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedFile {
    pub plaintext_size: u64,
    pub encrypted_size: u64,
    /// SHA-256 of the sealed object, lowercase hex.
    pub sha256: String,
}

/// Counts and hashes what passes through to the inner writer.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(data)?;
        self.hasher.update(&data[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the scratch snapshot and tells the kernel to drop from its page cache what has been
/// read: the file is removed once sealed, and its 8 GB of cached pages on a million companies
/// would otherwise be reclaimed one by one by the writes of the sealed object (a quarter of
/// this step's time in a profile when memory was full).
struct ForgetfulReader {
    file: File,
    read: u64,
    forgotten: u64,
}

/// How much is read between two hints to the page cache.
const FORGET_EVERY: u64 = 64 << 20;

impl Read for ForgetfulReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if self.read - self.forgotten >= FORGET_EVERY || n == 0 {
            super::scratch::drop_cached(&self.file, self.read);
            self.forgotten = self.read;
        }
        Ok(n)
    }
}

/// Counts what is read and reports it to a progress line.
struct ProgressReader<'a, R: Read> {
    inner: R,
    progress: &'a mut Progress,
    read: u64,
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.progress.set(self.read);
        Ok(n)
    }
}

/// Compresses and seals `src` into a new file `dst`, hashing the output. `dst` is not flushed:
/// it is scratch, and the target flushes what it stores (a local directory fsyncs its copy).
pub fn seal_file(src: &Path, dst: &Path, key: &BackupKey, quiet: bool) -> Result<SealedFile> {
    let input = File::open(src).map_err(BackupError::io(format!("opening {}", src.display())))?;
    let plaintext_size = input
        .metadata()
        .map_err(BackupError::io("reading the snapshot size"))?
        .len();
    let output =
        create_private(dst).map_err(BackupError::io(format!("creating {}", dst.display())))?;
    let mut progress = Progress::new("compressing and encrypting", plaintext_size, quiet);
    let run = || -> io::Result<(Sha256, u64)> {
        let hashing = HashingWriter {
            inner: BufWriter::with_capacity(IO_BUF, output),
            hasher: Sha256::new(),
            written: 0,
        };
        let sealer = SealWriter::new(hashing, key)?;
        let mut encoder = zstd::stream::Encoder::new(sealer, ZSTD_LEVEL)?;
        encoder.multithread(zstd_workers())?;
        let input = ForgetfulReader {
            file: input,
            read: 0,
            forgotten: 0,
        };
        let mut reader = ProgressReader {
            inner: BufReader::with_capacity(IO_BUF, input),
            progress: &mut progress,
            read: 0,
        };
        io::copy(&mut reader, &mut encoder)?;
        let hashing = encoder.finish()?.finish()?;
        hashing.inner.into_inner().map_err(|e| e.into_error())?;
        Ok((hashing.hasher, hashing.written))
    };
    let (hasher, written) = run().map_err(BackupError::io(format!("writing {}", dst.display())))?;
    progress.done();
    Ok(SealedFile {
        plaintext_size,
        encrypted_size: written,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// SHA-256 and size of a file, streaming.
pub fn hash_file(path: &Path, quiet: bool) -> Result<(String, u64)> {
    let file = File::open(path).map_err(BackupError::io(format!("opening {}", path.display())))?;
    let size = file
        .metadata()
        .map_err(BackupError::io("reading size"))?
        .len();
    let mut progress = Progress::new("checking SHA-256", size, quiet);
    let mut reader = ProgressReader {
        inner: BufReader::with_capacity(IO_BUF, file),
        progress: &mut progress,
        read: 0,
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; IO_BUF];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(BackupError::io(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    progress.done();
    Ok((hex::encode(hasher.finalize()), size))
}

/// Opens and decompresses the sealed object `src` into a new file `dst` (fsynced).
/// `name` is used in error messages. Returns the plaintext size.
pub fn open_file(src: &Path, dst: &Path, key: &BackupKey, name: &str, quiet: bool) -> Result<u64> {
    let input = File::open(src).map_err(BackupError::io(format!("opening {}", src.display())))?;
    let size = input
        .metadata()
        .map_err(BackupError::io("reading size"))?
        .len();
    let output =
        create_private(dst).map_err(BackupError::io(format!("creating {}", dst.display())))?;
    let mut progress = Progress::new("decrypting and decompressing", size, quiet);
    let reader = ProgressReader {
        inner: BufReader::with_capacity(IO_BUF, input),
        progress: &mut progress,
        read: 0,
    };
    let opener = OpenReader::new(reader, key).map_err(|e| classify(e, name))?;
    let mut decoder = zstd::stream::Decoder::new(opener).map_err(|e| classify(e, name))?;
    let mut writer = BufWriter::with_capacity(IO_BUF, output);
    let copied = io::copy(&mut decoder, &mut writer).map_err(|e| classify(e, name))?;
    let file = writer
        .into_inner()
        .map_err(|e| BackupError::io(format!("writing {}", dst.display()))(e.into_error()))?;
    file.sync_all()
        .map_err(BackupError::io(format!("syncing {}", dst.display())))?;
    drop(decoder);
    progress.done();
    Ok(copied)
}

/// Turns an error from the open/decompress pipeline into the check that failed.
fn classify(err: io::Error, name: &str) -> BackupError {
    let name = name.to_string();
    match open_error_of(&err) {
        Some(OpenError::WrongKey { expected, actual }) => BackupError::WrongKey {
            expected: expected.clone(),
            actual: actual.clone(),
        },
        Some(OpenError::Truncated(detail)) => BackupError::Truncated {
            name,
            detail: detail.clone(),
        },
        Some(OpenError::Tampered(detail) | OpenError::BadHeader(detail)) => {
            BackupError::DecryptionFailed {
                name,
                detail: detail.clone(),
            }
        }
        None if err.kind() == io::ErrorKind::InvalidData || err.kind() == io::ErrorKind::Other => {
            BackupError::Decompression {
                name,
                detail: err.to_string(),
            }
        }
        None => BackupError::Io {
            context: format!("restoring {name}"),
            source: err,
        },
    }
}
