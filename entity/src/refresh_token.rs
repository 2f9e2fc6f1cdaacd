//! A refresh token, stored only as its SHA-256 hash. Each is used once: refreshing spends it and
//! issues the next one of the same session.

use sea_orm::entity::prelude::*;

/// One refresh-token row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_token")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The session (token family).
    pub session_id: Uuid,
    /// Hex SHA-256 of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Issued.
    pub created_at: DateTimeUtc,
    /// Unusable after.
    pub expires_at: DateTimeUtc,
    /// When it was spent; presenting a spent token again revokes the session.
    pub used_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
