//! A legal deadline or cut-off as data (*tham số theo quy định*): the statement window of an
//! incident, the answer time of a press request, the publication window of a spokesperson, the
//! reporting cut-off day. Each row is one value from one date on, nationally (no province) or
//! for one province; rows are never changed, only superseded by a later date or, while not yet in
//! force, withdrawn. A deadline takes the value in force when its clock starts and is stored
//! with its record, so that a later change never moves it.

use sea_orm::entity::prelude::*;

/// Which setting a row sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(48))")]
pub enum LegalKey {
    /// Hours from the receipt of an incident to its first statement.
    #[sea_orm(string_value = "INCIDENT_STATEMENT_HOURS")]
    IncidentStatementHours,
    /// Days from the receipt of a press request to its answer.
    #[sea_orm(string_value = "PRESS_REQUEST_ANSWER_DAYS")]
    PressRequestAnswerDays,
    /// Hours from a spokesperson's appointment to the publication of their contacts.
    #[sea_orm(string_value = "SPOKESPERSON_PUBLICATION_HOURS")]
    SpokespersonPublicationHours,
    /// Day of the month on which a reporting period's data is cut off.
    #[sea_orm(string_value = "REPORTING_CUTOFF_DAY")]
    ReportingCutoffDay,
}

/// One value of one setting from one date on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_setting")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The setting.
    pub key: LegalKey,
    /// The province (its root agency) the value applies to; `None`: the national value, used
    /// where a province has set none.
    pub province_agency_id: Option<Uuid>,
    /// The value, in the setting's unit.
    pub value: i32,
    /// First day (Vietnam time) the value applies.
    pub effective_from: Date,
    /// Why: the decision or regulation behind the change.
    pub note: Option<String>,
    /// Account that made the change; `None` for the shipped defaults.
    pub created_by: Option<Uuid>,
    /// Its name then, or `ttdn` for the shipped defaults.
    pub created_by_name: String,
    /// When the change was recorded.
    pub created_at: DateTimeUtc,
    /// When a change not yet in force was withdrawn.
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
