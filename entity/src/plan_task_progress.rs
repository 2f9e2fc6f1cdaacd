//! A dated progress note on a task.

use sea_orm::entity::prelude::*;

use super::plan_task::TaskStatus;

/// One note row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_task_progress")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// The day the note is about.
    pub noted_on: Date,
    /// The note.
    pub note: String,
    /// The task's status after it.
    pub status: TaskStatus,
    /// Who recorded it (account or client id).
    pub recorded_by: Option<Uuid>,
    /// When.
    pub recorded_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
