//! The calling application's own webhook endpoints: the owner's routes under
//! `/applications/{id}/webhooks`, for the application itself with its key. The same checks,
//! limits and audit, with the application as the actor.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use crate::api::app_auth::AppAuth;
use crate::api::auth::Caller;
use crate::api::body::JsonBody;
use crate::api::session::{CreatedResponse, NoContentResponse};
use crate::api::statuses::{AppEndpointActionErrors, AppEndpointChangeErrors, AppLookupErrors};
use crate::api::webhooks::{
    delivery_list, endpoint_list, replayed, with_secret, WebhookDeliveryList, WebhookEndpoint,
    WebhookEndpointIn, WebhookEndpointList, WebhookEndpointPatch, WebhookEndpointWithSecret,
    WebhookReplayIn, WebhookReplayOut,
};
use crate::api::Tag;
use crate::service::app_roles::Declarer;
use crate::service::webhooks::{self, Replay};
use crate::service::AppState;

pub struct AppWebhooksApi {
    state: AppState,
}

impl AppWebhooksApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(tag = "Tag::App")]
impl AppWebhooksApi {
    /// List the calling application's webhook endpoints.
    ///
    /// Secrets are never listed.
    #[oai(
        path = "/app/webhooks",
        method = "get",
        operation_id = "list_own_webhook_endpoints"
    )]
    async fn list(
        &self,
        auth: AppAuth,
        caller: Caller,
    ) -> Result<Json<WebhookEndpointList>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let items = webhooks::list(&self.state.store, Declarer::App(&app)).await?;
        Ok(Json(endpoint_list(items)))
    }

    /// Register a webhook endpoint for the calling application.
    ///
    /// As the owner's `POST /applications/{id}/webhooks`: the URL must be `https` to public
    /// addresses, at most 10 endpoints (409), and the answer holds the signing secret, shown
    /// this once.
    #[oai(
        path = "/app/webhooks",
        method = "post",
        operation_id = "create_own_webhook_endpoint"
    )]
    async fn create(
        &self,
        auth: AppAuth,
        caller: Caller,
        body: JsonBody<WebhookEndpointIn>,
    ) -> Result<CreatedResponse<WebhookEndpointWithSecret>, AppEndpointChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        let created = webhooks::create(
            &self.state.store,
            &self.state.sealer,
            Declarer::App(&app),
            body.0.input(),
            self.state.settings.webhooks_allow_private,
        )
        .await?;
        Ok(CreatedResponse::Created(Json(with_secret(created))))
    }

    /// Read one of the calling application's webhook endpoints.
    ///
    /// Another application's endpoint is a 404.
    #[oai(
        path = "/app/webhooks/:endpoint_id",
        method = "get",
        operation_id = "get_own_webhook_endpoint"
    )]
    async fn get(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<Json<WebhookEndpoint>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let e = webhooks::get(&self.state.store, Declarer::App(&app), endpoint_id.0).await?;
        Ok(Json(e.into()))
    }

    /// Change one of the calling application's webhook endpoints.
    ///
    /// A new URL is checked as at registration; enabling an endpoint disabled for failing
    /// clears the failure.
    #[oai(
        path = "/app/webhooks/:endpoint_id",
        method = "patch",
        operation_id = "update_own_webhook_endpoint"
    )]
    async fn update(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        body: JsonBody<WebhookEndpointPatch>,
    ) -> Result<Json<WebhookEndpoint>, AppEndpointChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        let e = webhooks::update(
            &self.state.store,
            Declarer::App(&app),
            endpoint_id.0,
            body.0.input(),
            self.state.settings.webhooks_allow_private,
        )
        .await?;
        Ok(Json(e.into()))
    }

    /// Remove one of the calling application's webhook endpoints.
    ///
    /// Its deliveries, sent or not, are removed with it.
    #[oai(
        path = "/app/webhooks/:endpoint_id",
        method = "delete",
        operation_id = "delete_own_webhook_endpoint"
    )]
    async fn delete(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<NoContentResponse, AppEndpointActionErrors> {
        let app = auth.app(&self.state, &caller)?;
        webhooks::delete(&self.state.store, Declarer::App(&app), endpoint_id.0).await?;
        Ok(NoContentResponse::Done)
    }

    /// Rotate the signing secret of one of the calling application's endpoints.
    ///
    /// The new secret is shown this once; for 24 hours deliveries carry a signature with each.
    #[oai(
        path = "/app/webhooks/:endpoint_id/rotate-secret",
        method = "post",
        operation_id = "rotate_own_webhook_secret"
    )]
    async fn rotate(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
    ) -> Result<Json<WebhookEndpointWithSecret>, AppEndpointActionErrors> {
        let app = auth.app(&self.state, &caller)?;
        let rotated = webhooks::rotate_secret(
            &self.state.store,
            &self.state.sealer,
            Declarer::App(&app),
            endpoint_id.0,
        )
        .await?;
        Ok(Json(with_secret(rotated)))
    }

    /// List the deliveries of one of the calling application's endpoints.
    ///
    /// Newest first; `before` is the id of the last delivery of the previous page.
    #[oai(
        path = "/app/webhooks/:endpoint_id/deliveries",
        method = "get",
        operation_id = "list_own_webhook_deliveries"
    )]
    async fn deliveries(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "9007199254740991")))] before: Query<
            Option<i64>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
    ) -> Result<Json<WebhookDeliveryList>, AppLookupErrors> {
        let app = auth.app(&self.state, &caller)?;
        let items = webhooks::deliveries(
            &self.state.store,
            Declarer::App(&app),
            endpoint_id.0,
            before.0,
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(Json(delivery_list(items)))
    }

    /// Send one delivery of the calling application's endpoint again.
    ///
    /// Queued now with the same event id; its attempts start over.
    #[oai(
        path = "/app/webhooks/:endpoint_id/deliveries/:delivery_id/replay",
        method = "post",
        operation_id = "replay_own_webhook_delivery"
    )]
    async fn replay_one(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "9007199254740991")))]
        delivery_id: Path<i64>,
    ) -> Result<Json<WebhookReplayOut>, AppEndpointActionErrors> {
        let app = auth.app(&self.state, &caller)?;
        let what = Replay::One(delivery_id.0);
        let n =
            webhooks::replay(&self.state.store, Declarer::App(&app), endpoint_id.0, what).await?;
        Ok(Json(replayed(n)))
    }

    /// Send again the failed or dead deliveries of an own endpoint since a time.
    ///
    /// Each is queued now, in its original order per company.
    #[oai(
        path = "/app/webhooks/:endpoint_id/replay",
        method = "post",
        operation_id = "replay_own_webhook_deliveries"
    )]
    async fn replay_range(
        &self,
        auth: AppAuth,
        caller: Caller,
        #[oai(validator(max_length = 64))] endpoint_id: Path<String>,
        body: JsonBody<WebhookReplayIn>,
    ) -> Result<Json<WebhookReplayOut>, AppEndpointChangeErrors> {
        let app = auth.app(&self.state, &caller)?;
        let what = body.0.replay();
        let n =
            webhooks::replay(&self.state.store, Declarer::App(&app), endpoint_id.0, what).await?;
        Ok(Json(replayed(n)))
    }
}
