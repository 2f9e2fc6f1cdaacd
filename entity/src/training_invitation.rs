//! An agency invited to a training session, with its quota.

use sea_orm::entity::prelude::*;

/// One invitation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_invitation")]
pub struct Model {
    /// The session.
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: Uuid,
    /// The invited agency.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: Uuid,
    /// Most participants it may send (`None`: only the session's capacity limits it).
    pub quota: Option<i32>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
