//! Notices by e-mail: an account's mail subscription (address and the notice kinds it wants by
//! mail) and the mail outbox the mailer sends from, with its attempts.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum MailSubscription {
    Table,
    AccountId,
    Address,
    Kinds,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailMessage {
    Table,
    Id,
    NotificationId,
    AccountId,
    ToAddress,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailSubscription::Table)
                    .col(
                        ColumnDef::new(MailSubscription::AccountId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MailSubscription::Address)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailSubscription::Kinds).text().not_null())
                    .col(
                        ColumnDef::new(MailSubscription::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MailSubscription::Table, MailSubscription::AccountId)
                            .to(Alias::new("user_account"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailMessage::Table)
                    .col(
                        ColumnDef::new(MailMessage::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MailMessage::NotificationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailMessage::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(MailMessage::ToAddress)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailMessage::Subject)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailMessage::Body).text().not_null())
                    .col(
                        ColumnDef::new(MailMessage::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailMessage::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(MailMessage::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailMessage::LastError).text())
                    .col(ColumnDef::new(MailMessage::SentAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(MailMessage::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // What the mailer has to send, soonest first.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX mail_message_pending ON mail_message (next_attempt_at) \
                 WHERE status = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailMessage::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MailSubscription::Table).to_owned())
            .await
    }
}
