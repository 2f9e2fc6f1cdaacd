//! What a service client's feed last said of a record: whether the client could read it then.
//! A record it could read that it no longer can gives one `LEFT_SCOPE` entry.

use sea_orm::entity::prelude::*;

/// One client and one record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_seen")]
pub struct Model {
    /// The service client.
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: Uuid,
    /// The record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: Uuid,
    /// Whether the client could read it at its last entry.
    pub readable: bool,
    /// The position of that entry.
    pub position: i64,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
