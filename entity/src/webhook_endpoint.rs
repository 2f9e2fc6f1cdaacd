//! A webhook endpoint of a service client: where the entries of its change feed are pushed, as
//! Standard Webhooks deliveries signed with the endpoint's secret.

use sea_orm::entity::prelude::*;

/// One endpoint.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoint")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The service client whose feed it receives.
    pub client_id: Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// The record types it receives (comma-separated type names; empty: every type).
    pub types: String,
    /// The signing secret, `whsec_` and base64 of 32 random bytes.
    pub secret: String,
    /// The agency told when the endpoint is disabled after a run of failures.
    pub notify_agency_id: Uuid,
    /// Failed attempts since the last success.
    pub failure_run: i32,
    /// When it was disabled (by hand, or after a run of failures).
    pub disabled_at: Option<DateTimeUtc>,
    /// Why.
    pub disabled_reason: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When registered.
    pub created_at: DateTimeUtc,
    /// When last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
