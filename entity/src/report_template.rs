//! A report template: the sections and metrics a report must carry. Templates are versioned:
//! a change is a new row with the next version, so obligations keep the version they named.

use sea_orm::entity::prelude::*;

/// One template version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_template")]
pub struct Model {
    /// UUID (v5 of code and version for shipped templates, v7 otherwise).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code, e.g. `TTDN_ANNUAL`.
    pub code: String,
    /// Version, from 1.
    pub version: i32,
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// JSON array of sections: `{key, title, required}`.
    pub sections: String,
    /// JSON array of metrics: `{key, label, unit, kind, required}`.
    pub metrics: String,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
