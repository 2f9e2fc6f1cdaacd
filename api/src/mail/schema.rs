//! GraphQL face of mail subscriptions.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::mail_subscription::Model;

use super::service;
use crate::{error::AppResult, graphql::context::ContextExt};

/// Which notices the signed-in account also gets by e-mail.
#[derive(SimpleObject)]
pub struct MailSubscription {
    /// Where the mail goes.
    address: String,
    /// The notice kinds sent by mail (`obligation.issue`, `report.overdue`…); `["*"]`: all.
    kinds: Vec<String>,
    /// Last change.
    updated_at: DateTime<Utc>,
}

impl From<Model> for MailSubscription {
    fn from(model: Model) -> Self {
        Self {
            address: model.address,
            kinds: model.kinds.split(',').map(str::to_owned).collect(),
            updated_at: model.updated_at,
        }
    }
}

/// Mail subscriptions.
#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// The signed-in account's mail subscription; null when it gets no mail. Mail is sent only
    /// where the server has an SMTP relay (`TTDN_SMTP_URL`).
    async fn mail_subscription(&self, ctx: &Context<'_>) -> AppResult<Option<MailSubscription>> {
        Ok(service::get(ctx.db()?, ctx.actor()?).await?.map(Into::into))
    }
}

/// The mail subscription to keep.
#[derive(InputObject)]
pub struct SetMailSubscriptionInput {
    /// Where to send; null ends the subscription.
    address: Option<String>,
    /// The notice kinds to send by mail (see docs/notifications.md).
    #[graphql(default)]
    kinds: Vec<String>,
    /// Every kind, present and future.
    #[graphql(default = false)]
    all_kinds: bool,
}

/// Result of a change of the mail subscription.
#[derive(SimpleObject)]
pub struct MailSubscriptionPayload {
    /// The subscription now; null when ended.
    mail_subscription: Option<MailSubscription>,
}

/// Changes of mail subscriptions.
#[derive(Default)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sets which notices the signed-in account also gets by e-mail, and where (its own
    /// preference, neither audited nor an event).
    async fn set_mail_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription.")] input: SetMailSubscriptionInput,
    ) -> AppResult<MailSubscriptionPayload> {
        let saved = service::set(
            ctx.db()?,
            ctx.actor()?,
            input.address.as_deref(),
            &input.kinds,
            input.all_kinds,
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(MailSubscriptionPayload {
            mail_subscription: saved.map(Into::into),
        })
    }
}
