//! GraphQL face of webhooks: endpoints, their delivery logs, registration, rotation,
//! disabling and redelivery.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::ServiceClientId,
    service_client,
    webhook_delivery::{self, DeliveryStatus as StoredStatus},
    webhook_endpoint::Model,
};
use serde::Serialize;

use super::service::{self, AllowList, NewEndpoint};
use crate::{
    change_feed::schema::ChangeRecordType,
    client::schema::ServiceClient,
    error::{AppError, AppResult},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, HasId, List, PageRequest, TotalCount},
    },
    policy::Operation,
};

/// A webhook endpoint of a service client.
pub struct Webhook(Model);

/// A webhook endpoint (điểm nhận webhook): where a service client's change-feed entries are
/// pushed, signed with its secret (Standard Webhooks).
#[Object]
impl Webhook {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The service client whose feed it receives.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<ServiceClient>> {
        use sea_orm::EntityTrait;
        Ok(service_client::Entity::find_by_id(self.0.client_id)
            .one(ctx.db()?)
            .await?
            .map(Into::into))
    }

    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The record types it receives (every type when empty).
    async fn types(&self) -> Vec<ChangeRecordType> {
        self.0
            .types
            .split(',')
            .filter_map(ChangeRecordType::of)
            .collect()
    }

    /// Whether it is disabled (deliveries wait until it is enabled again).
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }

    /// When it was disabled.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }

    /// Why: by whom, or after how many failed attempts in a row.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Failed attempts since the last success (disabled at `TTDN_WEBHOOK_DISABLE_AFTER`).
    async fn failure_run(&self) -> i32 {
        self.0.failure_run
    }

    /// Version, for `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The delivery log, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<WebhookDelivery>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let page = PageRequest::parse(first, after.as_deref())?;
        let db = ctx.db()?;
        let rows = service::deliveries(db, self.0.id, &page).await?;
        let total = TotalCount::of(
            db,
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::EndpointId.eq(self.0.id)),
        );
        Ok(rows.into_connection(total))
    }
}

impl HasId for webhook_delivery::Model {
    fn id(&self) -> uuid::Uuid {
        self.id
    }
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: no 2xx within 24 hours (`redeliverWebhook` tries again).
    Failed,
}

impl From<StoredStatus> for WebhookDeliveryStatus {
    fn from(status: StoredStatus) -> Self {
        match status {
            StoredStatus::Pending => Self::Pending,
            StoredStatus::Delivered => Self::Delivered,
            StoredStatus::Failed => Self::Failed,
        }
    }
}

/// One delivery of a change to an endpoint.
pub struct WebhookDelivery(webhook_delivery::Model);

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(model: webhook_delivery::Model) -> Self {
        Self(model)
    }
}

/// One delivery (lần gửi) of a change-feed entry to a webhook endpoint, with its attempts.
#[Object]
impl WebhookDelivery {
    /// Its id: the `webhook-id` header, the same on every attempt.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The id of the record the change is about.
    async fn record_id(&self) -> ID {
        ID(self.0.record_id.to_string())
    }

    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }

    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The HTTP status of the last answer.
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }

    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When last tried.
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }

    /// When it is tried next (while pending).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == StoredStatus::Pending).then_some(self.0.next_attempt_at)
    }

    /// When the receiver accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// The JSON body sent.
    async fn body(&self) -> &str {
        &self.0.payload
    }

    /// When written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Queries of webhooks.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The webhook endpoints of a service client, or of every client the caller looks after
    /// (administrators: all; a department: those of its province), oldest first.
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this client's.")] client_id: Option<ID>,
    ) -> AppResult<Vec<Webhook>> {
        let client = client_id
            .as_ref()
            .map(|id| parse_id("clientId", id).map(ServiceClientId))
            .transpose()?;
        let rows = service::list(ctx.db()?, ctx.actor()?, client).await?;
        Ok(rows.into_iter().map(Webhook).collect())
    }

    /// One webhook endpoint.
    async fn webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its id.")] id: ID,
    ) -> AppResult<Webhook> {
        let id = parse_id("id", &id)?;
        Ok(Webhook(service::get(ctx.db()?, ctx.actor()?, id).await?))
    }
}

/// A new webhook endpoint.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterWebhookInput {
    /// The service client whose change feed it receives.
    client_id: ID,
    /// Where to POST: `https://` (plain `http://` in dev mode only), on a host or network of
    /// `TTDN_WEBHOOK_ALLOWED_HOSTS`.
    url: String,
    /// The record types it receives; every type when empty or not given.
    types: Option<Vec<ChangeRecordType>>,
    /// What it is for, at most 500 characters.
    description: Option<String>,
}

/// An endpoint to act on.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookInput {
    /// The endpoint.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// An endpoint to disable or enable.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetWebhookDisabledInput {
    /// The endpoint.
    id: ID,
    /// Disabled (deliveries wait) or enabled (its failure run starts again, and what waited is
    /// sent).
    disabled: bool,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A delivery to send again.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedeliverWebhookInput {
    /// The delivery (`Webhook.deliveries`).
    delivery_id: ID,
}

/// An endpoint with its secret, shown this once.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The endpoint.
    webhook: Webhook,
    /// The signing secret (`whsec_…`): keep it in the receiver to check `webhook-signature`. It
    /// cannot be shown again; `rotateWebhookSecret` replaces it.
    secret: String,
}

/// An endpoint after a change.
#[derive(SimpleObject)]
pub struct WebhookPayload {
    /// The endpoint.
    webhook: Webhook,
}

/// A delivery after a change.
#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    /// The delivery.
    delivery: WebhookDelivery,
}

fn webhook_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::WebhookManage, "WebhookEndpoint")
}

fn with_secret(value: &(Model, String)) -> uuid::Uuid {
    value.0.id
}

/// Webhook management (administrators; a department for its province's clients).
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a webhook endpoint for a service client; the answer carries its signing
    /// secret, shown once.
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new endpoint.")] input: RegisterWebhookInput,
    ) -> AppResult<WebhookSecretPayload> {
        let allow = ctx.data_opt::<AllowList>().cloned().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("the webhook allow-list is not set"))
        })?;
        let described = webhook_mutation("webhook.register").input(&input);
        let (webhook, secret) = mutation::run(ctx, described, with_secret, move |txn, actor| {
            Box::pin(async move {
                let new = NewEndpoint {
                    client: ServiceClientId(parse_id("clientId", &input.client_id)?),
                    url: input.url,
                    types: input
                        .types
                        .unwrap_or_default()
                        .into_iter()
                        .map(ChangeRecordType::type_name)
                        .collect(),
                    description: input.description,
                };
                service::register(txn, actor, &allow, new).await
            })
        })
        .await?;
        Ok(WebhookSecretPayload {
            webhook: Webhook(webhook),
            secret,
        })
    }

    /// Replaces an endpoint's signing secret; deliveries from now on are signed with the new
    /// one.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint.")] input: WebhookInput,
    ) -> AppResult<WebhookSecretPayload> {
        let described = webhook_mutation("webhook.rotateSecret").on(&input.id);
        let (webhook, secret) = mutation::run(ctx, described, with_secret, move |txn, actor| {
            Box::pin(async move {
                let id = parse_id("id", &input.id)?;
                service::rotate(txn, actor, id, input.expected_version).await
            })
        })
        .await?;
        Ok(WebhookSecretPayload {
            webhook: Webhook(webhook),
            secret,
        })
    }

    /// Disables an endpoint or enables it again.
    async fn set_webhook_disabled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint and its new state.")] input: SetWebhookDisabledInput,
    ) -> AppResult<WebhookPayload> {
        let described = webhook_mutation("webhook.setDisabled")
            .on(&input.id)
            .input(&input);
        let webhook = mutation::run(
            ctx,
            described,
            |m: &Model| m.id,
            move |txn, actor| {
                Box::pin(async move {
                    let id = parse_id("id", &input.id)?;
                    service::set_disabled(txn, actor, id, input.disabled, input.expected_version)
                        .await
                })
            },
        )
        .await?;
        Ok(WebhookPayload {
            webhook: Webhook(webhook),
        })
    }

    /// Sends a delivery again, delivered or given up: pending at once, tried for another day.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery.")] input: RedeliverWebhookInput,
    ) -> AppResult<WebhookDeliveryPayload> {
        let described = webhook_mutation("webhook.redeliver").input(&input);
        let delivery = mutation::run(
            ctx,
            described,
            |d: &webhook_delivery::Model| d.endpoint_id,
            move |txn, actor| {
                Box::pin(async move {
                    let id = parse_id("deliveryId", &input.delivery_id)?;
                    service::redeliver(txn, actor, id).await
                })
            },
        )
        .await?;
        Ok(WebhookDeliveryPayload {
            delivery: delivery.into(),
        })
    }
}
