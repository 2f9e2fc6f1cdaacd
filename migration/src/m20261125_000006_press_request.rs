//! Press requests: questions of press agencies to agencies, with answers or refusals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PressRequest::Table)
                    .col(uuid(PressRequest::Id).primary_key())
                    .col(uuid(PressRequest::PressAgencyId))
                    .col(uuid(PressRequest::AddressedAgencyId))
                    .col(string_len(PressRequest::Subject, 500))
                    .col(text(PressRequest::Question))
                    .col(timestamp_with_time_zone(PressRequest::ReceivedAt))
                    .col(timestamp_with_time_zone(PressRequest::DueAt))
                    .col(string_len(PressRequest::Status, 16))
                    .col(text_null(PressRequest::Answer))
                    .col(string_len_null(PressRequest::RefusalReason, 40))
                    .col(text_null(PressRequest::RefusalExplanation))
                    .col(timestamp_with_time_zone_null(PressRequest::AnsweredAt))
                    .col(uuid_null(PressRequest::AnsweredBy))
                    .col(integer(PressRequest::Version))
                    .col(timestamp_with_time_zone(PressRequest::CreatedAt))
                    .col(timestamp_with_time_zone(PressRequest::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_request_press")
                            .from(PressRequest::Table, PressRequest::PressAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_request_addressed")
                            .from(PressRequest::Table, PressRequest::AddressedAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_press_request_press_agency", PressRequest::PressAgencyId),
            (
                "ix_press_request_addressed_agency",
                PressRequest::AddressedAgencyId,
            ),
            ("ix_press_request_due_at", PressRequest::DueAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(PressRequest::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PressRequest::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PressRequest {
    Table,
    Id,
    PressAgencyId,
    AddressedAgencyId,
    Subject,
    Question,
    ReceivedAt,
    DueAt,
    Status,
    Answer,
    RefusalReason,
    RefusalExplanation,
    AnsweredAt,
    AnsweredBy,
    Version,
    CreatedAt,
    UpdatedAt,
}
