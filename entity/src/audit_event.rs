//! The audit trail: who did what to which record, when, under which request, and whether it was
//! allowed. Rows are only ever inserted.

use sea_orm::entity::prelude::*;

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// UUID v7 (so ids sort by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTimeUtc,
    /// `USER`, `CLIENT` or `ANONYMOUS`.
    pub actor_kind: String,
    /// Account or client id.
    pub actor_id: Option<Uuid>,
    /// Username or client name at the time.
    pub actor_name: Option<String>,
    /// Role at the time.
    pub actor_role: Option<String>,
    /// The agency the actor acted for.
    pub actor_agency_id: Option<Uuid>,
    /// Operation, e.g. `agency.create`.
    pub operation: String,
    /// Kind of the record acted on, e.g. `Agency`.
    pub target_type: Option<String>,
    /// Id (or name) of the record acted on.
    pub target_id: Option<String>,
    /// The submitted changes as JSON, secrets removed.
    pub changes: Option<String>,
    /// Request id of the HTTP request.
    pub request_id: Option<String>,
    /// `ALLOWED` or `DENIED`.
    pub outcome: String,
    /// Why it was denied.
    pub reason: Option<String>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
