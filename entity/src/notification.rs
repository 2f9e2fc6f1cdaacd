//! A notice (*thông báo*) for one account: what an event means for it, in Vietnamese and
//! English, with the record it is about. Addressed to the account acting for one agency: it
//! shows only while the account still acts for that agency.

use sea_orm::entity::prelude::*;

/// One notice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    /// UUID v7 (time-ordered: newest first is descending id).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event that gave it.
    pub event_id: Uuid,
    /// The account it is for.
    pub account_id: Uuid,
    /// The agency the account acted for when it was given.
    pub agency_id: Uuid,
    /// The event's kind (`obligation.issue`).
    pub kind: String,
    /// Type of the record it is about.
    pub record_type: String,
    /// The record (its node id).
    pub record_id: Uuid,
    /// Title in Vietnamese.
    pub title_vi: String,
    /// Title in English.
    pub title_en: String,
    /// Text in Vietnamese.
    pub body_vi: String,
    /// Text in English.
    pub body_en: String,
    /// When it was given.
    pub created_at: DateTimeUtc,
    /// When the account marked it read.
    pub read_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
