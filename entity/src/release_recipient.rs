//! The press agencies a `TARGETED` release is addressed to.

use sea_orm::entity::prelude::*;

/// One recipient row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release_recipient")]
pub struct Model {
    /// The release.
    #[sea_orm(primary_key, auto_increment = false)]
    pub release_id: Uuid,
    /// The press agency.
    #[sea_orm(primary_key, auto_increment = false)]
    pub press_agency_id: Uuid,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
