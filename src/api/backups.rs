//! Backups: the record of runs, and taking one now (owner only).

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use crate::api::auth::{Caller, UserAuth};
use crate::api::enums::BackupTrigger;
use crate::api::input::{Text, CURSOR_MAX};
use crate::api::statuses::{BackupErrors, ListErrors};
use crate::api::time::ts;
use crate::api::Tag;
use crate::backup::{BackupReport, BackupStatus};
use crate::db::backups::BackupRun;
use crate::domain::page_size;
use crate::service::{backups, AppState};

pub struct BackupsApi {
    state: AppState,
}

impl BackupsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
enum RunStatus {
    Succeeded,
    Failed,
}

/// One backup run.
#[derive(Object)]
#[oai(rename = "BackupRun")]
struct BackupRunOut {
    id: String,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    status: RunStatus,
    /// Bytes stored (compressed and encrypted).
    #[oai(skip_serializing_if_is_none)]
    size: Option<i64>,
    /// The object's key in the bucket, or its path in the local directory.
    #[oai(skip_serializing_if_is_none)]
    object_name: Option<String>,
    /// Why it failed.
    #[oai(skip_serializing_if_is_none)]
    error: Option<String>,
    trigger: BackupTrigger,
}

impl From<BackupRun> for BackupRunOut {
    fn from(r: BackupRun) -> Self {
        Self {
            id: r.id,
            started_at: ts(r.started_at),
            finished_at: ts(r.finished_at),
            status: if r.succeeded {
                RunStatus::Succeeded
            } else {
                RunStatus::Failed
            },
            size: r.size,
            object_name: r.object_name,
            error: r.error,
            trigger: BackupTrigger::from_stored(&r.trigger),
        }
    }
}

impl From<BackupReport> for BackupRunOut {
    fn from(r: BackupReport) -> Self {
        Self {
            id: r.id.as_str().to_string(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: if r.status == BackupStatus::Succeeded {
                RunStatus::Succeeded
            } else {
                RunStatus::Failed
            },
            size: r.size.map(|s| s as i64),
            object_name: r.object_name,
            error: r.error,
            trigger: BackupTrigger::Api,
        }
    }
}

/// A page of runs, newest first, and where backups go.
#[derive(Object)]
struct BackupList {
    items: Vec<BackupRunOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
    /// The target, without credentials (a local directory or an S3 bucket and prefix).
    target: String,
    #[oai(skip_serializing_if_is_none)]
    last_good_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
enum TakeResponse {
    /// The run finished; `status` says whether it succeeded.
    #[oai(status = 201)]
    Done(Json<BackupRunOut>),
}

#[OpenApi(tag = "Tag::Backups")]
impl BackupsApi {
    /// List recent backup runs.
    ///
    /// Owner only. Newest first, with the target (without credentials) and when the last good
    /// backup was taken.
    #[oai(path = "/backups", method = "get", operation_id = "list_backups")]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        /// Page size, 1 to 200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page, as given (cursors are opaque).
        cursor: Query<Option<Text<CURSOR_MAX>>>,
    ) -> Result<Json<BackupList>, ListErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let limit = page_size(limit.0)?;
        let page =
            backups::recent(&self.state.store, &owner, cursor.0.map(Into::into), limit).await?;
        let last_good_at = backups::last_good(&self.state.store)
            .await?
            .map(|r| ts(r.finished_at));
        Ok(Json(BackupList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            target: backups::describe_target(&self.state.backups),
            last_good_at,
        }))
    }

    /// Take a backup now and wait until it is stored.
    ///
    /// Owner only. 409 while another run is in progress. A run that fails is answered, and
    /// recorded, with `status: failed` and its reason. The stored backup's verification
    /// (checksum, decryption, `integrity_check`, row counts) follows in the background and is
    /// audited as `backup.verified` or `backup.verification_failed`; a backup that fails it is
    /// recorded as a failed run.
    #[oai(path = "/backups", method = "post", operation_id = "take_backup")]
    async fn take(&self, auth: UserAuth, caller: Caller) -> Result<TakeResponse, BackupErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let s = &self.state;
        let report = backups::take_now(&s.backups, &s.metrics, &s.store, &owner).await?;
        Ok(TakeResponse::Done(Json(report.into())))
    }
}
