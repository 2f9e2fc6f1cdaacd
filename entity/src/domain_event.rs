//! The outbox (*sự kiện nghiệp vụ*): one row per meaningful change, written in the change's own
//! transaction, so that an event exists exactly when its change committed. It carries ids, not
//! copies of records. The dispatcher gives each event its `position` (the order in which events
//! were dispatched, after their commit) and the notices it causes.

use sea_orm::entity::prelude::*;

/// One event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_event")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What happened: the operation that made the change (`obligation.issue`, `report.submit`).
    pub kind: String,
    /// Type of the record changed (`ReportingObligation`, `Report`…).
    pub record_type: String,
    /// The record changed.
    pub record_id: Uuid,
    /// The account or service client that made the change; `None` for the system.
    pub actor_id: Option<Uuid>,
    /// Its name then.
    pub actor_name: String,
    /// When the change was made.
    pub occurred_at: DateTimeUtc,
    /// Dispatch order, unique and increasing; `None` until dispatched.
    pub position: Option<i64>,
    /// When the notices were given.
    pub dispatched_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
