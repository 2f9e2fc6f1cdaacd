//! A machine client of a provincial e-government system: acts for one agency with a list of
//! granted scopes, and exchanges its id and secret for access tokens.

use sea_orm::entity::prelude::*;

/// One service-client row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_client")]
pub struct Model {
    /// UUID v7; also the public client id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name of the system.
    pub name: String,
    /// The agency it acts for.
    pub agency_id: Uuid,
    /// Granted scopes, comma-separated (`agencies:read,users:read`).
    pub scopes: String,
    /// Hex SHA-256 of the secret (the secret is 256 random bits, so a fast hash suffices).
    pub secret_hash: String,
    /// Bumped by every rotation; tokens name the version they were issued under.
    pub secret_version: i32,
    /// When disabled; tokens stop working at once.
    pub disabled_at: Option<DateTimeUtc>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
