//! Webhook endpoints of an application and their deliveries (owner only). Thin handlers over
//! `service::webhooks`.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Deserialize;

use crate::api::auth::{Caller, UserAuth};
use crate::api::body::JsonBody;
use crate::api::input::Text;
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{ActionErrors, ChangeErrors, ReadOneErrors};
use crate::api::time::{opt_ts, ts};
use crate::api::Tag;
use crate::db::webhooks::{Delivery, Endpoint};
use crate::ids::ApplicationId;
use crate::service::app_roles::Declarer;
use crate::service::webhooks::{self, EndpointInput, Replay};
use crate::service::AppState;

pub struct WebhooksApi {
    state: AppState,
}

impl WebhooksApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// An endpoint to register.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookEndpointIn {
    /// Where events are posted: `https` to a public address.
    url: Text<2000>,
    /// The event types to send (see the catalogue in the README).
    #[oai(validator(max_items = 32))]
    event_types: Vec<Text<64>>,
    /// Whether events are sent (default true).
    #[serde(default)]
    enabled: Option<bool>,
}

/// What to change on an endpoint; fields left out stay as they are.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookEndpointPatch {
    #[serde(default)]
    url: Option<Text<2000>>,
    #[oai(validator(max_items = 32))]
    #[serde(default)]
    event_types: Option<Vec<Text<64>>>,
    /// Enabling an endpoint disabled for failing clears the failure.
    #[serde(default)]
    enabled: Option<bool>,
}

/// A webhook endpoint (its secret is shown only at creation and rotation).
#[derive(Object)]
pub(crate) struct WebhookEndpoint {
    id: String,
    application_id: String,
    url: String,
    event_types: Vec<String>,
    enabled: bool,
    /// `failing` when armario disabled it after its deliveries failed for three days.
    #[oai(skip_serializing_if_is_none)]
    disabled_reason: Option<String>,
    /// Until when the previous secret also signs, after a rotation.
    #[oai(skip_serializing_if_is_none)]
    previous_secret_until: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Endpoint> for WebhookEndpoint {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            application_id: e.application_id,
            url: e.url,
            event_types: e.event_types,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            previous_secret_until: opt_ts(e.previous_until),
            created_at: ts(e.created_at),
            updated_at: ts(e.updated_at),
        }
    }
}

/// An endpoint with its signing secret, shown this once.
#[derive(Object)]
pub(crate) struct WebhookEndpointWithSecret {
    endpoint: WebhookEndpoint,
    /// `whsec_` and base64: give it to the receiver's Standard Webhooks library.
    secret: String,
}

#[derive(Object)]
pub(crate) struct WebhookEndpointList {
    items: Vec<WebhookEndpoint>,
}

/// One delivery of one event to one endpoint.
#[derive(Object)]
pub(crate) struct WebhookDelivery {
    id: i64,
    event_id: String,
    event_type: String,
    company_id: String,
    /// `pending`, `failed` (will be retried), `delivered` or `dead` (retries exhausted).
    status: String,
    attempts: u32,
    #[oai(skip_serializing_if_is_none)]
    response_code: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    latency_ms: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    last_error: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    next_attempt_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    delivered_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Delivery> for WebhookDelivery {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            company_id: d.company_id,
            status: d.status,
            attempts: d.attempts,
            response_code: d.response_code,
            latency_ms: d.latency_ms,
            last_error: d.last_error,
            created_at: ts(d.created_at),
            next_attempt_at: ts(d.next_attempt_at),
            delivered_at: opt_ts(d.delivered_at),
        }
    }
}

#[derive(Object)]
pub(crate) struct WebhookDeliveryList {
    items: Vec<WebhookDelivery>,
}

#[derive(Enum, Clone, Copy, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReplayStatus {
    Failed,
    Dead,
}

/// Which deliveries to send again.
#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookReplayIn {
    /// Deliveries created at or after this time.
    since: crate::api::input::Timestamp,
    status: ReplayStatus,
}

#[derive(Object)]
pub(crate) struct WebhookReplayOut {
    /// How many deliveries were queued again.
    replayed: u32,
}

fn types(v: Vec<Text<64>>) -> Vec<String> {
    v.into_iter().map(Into::into).collect()
}

impl WebhookEndpointIn {
    pub(crate) fn input(self) -> EndpointInput {
        EndpointInput {
            url: Some(self.url.into()),
            event_types: Some(types(self.event_types)),
            enabled: self.enabled,
        }
    }
}

impl WebhookEndpointPatch {
    pub(crate) fn input(self) -> EndpointInput {
        EndpointInput {
            url: self.url.map(Into::into),
            event_types: self.event_types.map(types),
            enabled: self.enabled,
        }
    }
}

impl WebhookReplayIn {
    pub(crate) fn replay(self) -> Replay {
        let status = match self.status {
            ReplayStatus::Failed => "failed",
            ReplayStatus::Dead => "dead",
        };
        Replay::Since {
            since: self.since.0.timestamp_millis(),
            status,
        }
    }
}

pub(crate) fn with_secret((e, secret): (Endpoint, String)) -> WebhookEndpointWithSecret {
    WebhookEndpointWithSecret {
        endpoint: e.into(),
        secret,
    }
}

pub(crate) fn endpoint_list(items: Vec<Endpoint>) -> WebhookEndpointList {
    WebhookEndpointList {
        items: items.into_iter().map(Into::into).collect(),
    }
}

pub(crate) fn delivery_list(items: Vec<Delivery>) -> WebhookDeliveryList {
    WebhookDeliveryList {
        items: items.into_iter().map(Into::into).collect(),
    }
}

pub(crate) fn replayed(n: usize) -> WebhookReplayOut {
    WebhookReplayOut { replayed: n as u32 }
}

#[OpenApi(tag = "Tag::Applications")]
impl WebhooksApi {
    /// List an application's webhook endpoints.
    ///
    /// Owner only. Secrets are never listed.
    #[oai(
        path = "/applications/:id/webhooks",
        method = "get",
        operation_id = "list_webhook_endpoints"
    )]
    async fn list(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
    ) -> Result<Json<WebhookEndpointList>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        Ok(Json(endpoint_list(
            webhooks::list(&self.state.store, who).await?,
        )))
    }

    /// Register a webhook endpoint.
    ///
    /// Owner only. The URL must be `https` and resolve only to public addresses. The answer
    /// holds the signing secret, shown this once.
    #[oai(
        path = "/applications/:id/webhooks",
        method = "post",
        operation_id = "create_webhook_endpoint"
    )]
    async fn create(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        body: JsonBody<WebhookEndpointIn>,
    ) -> Result<CreatedResponse<WebhookEndpointWithSecret>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let created = webhooks::create(
            &self.state.store,
            &self.state.sealer,
            who,
            body.0.input(),
            self.state.settings.webhooks_allow_private,
        )
        .await?;
        Ok(CreatedResponse::Created(Json(with_secret(created))))
    }

    /// Read a webhook endpoint.
    ///
    /// Owner only.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id",
        method = "get",
        operation_id = "get_webhook_endpoint"
    )]
    async fn get(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<Json<WebhookEndpoint>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        Ok(Json(
            webhooks::get(&self.state.store, who, endpoint_id.0)
                .await?
                .into(),
        ))
    }

    /// Change a webhook endpoint.
    ///
    /// Owner only. A new URL is checked as at registration.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id",
        method = "patch",
        operation_id = "update_webhook_endpoint"
    )]
    async fn update(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        body: JsonBody<WebhookEndpointPatch>,
    ) -> Result<Json<WebhookEndpoint>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        Ok(Json(
            webhooks::update(
                &self.state.store,
                who,
                endpoint_id.0,
                body.0.input(),
                self.state.settings.webhooks_allow_private,
            )
            .await?
            .into(),
        ))
    }

    /// Remove a webhook endpoint.
    ///
    /// Owner only. Its deliveries, sent or not, are removed with it.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id",
        method = "delete",
        operation_id = "delete_webhook_endpoint"
    )]
    async fn delete(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<NoContentResponse, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        webhooks::delete(&self.state.store, who, endpoint_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Rotate a webhook endpoint's signing secret.
    ///
    /// Owner only. The new secret is shown this once; for 24 hours deliveries carry a
    /// signature with each secret, so the receiver can switch at its own pace.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id/rotate-secret",
        method = "post",
        operation_id = "rotate_webhook_secret"
    )]
    async fn rotate(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<Json<WebhookEndpointWithSecret>, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let rotated =
            webhooks::rotate_secret(&self.state.store, &self.state.sealer, who, endpoint_id.0)
                .await?;
        Ok(Json(with_secret(rotated)))
    }

    /// List a webhook endpoint's deliveries.
    ///
    /// Owner only. Newest first; `before` is the id of the last delivery of the previous page.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id/deliveries",
        method = "get",
        operation_id = "list_webhook_deliveries"
    )]
    async fn deliveries(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "9007199254740991")))] before: Query<
            Option<i64>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
    ) -> Result<Json<WebhookDeliveryList>, ReadOneErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let items = webhooks::deliveries(
            &self.state.store,
            who,
            endpoint_id.0,
            before.0,
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(Json(delivery_list(items)))
    }

    /// Send one delivery again.
    ///
    /// Owner only. The delivery is queued now with the same event id; its attempts start over.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id/deliveries/:delivery_id/replay",
        method = "post",
        operation_id = "replay_webhook_delivery"
    )]
    async fn replay_one(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "9007199254740991")))]
        delivery_id: Path<i64>,
    ) -> Result<Json<WebhookReplayOut>, ActionErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let n = webhooks::replay(
            &self.state.store,
            who,
            endpoint_id.0,
            Replay::One(delivery_id.0),
        )
        .await?;
        Ok(Json(replayed(n)))
    }

    /// Send again every failed or dead delivery since a time.
    ///
    /// Owner only. Each is queued now, in its original order per company.
    #[oai(
        path = "/applications/:id/webhooks/:endpoint_id/replay",
        method = "post",
        operation_id = "replay_webhook_deliveries"
    )]
    async fn replay_range(
        &self,
        auth: UserAuth,
        caller: Caller,
        id: Path<ApplicationId>,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        body: JsonBody<WebhookReplayIn>,
    ) -> Result<Json<WebhookReplayOut>, ChangeErrors> {
        let owner = auth.owner(&self.state, &caller).await?;
        let who = Declarer::Owner(&owner, id.0);
        let n = webhooks::replay(&self.state.store, who, endpoint_id.0, body.0.replay()).await?;
        Ok(Json(replayed(n)))
    }
}
