//! A reminder given (*đã nhắc*): one row per kind, record and day, claimed by the scheduler in
//! the transaction that writes the reminder's domain event, so that it is given once however
//! many processes run the scheduler.

use sea_orm::entity::prelude::*;

/// One reminder given.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_sent")]
pub struct Model {
    /// The reminder's event kind (`report.overdue`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The record it is about.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: Uuid,
    /// The day (Vietnam time) it is for: a daily reminder has one row a day, a one-off one the
    /// day of the deadline.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// When it was given.
    pub sent_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
