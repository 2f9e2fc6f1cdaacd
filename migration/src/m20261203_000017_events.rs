//! The events backbone: `domain_event`, the outbox written in the transaction of every change
//! (ids, not copies of records), and `notification`, the notices each event gives the accounts
//! that must act or know.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum DomainEvent {
    Table,
    Id,
    Kind,
    RecordType,
    RecordId,
    ActorId,
    ActorName,
    OccurredAt,
    Position,
    DispatchedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    EventId,
    AccountId,
    AgencyId,
    Kind,
    RecordType,
    RecordId,
    TitleVi,
    TitleEn,
    BodyVi,
    BodyEn,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DomainEvent::Table)
                    .col(
                        ColumnDef::new(DomainEvent::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DomainEvent::Kind).string_len(64).not_null())
                    .col(
                        ColumnDef::new(DomainEvent::RecordType)
                            .string_len(48)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DomainEvent::RecordId).uuid().not_null())
                    .col(ColumnDef::new(DomainEvent::ActorId).uuid())
                    .col(
                        ColumnDef::new(DomainEvent::ActorName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DomainEvent::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(DomainEvent::Position).big_integer())
                    .col(ColumnDef::new(DomainEvent::DispatchedAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("domain_event_position")
                    .table(DomainEvent::Table)
                    .col(DomainEvent::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("domain_event_record")
                    .table(DomainEvent::Table)
                    .col(DomainEvent::RecordId)
                    .to_owned(),
            )
            .await?;
        // What the dispatcher still has to do, oldest first: a small partial index.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX domain_event_pending ON domain_event (occurred_at, id) \
                 WHERE position IS NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(
                        ColumnDef::new(Notification::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Notification::EventId).uuid().not_null())
                    .col(ColumnDef::new(Notification::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Notification::AgencyId).uuid().not_null())
                    .col(ColumnDef::new(Notification::Kind).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Notification::RecordType)
                            .string_len(48)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notification::RecordId).uuid().not_null())
                    .col(
                        ColumnDef::new(Notification::TitleVi)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notification::TitleEn)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notification::BodyVi).text().not_null())
                    .col(ColumnDef::new(Notification::BodyEn).text().not_null())
                    .col(
                        ColumnDef::new(Notification::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notification::ReadAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notification::Table, Notification::EventId)
                            .to(DomainEvent::Table, DomainEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notification::Table, Notification::AccountId)
                            .to(Alias::new("user_account"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        // An account's notices, newest first (ids are time-ordered), and its unread ones.
        manager
            .create_index(
                Index::create()
                    .name("notification_account")
                    .table(Notification::Table)
                    .col(Notification::AccountId)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX notification_unread ON notification (account_id, agency_id) \
                 WHERE read_at IS NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_event")
                    .table(Notification::Table)
                    .col(Notification::EventId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Notification::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DomainEvent::Table).to_owned())
            .await
    }
}
