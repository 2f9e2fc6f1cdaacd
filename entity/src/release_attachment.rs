//! A file attached to a release, by reference (the file lives elsewhere).

use sea_orm::entity::prelude::*;

/// One attachment row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release_attachment")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The release.
    pub release_id: Uuid,
    /// File name.
    pub name: String,
    /// Media type (`application/pdf`).
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub checksum: String,
    /// Where to fetch it.
    pub url: String,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
