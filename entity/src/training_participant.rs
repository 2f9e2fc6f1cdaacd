//! A person registered for a training session, and whether they came.

use sea_orm::entity::prelude::*;

/// Who the person is, for the session's audience and the counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ParticipantCategory {
    /// Lãnh đạo.
    #[sea_orm(string_value = "LEADER")]
    Leader,
    /// Người phát ngôn.
    #[sea_orm(string_value = "SPOKESPERSON")]
    Spokesperson,
    /// Cán bộ làm công tác TTĐN.
    #[sea_orm(string_value = "OFFICER")]
    Officer,
    /// Phóng viên.
    #[sea_orm(string_value = "REPORTER")]
    Reporter,
}

/// One participant row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_participant")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The agency the person comes from.
    pub agency_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub title: Option<String>,
    /// Category.
    pub category: ParticipantCategory,
    /// Who registered (account or client id).
    pub registered_by: Option<Uuid>,
    /// When.
    pub registered_at: DateTimeUtc,
    /// When withdrawn (before the start).
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Whether the person came (recorded after the start).
    pub attended: Option<bool>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
