//! The record of a change to an issued obligation (deadline extended, recipients added,
//! withdrawal).

use sea_orm::entity::prelude::*;

/// One amendment row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "obligation_amendment")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The obligation.
    pub obligation_id: Uuid,
    /// When.
    pub amended_at: DateTimeUtc,
    /// Who (account or client id).
    pub amended_by: Option<Uuid>,
    /// What changed, as JSON.
    pub change: String,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
