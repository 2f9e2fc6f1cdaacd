//! The mail outbox: one message per notice an account wants by mail, written with the notice
//! and sent by the mailer outside any request, with retries.

use sea_orm::entity::prelude::*;

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MailStatus {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Accepted by the SMTP server.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Given up after the last attempt, or refused for good.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_message")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The notice it carries.
    pub notification_id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// Recipient address.
    pub to_address: String,
    /// Subject (UTF-8).
    pub subject: String,
    /// Plain-text body (UTF-8).
    pub body: String,
    /// Where it stands.
    pub status: MailStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When it may be tried (again); a sender holds it by moving this forward.
    pub next_attempt_at: DateTimeUtc,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTimeUtc>,
    /// When it was written.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
