//! A task of a plan, with its lead agency (đơn vị chủ trì) and its state.

use sea_orm::entity::prelude::*;

/// Where a task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TaskStatus {
    /// Not started.
    #[sea_orm(string_value = "NOT_STARTED")]
    NotStarted,
    /// Under way.
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Done.
    #[sea_orm(string_value = "DONE")]
    Done,
    /// Cancelled.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// One task row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_task")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The plan.
    pub plan_id: Uuid,
    /// What to do.
    pub content: String,
    /// Lead agency.
    pub lead_agency_id: Uuid,
    /// Coordinating agencies, comma-separated ids.
    pub coordinators: String,
    /// Due date.
    pub due_date: Option<Date>,
    /// Status.
    pub status: TaskStatus,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
