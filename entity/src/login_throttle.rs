//! Failed sign-in counters, per account name (`account:<username>`, for existing and unknown
//! names alike, so that lockout reveals nothing) and per client address (`address:<ip>`).
//! Kept in the database so that every API process sees the same counts.

use sea_orm::entity::prelude::*;

/// One counter row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// `account:<username>` or `address:<ip>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Failures in the current window.
    pub failures: i32,
    /// Start of the current window.
    pub window_started_at: DateTimeUtc,
    /// Sign-in refused until then.
    pub locked_until: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
