//! A submitted version of a report, kept unchanged.

use sea_orm::entity::prelude::*;

/// One version row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_version")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The report.
    pub report_id: Uuid,
    /// 1 for the first submission.
    pub number: i32,
    /// When submitted.
    pub submitted_at: DateTimeUtc,
    /// Who submitted.
    pub submitted_by: Option<Uuid>,
    /// Whether it was late.
    pub late: bool,
    /// The whole content as submitted (JSON: sections, metrics, signer, document).
    pub content: String,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
