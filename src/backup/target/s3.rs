//! An S3-compatible bucket through rust-s3: AWS S3, Cloudflare R2, Backblaze B2, DigitalOcean
//! Spaces, Wasabi and MinIO all speak this one protocol. Big objects stream from and to files;
//! an upload larger than one part (8 MiB) goes up as a multipart upload (see `multipart`).

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use s3::creds::Credentials;
use s3::error::S3Error;
use s3::{Bucket, Region};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{multipart, target_error, StoredObject};
use crate::backup::error::{error_chain, BackupError, Result};
use crate::backup::progress::Progress;
use crate::backup::scratch::create_private;
use crate::backup::settings::S3Settings;

/// Content type of the sealed objects.
const OBJECT_TYPE: &str = "application/octet-stream";
/// Whole-object downloads may take long on slow links; small requests keep rust-s3's 60 s.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(6 * 3600);

#[derive(Debug, Clone)]
pub struct S3Target {
    bucket: Box<Bucket>,
    prefix: String,
    location: String,
}

impl S3Target {
    pub fn new(settings: &S3Settings) -> Result<Self> {
        let invalid = |e: S3Error| BackupError::Settings {
            field: "backup_s3_*",
            reason: error_chain(&e),
        };
        let region = if settings.endpoint.is_empty() {
            settings
                .region
                .parse::<Region>()
                .map_err(|e| BackupError::Settings {
                    field: "backup_s3_region",
                    reason: e.to_string(),
                })?
        } else {
            Region::Custom {
                region: settings.region.clone(),
                endpoint: settings.endpoint.clone(),
            }
        };
        let credentials = Credentials::new(
            Some(&settings.access_key),
            Some(settings.secret_key.expose()),
            None,
            None,
            None,
        )
        .map_err(|e| invalid(e.into()))?;
        let mut bucket = Bucket::new(&settings.bucket, region, credentials).map_err(invalid)?;
        if settings.path_style {
            bucket = bucket.with_path_style();
        }
        let endpoint = if settings.endpoint.is_empty() {
            format!("AWS {}", settings.region)
        } else {
            settings.endpoint.clone()
        };
        Ok(S3Target {
            location: format!("s3://{}/{} at {endpoint}", settings.bucket, settings.prefix),
            bucket,
            prefix: settings.prefix.clone(),
        })
    }

    pub fn describe(&self) -> String {
        self.location.clone()
    }

    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn fail(&self, op: &str, name: &str) -> impl FnOnce(S3Error) -> BackupError {
        let f = target_error(self.describe(), format!("{op} {name}"));
        move |e| f(error_chain(&e))
    }

    pub async fn put_file(&self, name: &str, path: &Path, quiet: bool) -> Result<()> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(BackupError::io(format!("opening {}", path.display())))?;
        let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
        let mut reader = Counting {
            inner: file,
            progress: Progress::new("uploading", size, quiet),
        };
        let first = multipart::read_part(&mut reader)
            .await
            .map_err(BackupError::io(format!("reading {}", path.display())))?;
        if first.len() < multipart::PART_SIZE {
            self.put_object(name, &first, OBJECT_TYPE).await?;
        } else {
            multipart::upload(
                &self.bucket,
                &self.key(name),
                OBJECT_TYPE,
                first,
                &mut reader,
            )
            .await
            .map_err(|e| self.fail(e.step, name)(e.error))?;
        }
        reader.progress.done();
        Ok(())
    }

    async fn put_object(&self, name: &str, bytes: &[u8], content_type: &str) -> Result<()> {
        self.bucket
            .put_object_with_content_type(self.key(name), bytes, content_type)
            .await
            .map_err(self.fail("uploading", name))?;
        Ok(())
    }

    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.put_object(name, &bytes, "application/json").await
    }

    pub async fn get_to_file(&self, name: &str, path: &Path, quiet: bool) -> Result<bool> {
        let file = create_private(path)
            .map(tokio::fs::File::from_std)
            .map_err(BackupError::io(format!("creating {}", path.display())))?;
        let mut writer = Counting {
            inner: file,
            progress: Progress::new("downloading", 0, quiet),
        };
        let bucket = self
            .bucket
            .with_request_timeout(DOWNLOAD_TIMEOUT)
            .map_err(self.fail("downloading", name))?;
        match bucket
            .get_object_to_writer(self.key(name), &mut writer)
            .await
        {
            Ok(_) => {}
            Err(S3Error::HttpFailWithBody(404, _)) => return Ok(false),
            Err(e) => return Err(self.fail("downloading", name)(e)),
        }
        writer.progress.done();
        writer
            .inner
            .sync_all()
            .await
            .map_err(BackupError::io(format!("syncing {}", path.display())))?;
        Ok(true)
    }

    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.bucket.get_object(self.key(name)).await {
            Ok(data) => Ok(Some(data.to_vec())),
            Err(S3Error::HttpFailWithBody(404, _)) => Ok(None),
            Err(e) => Err(self.fail("downloading", name)(e)),
        }
    }

    pub async fn get_prefix(&self, name: &str, len: u64) -> Result<Option<Vec<u8>>> {
        let last = len.max(1) - 1;
        match self
            .bucket
            .get_object_range(self.key(name), 0, Some(last))
            .await
        {
            Ok(data) => {
                let mut bytes = data.to_vec();
                // A store that ignores the range sends the whole object; `len` 0 asked for one.
                bytes.truncate(len as usize);
                Ok(Some(bytes))
            }
            Err(S3Error::HttpFailWithBody(404, _)) => Ok(None),
            // The range starts past the end: the object is empty.
            Err(S3Error::HttpFailWithBody(416, _)) => Ok(Some(Vec::new())),
            Err(e) => Err(self.fail("downloading", name)(e)),
        }
    }

    pub async fn list(&self) -> Result<Vec<StoredObject>> {
        let pages = self
            .bucket
            .list(self.prefix.clone(), None)
            .await
            .map_err(self.fail("listing", &self.prefix))?;
        let objects = pages
            .into_iter()
            .flat_map(|page| page.contents)
            .filter_map(|object| {
                let name = object.key.strip_prefix(&self.prefix)?;
                (!name.is_empty() && !name.contains('/')).then(|| StoredObject {
                    name: name.to_string(),
                    size: object.size,
                })
            })
            .collect();
        Ok(objects)
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        match self.bucket.delete_object(self.key(name)).await {
            Ok(_) | Err(S3Error::HttpFailWithBody(404, _)) => Ok(()),
            Err(e) => Err(self.fail("deleting", name)(e)),
        }
    }
}

/// Passes bytes through while moving a progress line.
struct Counting<T> {
    inner: T,
    progress: Progress,
}

impl<T: AsyncRead + Unpin> AsyncRead for Counting<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = (buf.filled().len() - before) as u64;
        self.progress.add(read);
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counting<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = poll {
            self.progress.add(n as u64);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
