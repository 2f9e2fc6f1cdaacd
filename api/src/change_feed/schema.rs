//! GraphQL face of the change feed: `changes(after, types, first)`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::change_entry;

use super::service::{self, Change, FeedCursor, Retention};
use crate::{
    error::{AppError, AppResult, Msg},
    graphql::{
        context::ContextExt,
        node::{self, Node},
    },
};

/// Most entries one read returns (as a list's page).
pub const MAX_FEED_PAGE: i32 = crate::graphql::pagination::MAX_PAGE_SIZE as i32;
/// Entries one read returns when `first` is not given.
pub const DEFAULT_FEED_PAGE: i32 = 100;

/// What happened to a record.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The change created it: add it.
    Created,
    /// The change changed it: read it again (`node`).
    Updated,
    /// The change closed, cancelled, withdrew or ended it; it stays readable with its state
    /// (a withdrawn release, a closed agency, an ended term).
    Closed,
    /// You could read it and can no longer (it moved out of your scope, its audience narrowed,
    /// your scopes changed): remove it. Only its id is given.
    LeftScope,
}

impl From<Change> for ChangeKind {
    fn from(change: Change) -> Self {
        match change {
            Change::Created => ChangeKind::Created,
            Change::Updated => ChangeKind::Updated,
            Change::Closed => ChangeKind::Closed,
            Change::LeftScope => ChangeKind::LeftScope,
        }
    }
}

/// The types of record the change feed follows.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeRecordType {
    /// `Agency`.
    Agency,
    /// `User` (accounts).
    User,
    /// `Spokesperson`.
    Spokesperson,
    /// `PressEvent`.
    PressEvent,
    /// `InformationRelease`.
    InformationRelease,
    /// `PressRequest`.
    PressRequest,
    /// `ReportingObligation`.
    ReportingObligation,
    /// `Report`.
    Report,
    /// `Incident`.
    Incident,
    /// `TrainingSession`.
    TrainingSession,
    /// `Plan`.
    Plan,
    /// `PlanTask`.
    PlanTask,
}

impl ChangeRecordType {
    /// Every type.
    const ALL: [ChangeRecordType; 12] = [
        ChangeRecordType::Agency,
        ChangeRecordType::User,
        ChangeRecordType::Spokesperson,
        ChangeRecordType::PressEvent,
        ChangeRecordType::InformationRelease,
        ChangeRecordType::PressRequest,
        ChangeRecordType::ReportingObligation,
        ChangeRecordType::Report,
        ChangeRecordType::Incident,
        ChangeRecordType::TrainingSession,
        ChangeRecordType::Plan,
        ChangeRecordType::PlanTask,
    ];

    /// The GraphQL type name, as events and entries store it.
    pub fn type_name(self) -> &'static str {
        match self {
            ChangeRecordType::Agency => "Agency",
            ChangeRecordType::User => "User",
            ChangeRecordType::Spokesperson => "Spokesperson",
            ChangeRecordType::PressEvent => "PressEvent",
            ChangeRecordType::InformationRelease => "InformationRelease",
            ChangeRecordType::PressRequest => "PressRequest",
            ChangeRecordType::ReportingObligation => "ReportingObligation",
            ChangeRecordType::Report => "Report",
            ChangeRecordType::Incident => "Incident",
            ChangeRecordType::TrainingSession => "TrainingSession",
            ChangeRecordType::Plan => "Plan",
            ChangeRecordType::PlanTask => "PlanTask",
        }
    }

    /// The type of a GraphQL type name.
    pub fn of(type_name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.type_name() == type_name)
    }
}

/// One entry of the change feed.
pub struct ChangeEntry(change_entry::Model);

/// One entry of the change feed: one record of one change, or a record that left your scope.
#[Object]
impl ChangeEntry {
    /// The position of this entry: pass it as `after` to read on from here.
    async fn cursor(&self) -> String {
        FeedCursor {
            position: self.0.position,
            record: self.0.record_id,
        }
        .encode()
    }

    /// What happened.
    async fn change(&self) -> ChangeKind {
        Change::parse(&self.0.change).into()
    }

    /// The type of the record.
    #[graphql(name = "type")]
    async fn record_type(&self) -> Option<ChangeRecordType> {
        ChangeRecordType::of(&self.0.record_type)
    }

    /// The record's id (as `node(id:)` takes it).
    async fn id(&self) -> ID {
        ID(self.0.record_id.to_string())
    }

    /// The operation that made the change, as the audit trail names it (`release.withdraw`,
    /// `report.submit`; for the reports of an obligation, the obligation's).
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// When the change was made.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// The record as it is now, when you may still read it; null for `LEFT_SCOPE` and for a
    /// record that has left your scope since (a later entry says so).
    async fn node(&self, ctx: &Context<'_>) -> AppResult<Option<Node>> {
        if Change::parse(&self.0.change) == Change::LeftScope {
            return Ok(None);
        }
        node::load(ctx, &self.0.record_type, self.0.record_id).await
    }
}

/// One read of the change feed.
#[derive(SimpleObject)]
pub struct ChangeFeed {
    /// Entries in commit order (the entries of one change together).
    entries: Vec<ChangeEntry>,
    /// Where the next read starts: store it once the entries are applied. Always set, also
    /// when no entry came.
    end_cursor: String,
    /// Whether more entries are waiting now (read again at once).
    has_more: bool,
}

fn feed_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.unwrap_or(DEFAULT_FEED_PAGE).clamp(1, MAX_FEED_PAGE) as usize;
    first.saturating_mul(child_complexity.max(1))
}

/// The change feed.
#[derive(Default)]
pub struct ChangeFeedQuery;

#[Object]
impl ChangeFeedQuery {
    /// The changes of the records you may read, in commit order, for service clients
    /// (integrated systems): created, changed, closed or withdrawn, and left your scope. Start
    /// with `changes(first: 0)` and keep its `endCursor`, read the lists (with `updatedSince`),
    /// then read on from the kept cursor: nothing committed in between is missed. Delivery is
    /// at least once: an entry may come again after a retry. A cursor older than the
    /// retention (`TTDN_CHANGE_RETENTION_DAYS`) is `CURSOR_EXPIRED`.
    #[graphql(complexity = "feed_cost(first, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Read after this cursor (`endCursor` of the last read); from the \
                          oldest entry kept when not given."
        )]
        after: Option<String>,
        #[graphql(desc = "Only records of these types.")] types: Option<Vec<ChangeRecordType>>,
        #[graphql(desc = "Most entries to return: 0 to 100, default 100.")] first: Option<i32>,
    ) -> AppResult<ChangeFeed> {
        let first = first.unwrap_or(DEFAULT_FEED_PAGE);
        if !(0..=MAX_FEED_PAGE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                Msg::new(
                    format!("first phải từ 0 đến {MAX_FEED_PAGE}"),
                    format!("first must be between 0 and {MAX_FEED_PAGE}"),
                ),
            ));
        }
        let after = after.as_deref().map(FeedCursor::decode).transpose()?;
        let types: Vec<&str> = types
            .unwrap_or_default()
            .into_iter()
            .map(ChangeRecordType::type_name)
            .collect();
        let retention = *ctx.data::<Retention>().map_err(|_| {
            AppError::internal(anyhow::anyhow!("the change-feed retention is not set"))
        })?;
        let page = service::read(
            ctx.db()?,
            ctx.actor()?,
            after,
            &types,
            first as u64,
            retention,
        )
        .await?;
        Ok(ChangeFeed {
            entries: page.entries.into_iter().map(ChangeEntry).collect(),
            end_cursor: page.end.encode(),
            has_more: page.has_more,
        })
    }
}
