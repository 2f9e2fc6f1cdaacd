//! GraphQL face of notices.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::notification::Model;

use super::service;
use crate::{
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        extension::Locale,
        pagination::{List, PageRequest},
    },
};

/// A notice for the signed-in account.
pub struct Notification(Model);

impl From<Model> for Notification {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A notice (thông báo): what an event means for the signed-in account, in its language
/// (`Accept-Language`), with the record it is about.
#[Object]
impl Notification {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What happened: the operation that made the change (`obligation.issue`, `report.submit`,
    /// `pressEvent.announce`…; see docs/notifications.md).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// Title.
    async fn title(&self, ctx: &Context<'_>) -> &str {
        match ctx.locale() {
            Locale::Vi => &self.0.title_vi,
            Locale::En => &self.0.title_en,
        }
    }

    /// Text.
    async fn text(&self, ctx: &Context<'_>) -> &str {
        match ctx.locale() {
            Locale::Vi => &self.0.body_vi,
            Locale::En => &self.0.body_en,
        }
    }

    /// Type of the record (`ReportingObligation`, `Report`, `PressEvent`…).
    async fn record_type(&self) -> &str {
        &self.0.record_type
    }

    /// The record's id, for `node(id:)` (for a `PlanTask`, the task: its plan is `planTask`).
    async fn record_id(&self) -> ID {
        ID(self.0.record_id.to_string())
    }

    /// When the notice was given.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was marked read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

/// Notices.
#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The signed-in account's notices, newest first (a person's account; service clients have
    /// none). A notice about a record the account can no longer read is left out of the page,
    /// which may then hold fewer than `first`; `totalCount` counts every notice addressed to
    /// the account (with `unreadOnly`, the unread ones).
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones (default: all).")] unread_only: Option<bool>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Notification>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let (found, total) =
            service::list(ctx.db()?, ctx.actor()?, unread_only.unwrap_or(false), &page).await?;
        Ok(found.into_connection(total))
    }

    /// How many of the signed-in account's notices are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        service::unread_count(ctx.db()?, ctx.actor()?).await
    }
}

/// Which notices to mark read.
#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    /// These notices.
    ids: Option<Vec<ID>>,
    /// All of the account's notices.
    #[graphql(default = false)]
    all: bool,
}

/// Result of marking notices read.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// How many were unread and are now read.
    marked: u64,
    /// How many remain unread.
    unread_count: u64,
}

/// Changes to notices.
#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks notices read: the listed ones, or all. Personal state, not a change of a record:
    /// it is neither audited nor an event.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The notices.")] input: MarkNotificationsReadInput,
    ) -> AppResult<MarkNotificationsReadPayload> {
        let (db, actor) = (ctx.db()?, ctx.actor()?);
        let ids = match (input.ids, input.all) {
            (None, true) => None,
            (Some(ids), false) if !ids.is_empty() && ids.len() <= 1000 => Some(
                ids.iter()
                    .map(|id| parse_id("ids", id))
                    .collect::<AppResult<Vec<_>>>()
                    .map_err(|e| e.under("input"))?,
            ),
            _ => {
                return Err(AppError::bad_input(
                    "input.ids",
                    Msg::new(
                        "Cần danh sách thông báo (1–1000) hoặc all: true, không cả hai",
                        "Give the notices (1–1000) or all: true, not both",
                    ),
                ));
            }
        };
        let marked = service::mark_read(db, actor, ids.as_deref()).await?;
        let unread_count = service::unread_count(db, actor).await?;
        Ok(MarkNotificationsReadPayload {
            marked,
            unread_count,
        })
    }
}
