//! A press agency invited to an event, its reply and its attendance.

use sea_orm::entity::prelude::*;

/// A press agency's answer to an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InvitationReply {
    /// Not answered yet.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Will attend.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Will not attend.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
}

/// One invitation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "press_event_invitation")]
pub struct Model {
    /// The event.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// The invited press agency.
    #[sea_orm(primary_key, auto_increment = false)]
    pub press_agency_id: Uuid,
    /// Answer.
    pub reply: InvitationReply,
    /// Reporters announced with an acceptance.
    pub reporters: Option<i32>,
    /// When answered.
    pub replied_at: Option<DateTimeUtc>,
    /// Whether the agency came (recorded after the event).
    pub attended: Option<bool>,
    /// How many of its reporters came.
    pub attendees: Option<i32>,
    /// When invited.
    pub invited_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
