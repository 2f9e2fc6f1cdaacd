//! An account's choice of notices by e-mail: the address and the notice kinds it wants by mail.

use sea_orm::entity::prelude::*;

/// One account's mail subscription.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_subscription")]
pub struct Model {
    /// The account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Where the mail goes.
    pub address: String,
    /// Comma-separated notice kinds (`obligation.issue,report.overdue`), or `*` for all.
    pub kinds: String,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
