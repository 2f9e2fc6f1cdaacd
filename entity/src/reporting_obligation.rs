//! A reporting obligation (yêu cầu báo cáo): an agency asks agencies in its scope for a report,
//! usually by official letter (công văn), for a data period and by a due date.

use sea_orm::entity::prelude::*;

/// How often such a report comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PeriodKind {
    /// Báo cáo tháng.
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    /// Báo cáo quý.
    #[sea_orm(string_value = "QUARTERLY")]
    Quarterly,
    /// Báo cáo 6 tháng.
    #[sea_orm(string_value = "SEMIANNUAL")]
    Semiannual,
    /// Báo cáo năm.
    #[sea_orm(string_value = "ANNUAL")]
    Annual,
    /// Báo cáo đột xuất.
    #[sea_orm(string_value = "AD_HOC")]
    AdHoc,
}

/// Whether the obligation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ObligationStatus {
    /// In force.
    #[sea_orm(string_value = "ISSUED")]
    Issued,
    /// Withdrawn; reports already submitted are kept.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// One obligation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reporting_obligation")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Issuing agency.
    pub issuer_agency_id: Uuid,
    /// Number and symbol of the request document (công văn).
    pub doc_number: Option<String>,
    /// Date of the request document.
    pub doc_date: Option<Date>,
    /// Title.
    pub title: String,
    /// Period kind.
    pub period_kind: PeriodKind,
    /// First day of the data period (chốt số liệu).
    pub period_start: Date,
    /// Last day of the data period.
    pub period_end: Date,
    /// Due date (inclusive, Vietnam time).
    pub due_date: Date,
    /// Template version.
    pub template_id: Uuid,
    /// The obligation this one passes on (cascade).
    pub parent_id: Option<Uuid>,
    /// Status.
    pub status: ObligationStatus,
    /// Why withdrawn.
    pub withdrawal_reason: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

crate::listed! {
    /// The columns a list of reports shows of each report's obligation when the query asks for
    /// nothing else: its title and issuer, 3 of the row's columns.
    #[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
    #[sea_orm(entity = "Entity")]
    pub struct Listed {
        /// UUID v7.
        pub id: Uuid,
        /// Issuing agency.
        pub issuer_agency_id: Uuid,
        /// Title.
        pub title: String,
    }
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
