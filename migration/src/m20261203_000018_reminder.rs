//! Reminders claimed once: one row per reminder given (kind, record, day), so that several
//! processes running the scheduler at once give each reminder once (the primary key decides).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ReminderSent {
    Table,
    Kind,
    RecordId,
    Day,
    SentAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReminderSent::Table)
                    .col(ColumnDef::new(ReminderSent::Kind).string_len(64).not_null())
                    .col(ColumnDef::new(ReminderSent::RecordId).uuid().not_null())
                    .col(ColumnDef::new(ReminderSent::Day).date().not_null())
                    .col(
                        ColumnDef::new(ReminderSent::SentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ReminderSent::Kind)
                            .col(ReminderSent::RecordId)
                            .col(ReminderSent::Day),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReminderSent::Table).to_owned())
            .await
    }
}
