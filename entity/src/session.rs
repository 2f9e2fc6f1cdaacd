//! A sign-in session: the family of refresh tokens that descend from one login. Access tokens
//! name their session, so revoking it (logout, reuse of a spent refresh token, password change)
//! stops them at once.

use sea_orm::entity::prelude::*;

/// One session row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The account.
    pub user_id: Uuid,
    /// Sign-in time.
    pub created_at: DateTimeUtc,
    /// When revoked; `None` while the session lives.
    pub revoked_at: Option<DateTimeUtc>,
    /// Why it was revoked (`LOGOUT`, `REUSE_DETECTED`, `PASSWORD_CHANGED`, …).
    pub revoked_reason: Option<String>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
