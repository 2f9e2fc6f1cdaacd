//! One delivery of a change-feed entry to a webhook endpoint, with its attempts.

use sea_orm::entity::prelude::*;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The receiver answered 2xx.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Given up: no 2xx within the retry window.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// One delivery.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    /// UUID v7; also the `webhook-id` header, the same on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The feed entry's position.
    pub position: i64,
    /// The feed entry's record.
    pub record_id: Uuid,
    /// The JSON body.
    pub payload: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When it may be tried (again); a sender holds it by moving this forward.
    pub next_attempt_at: DateTimeUtc,
    /// Tried until then, then given up.
    pub retry_until: DateTimeUtc,
    /// The HTTP status of the last answer.
    pub last_status_code: Option<i32>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When last tried.
    pub last_attempt_at: Option<DateTimeUtc>,
    /// When the receiver accepted it.
    pub delivered_at: Option<DateTimeUtc>,
    /// When written.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
