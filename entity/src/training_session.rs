//! A training session (*tập huấn, bồi dưỡng nghiệp vụ*).

use sea_orm::entity::prelude::*;

/// How the session is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TrainingMode {
    /// Trực tiếp.
    #[sea_orm(string_value = "IN_PERSON")]
    InPerson,
    /// Trực tuyến.
    #[sea_orm(string_value = "ONLINE")]
    Online,
    /// Kết hợp.
    #[sea_orm(string_value = "HYBRID")]
    Hybrid,
}

/// One session row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_session")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Organizing agency.
    pub organizer_id: Uuid,
    /// Title.
    pub title: String,
    /// Topics, one per line.
    pub topics: Option<String>,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: DateTimeUtc,
    /// Place.
    pub place: Option<String>,
    /// Link of an online session.
    pub online_url: Option<String>,
    /// Mode.
    pub mode: TrainingMode,
    /// Most participants.
    pub capacity: i32,
    /// Intended audience, comma-separated categories.
    pub audience: String,
    /// Co-organizing agencies, comma-separated ids.
    pub co_organizers: String,
    /// Materials by reference, JSON array of `{name, url}`.
    pub materials: String,
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
