//! One save of a report's working copy (or its submission): who changed what, when. Nothing
//! typed into a report is ever lost: the working copy is the merge of these changes.

use sea_orm::entity::prelude::*;

/// What the save was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SaveKind {
    /// The working copy was saved.
    #[sea_orm(string_value = "SAVED")]
    Saved,
    /// The report was submitted (with the changes given at submission, if any).
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
}

/// One save row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_save")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The report.
    pub report_id: Uuid,
    /// Saved or submitted.
    pub kind: SaveKind,
    /// The changes as given (sections and metrics by key, null for a cleared one; signer and
    /// document when given), JSON.
    pub changes: String,
    /// Who (account or client id).
    pub saved_by: Option<Uuid>,
    /// Their username or client name at the time.
    pub saved_by_name: String,
    /// When.
    pub saved_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
