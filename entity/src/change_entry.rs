//! One entry of a service client's change feed: a record the client may read was created,
//! changed or closed, or a record it was told of has left what it may read. Written by the
//! dispatcher with the event's position, so a client reads its feed in commit order.

use sea_orm::entity::prelude::*;

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_entry")]
pub struct Model {
    /// The service client whose feed it is.
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: Uuid,
    /// The position of the event that caused it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i64,
    /// The record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Type of the record (`InformationRelease`…).
    pub record_type: String,
    /// `CREATED`, `UPDATED`, `CLOSED` or `LEFT_SCOPE`.
    pub change: String,
    /// The operation that made the change (`release.withdraw`).
    pub operation: String,
    /// When the change was made.
    pub occurred_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
