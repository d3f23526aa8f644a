//! Multipart uploads driven step by step (initiate, parts, complete) instead of rust-s3's
//! all-in-one stream upload, because S3-compatible stores differ in how they answer the
//! completion: some (moto before 5.2.5, for one) name the answer's root element
//! `CompleteMultipartUploadResponse` where AWS says `CompleteMultipartUploadResult`, and rust-s3
//! then reports a failure for an object that was in fact stored. Here a 200 whose body cannot be
//! read is settled by asking the store (HEAD) whether the whole object is there, and any failure
//! aborts the upload and removes a half-finished object, so nothing is left in the bucket.

use s3::error::S3Error;
use s3::serde_types::Part;
use s3::Bucket;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;

/// Size of each part but the last; S3 wants at least 5 MiB.
pub const PART_SIZE: usize = 8 << 20;
/// Parts uploaded at once; each holds one part in memory.
const CONCURRENT_PARTS: usize = 4;

/// Why a multipart upload failed, with the step that failed.
#[derive(Debug)]
pub struct UploadError {
    pub step: &'static str,
    pub error: S3Error,
}

impl UploadError {
    fn at(step: &'static str) -> impl FnOnce(S3Error) -> Self {
        move |error| UploadError { step, error }
    }
}

/// Reads up to one part; shorter only at the end of the input.
pub async fn read_part<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut part = Vec::with_capacity(PART_SIZE);
    while part.len() < PART_SIZE {
        let read = (&mut *reader)
            .take((PART_SIZE - part.len()) as u64)
            .read_to_end(&mut part)
            .await?;
        if read == 0 {
            break;
        }
    }
    Ok(part)
}

/// Uploads `first` and the rest of `reader` as the object `key`. On failure the upload is
/// aborted and an object that may have been completed is deleted.
pub async fn upload<R: AsyncRead + Unpin>(
    bucket: &Bucket,
    key: &str,
    content_type: &str,
    first: Vec<u8>,
    reader: &mut R,
) -> Result<(), UploadError> {
    let started = bucket
        .initiate_multipart_upload(key, content_type)
        .await
        .map_err(UploadError::at("starting a multipart upload"))?;
    let upload_id = started.upload_id;
    let result = async {
        let (parts, total) = upload_parts(bucket, key, &upload_id, content_type, first, reader)
            .await
            .map_err(|e| (false, e))?;
        complete(bucket, key, &upload_id, parts, total)
            .await
            .map_err(|e| (true, e))
    }
    .await;
    match result {
        Ok(()) => Ok(()),
        Err((completion_sent, error)) => {
            // Best effort: the original error is the one worth reporting.
            if let Err(e) = bucket.abort_upload(key, &upload_id).await {
                tracing::debug!(error = %e, "aborting the multipart upload");
            }
            if completion_sent {
                let _ = bucket.delete_object(key).await;
            }
            Err(error)
        }
    }
}

async fn upload_parts<R: AsyncRead + Unpin>(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    content_type: &str,
    first: Vec<u8>,
    reader: &mut R,
) -> Result<(Vec<Part>, u64), UploadError> {
    let mut running: JoinSet<Result<Part, S3Error>> = JoinSet::new();
    let mut parts = Vec::new();
    let mut next = Some(first);
    let mut number = 0u32;
    let mut total = 0u64;
    loop {
        while running.len() < CONCURRENT_PARTS {
            let Some(chunk) = next.take().filter(|c| !c.is_empty()) else {
                break;
            };
            let last = chunk.len() < PART_SIZE;
            number += 1;
            total += chunk.len() as u64;
            let (bucket, key, id, ct) = (
                bucket.clone(),
                key.to_string(),
                upload_id.to_string(),
                content_type.to_string(),
            );
            running.spawn(async move {
                bucket
                    .put_multipart_chunk(chunk, &key, number, &id, &ct)
                    .await
            });
            if !last {
                next = Some(read_part(reader).await.map_err(|e| UploadError {
                    step: "reading the file to upload",
                    error: S3Error::Io(e),
                })?);
            }
        }
        // Leaving on an error drops the JoinSet, which cancels the parts still in flight.
        match running.join_next().await {
            Some(Ok(part)) => parts.push(part.map_err(UploadError::at("uploading a part"))?),
            Some(Err(e)) => {
                return Err(UploadError {
                    step: "uploading a part",
                    error: S3Error::Io(std::io::Error::other(e.to_string())),
                })
            }
            None => break,
        }
    }
    parts.sort_by_key(|p| p.part_number);
    Ok((parts, total))
}

/// Completes the upload. A 200 whose body is not the `CompleteMultipartUploadResult` rust-s3
/// expects (nor an `<Error>`) counts as done when the store then shows the whole object.
async fn complete(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    parts: Vec<Part>,
    total: u64,
) -> Result<(), UploadError> {
    let step = "completing the multipart upload";
    let error = match bucket
        .complete_multipart_upload(key, upload_id, parts)
        .await
    {
        Ok(response) if (200..300).contains(&response.status_code()) => return Ok(()),
        Ok(response) => S3Error::HttpFailWithBody(
            response.status_code(),
            String::from_utf8_lossy(response.as_slice()).into_owned(),
        ),
        Err(e) => e,
    };
    let unreadable_success = match &error {
        S3Error::HttpFailWithBody(200, body) => !body.contains("<Error>"),
        S3Error::SerdeXml(_) => true,
        _ => false,
    };
    if !unreadable_success {
        return Err(UploadError { step, error });
    }
    match bucket.head_object(key).await {
        Ok((head, 200)) if head.content_length == Some(total as i64) => {
            tracing::debug!(key, "the store answered the completion in its own words; the object is complete");
            Ok(())
        }
        Ok((head, status)) => Err(UploadError {
            step,
            error: S3Error::HttpFailWithBody(
                status,
                format!(
                    "the store's answer could not be read ({error}) and the object is not complete afterwards: {} of {total} bytes",
                    head.content_length.unwrap_or(0)
                ),
            ),
        }),
        Err(e) => Err(UploadError { step, error: e }),
    }
}
