//! What a mutation sent with an `Idempotency-Key` did: one row per caller and key, written in
//! the mutation's own transaction, with the answer stored once it is known.

use sea_orm::entity::prelude::*;

/// One key of one caller.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// The caller: `user:<id>` or `client:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub principal: String,
    /// The key the caller chose.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Hex SHA-256 of the request (query, operation name, variables).
    pub request_hash: String,
    /// The mutation's audit name, when it ran through the mutation runner.
    pub mutation: Option<String>,
    /// Kind of the record it acted on.
    pub record_type: Option<String>,
    /// The record it acted on.
    pub record_id: Option<Uuid>,
    /// The GraphQL response sent the first time (JSON), once known.
    pub response: Option<String>,
    /// When the key was first used.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
