//! Integration: the change feed of each service client (`change_entry`, what a client is told
//! of, in commit order, written by the dispatcher) and what each client was last told of each
//! record (`change_seen`: whether it could read it), from which "left your scope" follows; and
//! indexes on `updated_at` for the lists that clients poll with `updatedSince`.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ChangeEntry {
    Table,
    ClientId,
    Position,
    RecordId,
    EventId,
    RecordType,
    Change,
    Operation,
    OccurredAt,
}

#[derive(DeriveIden)]
enum ChangeSeen {
    Table,
    ClientId,
    RecordId,
    Readable,
    Position,
}

/// The tables polled with `updatedSince`, ordered by (`updated_at`, `id`).
const POLLED: [&str; 12] = [
    "agency",
    "user_account",
    "spokesperson",
    "press_event",
    "information_release",
    "press_request",
    "reporting_obligation",
    "report",
    "plan",
    "plan_task",
    "training_session",
    "incident",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeEntry::Table)
                    .col(ColumnDef::new(ChangeEntry::ClientId).uuid().not_null())
                    .col(
                        ColumnDef::new(ChangeEntry::Position)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ChangeEntry::RecordId).uuid().not_null())
                    .col(ColumnDef::new(ChangeEntry::EventId).uuid().not_null())
                    .col(
                        ColumnDef::new(ChangeEntry::RecordType)
                            .string_len(48)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeEntry::Change)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeEntry::Operation)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeEntry::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChangeEntry::ClientId)
                            .col(ChangeEntry::Position)
                            .col(ChangeEntry::RecordId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChangeEntry::Table, ChangeEntry::ClientId)
                            .to(Alias::new("service_client"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        // Entries past the retention are purged by age.
        manager
            .create_index(
                Index::create()
                    .name("change_entry_occurred_at")
                    .table(ChangeEntry::Table)
                    .col(ChangeEntry::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeSeen::Table)
                    .col(ColumnDef::new(ChangeSeen::ClientId).uuid().not_null())
                    .col(ColumnDef::new(ChangeSeen::RecordId).uuid().not_null())
                    .col(ColumnDef::new(ChangeSeen::Readable).boolean().not_null())
                    .col(
                        ColumnDef::new(ChangeSeen::Position)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ChangeSeen::ClientId)
                            .col(ChangeSeen::RecordId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChangeSeen::Table, ChangeSeen::ClientId)
                            .to(Alias::new("service_client"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        for table in POLLED {
            manager
                .create_index(
                    Index::create()
                        .name(format!("{table}_updated_at"))
                        .table(Alias::new(table))
                        .col(Alias::new("updated_at"))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in POLLED {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("{table}_updated_at"))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(ChangeSeen::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ChangeEntry::Table).to_owned())
            .await
    }
}
