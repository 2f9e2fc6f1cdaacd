//! A press-provision event: press conference, briefing, liaison meeting, interview.

use sea_orm::entity::prelude::*;

/// What kind of meeting with the press.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PressEventKind {
    /// Họp báo.
    #[sea_orm(string_value = "PRESS_CONFERENCE")]
    PressConference,
    /// Hội nghị cung cấp thông tin cho báo chí.
    #[sea_orm(string_value = "PRESS_BRIEFING")]
    PressBriefing,
    /// Giao ban báo chí.
    #[sea_orm(string_value = "PRESS_LIAISON_MEETING")]
    PressLiaisonMeeting,
    /// Trả lời phỏng vấn.
    #[sea_orm(string_value = "INTERVIEW")]
    Interview,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where the event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PressEventStatus {
    /// Being prepared; not visible to the press.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Announced: invitations are out.
    #[sea_orm(string_value = "ANNOUNCED")]
    Announced,
    /// Took place.
    #[sea_orm(string_value = "HELD")]
    Held,
    /// Called off.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// One event row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "press_event")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Organizing agency.
    pub organizer_id: Uuid,
    /// Kind.
    pub kind: PressEventKind,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: Option<DateTimeUtc>,
    /// Place.
    pub place: Option<String>,
    /// Link of an online event.
    pub online_url: Option<String>,
    /// Presiding spokesperson.
    pub presiding_spokesperson_id: Option<Uuid>,
    /// Status.
    pub status: PressEventStatus,
    /// Whether every press agency may see and attend it (not only the invited ones).
    pub is_public: bool,
    /// Topics, one per line.
    pub topics: Option<String>,
    /// Agenda.
    pub agenda: Option<String>,
    /// Why it was cancelled.
    pub cancellation_reason: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
