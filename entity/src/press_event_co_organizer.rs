//! Agencies organizing an event together with its organizer.

use sea_orm::entity::prelude::*;

/// One co-organizer row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "press_event_co_organizer")]
pub struct Model {
    /// The event.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// The co-organizing agency.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: Uuid,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
