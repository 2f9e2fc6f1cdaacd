//! An incident (*thông tin sai lệch, vụ việc cần phát ngôn*): false information, negative
//! coverage or a crisis that needs a statement.

use sea_orm::entity::prelude::*;

/// What kind of incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum IncidentCategory {
    /// Thông tin sai lệch, xuyên tạc.
    #[sea_orm(string_value = "FALSE_INFORMATION")]
    FalseInformation,
    /// Thông tin tiêu cực trên báo chí.
    #[sea_orm(string_value = "NEGATIVE_COVERAGE")]
    NegativeCoverage,
    /// Sự cố, khủng hoảng cần phát ngôn.
    #[sea_orm(string_value = "CRISIS_EVENT")]
    CrisisEvent,
}

/// Open or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentStatus {
    /// Being handled.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Closed with an outcome.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// One incident row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The agency that recorded it.
    pub reporting_agency_id: Uuid,
    /// The agency the information is about.
    pub affected_agency_id: Uuid,
    /// The agency assigned to answer it.
    pub handling_agency_id: Option<Uuid>,
    /// Where it appeared (outlet, page, channel).
    pub source_outlet: String,
    /// Link.
    pub link: Option<String>,
    /// Category.
    pub category: IncidentCategory,
    /// What it says.
    pub summary: String,
    /// When it appeared.
    pub appeared_at: DateTimeUtc,
    /// When it was received.
    pub received_at: DateTimeUtc,
    /// When the first statement is due (24 hours after receipt by default).
    pub statement_due_at: DateTimeUtc,
    /// When the first statement was made.
    pub first_statement_at: Option<DateTimeUtc>,
    /// The release that answered it.
    pub correction_release_id: Option<Uuid>,
    /// Whether a correction was requested from the outlet.
    pub correction_requested: bool,
    /// Status.
    pub status: IncidentStatus,
    /// Outcome, when closed.
    pub outcome: Option<String>,
    /// When closed.
    pub closed_at: Option<DateTimeUtc>,
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
