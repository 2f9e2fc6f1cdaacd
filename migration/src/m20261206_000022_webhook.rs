//! Webhooks of service clients: the endpoints registered for a client (`webhook_endpoint`) and
//! the deliveries of its change-feed entries to them (`webhook_delivery`), written with the
//! entries by the dispatcher and sent by a sender in each process, with retries for a day.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum WebhookEndpoint {
    Table,
    Id,
    ClientId,
    Url,
    Description,
    Types,
    Secret,
    NotifyAgencyId,
    FailureRun,
    DisabledAt,
    DisabledReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    EndpointId,
    Position,
    RecordId,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    RetryUntil,
    LastStatusCode,
    LastError,
    LastAttemptAt,
    DeliveredAt,
    CreatedAt,
}

/// A timestamp column (nullable unless marked).
fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoint::Table)
                    .col(
                        ColumnDef::new(WebhookEndpoint::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(WebhookEndpoint::ClientId).uuid().not_null())
                    .col(
                        ColumnDef::new(WebhookEndpoint::Url)
                            .string_len(2048)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookEndpoint::Description).string_len(500))
                    .col(
                        ColumnDef::new(WebhookEndpoint::Types)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoint::Secret)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoint::NotifyAgencyId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoint::FailureRun)
                            .integer()
                            .not_null(),
                    )
                    .col(time(WebhookEndpoint::DisabledAt))
                    .col(ColumnDef::new(WebhookEndpoint::DisabledReason).string_len(500))
                    .col(
                        ColumnDef::new(WebhookEndpoint::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(time(WebhookEndpoint::CreatedAt).not_null().to_owned())
                    .col(time(WebhookEndpoint::UpdatedAt).not_null().to_owned())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookEndpoint::Table, WebhookEndpoint::ClientId)
                            .to(Alias::new("service_client"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_endpoint_client")
                    .table(WebhookEndpoint::Table)
                    .col(WebhookEndpoint::ClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(
                        ColumnDef::new(WebhookDelivery::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::EndpointId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::Position)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDelivery::RecordId).uuid().not_null())
                    .col(ColumnDef::new(WebhookDelivery::Payload).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDelivery::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDelivery::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .col(time(WebhookDelivery::NextAttemptAt).not_null().to_owned())
                    .col(time(WebhookDelivery::RetryUntil).not_null().to_owned())
                    .col(ColumnDef::new(WebhookDelivery::LastStatusCode).integer())
                    .col(ColumnDef::new(WebhookDelivery::LastError).text())
                    .col(time(WebhookDelivery::LastAttemptAt))
                    .col(time(WebhookDelivery::DeliveredAt))
                    .col(time(WebhookDelivery::CreatedAt).not_null().to_owned())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::EndpointId)
                            .to(WebhookEndpoint::Table, WebhookEndpoint::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // An endpoint's log, newest first (ids are time-ordered).
        manager
            .create_index(
                Index::create()
                    .name("webhook_delivery_endpoint")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::EndpointId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await?;
        // What the senders still have to do, soonest first: a small partial index.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) \
                 WHERE status = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookEndpoint::Table).to_owned())
            .await
    }
}
