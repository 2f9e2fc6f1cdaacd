//! Idempotency keys: what a caller's mutation sent with an `Idempotency-Key` did, so that the
//! same key with the same request within the retention returns the first answer without
//! writing again.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Principal,
    Key,
    RequestHash,
    Mutation,
    RecordType,
    RecordId,
    Response,
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
                    .table(IdempotencyKey::Table)
                    .col(
                        ColumnDef::new(IdempotencyKey::Principal)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKey::Key)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKey::RequestHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IdempotencyKey::Mutation).string_len(64))
                    .col(ColumnDef::new(IdempotencyKey::RecordType).string_len(64))
                    .col(ColumnDef::new(IdempotencyKey::RecordId).uuid())
                    .col(ColumnDef::new(IdempotencyKey::Response).text())
                    .col(
                        ColumnDef::new(IdempotencyKey::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::Principal)
                            .col(IdempotencyKey::Key),
                    )
                    .to_owned(),
            )
            .await?;
        // Expired keys are purged by age.
        manager
            .create_index(
                Index::create()
                    .name("idempotency_key_created_at")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}
