//! Spokespersons of agencies, with their terms.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Spokesperson::Table)
                    .col(uuid(Spokesperson::Id).primary_key())
                    .col(uuid(Spokesperson::AgencyId))
                    .col(string_len(Spokesperson::FullName, 255))
                    .col(string_len(Spokesperson::SearchName, 255))
                    .col(string_len(Spokesperson::Title, 255))
                    .col(string_len(Spokesperson::Kind, 16))
                    .col(string_len_null(Spokesperson::Phone, 30))
                    .col(string_len_null(Spokesperson::Email, 254))
                    .col(string_len_null(Spokesperson::AppointingDocNumber, 64))
                    .col(date_null(Spokesperson::AppointingDocDate))
                    .col(date(Spokesperson::TermFrom))
                    .col(date_null(Spokesperson::TermTo))
                    .col(uuid_null(Spokesperson::GrantorId))
                    .col(string_len_null(Spokesperson::Subject, 500))
                    .col(timestamp_with_time_zone_null(Spokesperson::PublishedAt))
                    .col(integer(Spokesperson::Version))
                    .col(timestamp_with_time_zone(Spokesperson::CreatedAt))
                    .col(timestamp_with_time_zone(Spokesperson::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_spokesperson_agency")
                            .from(Spokesperson::Table, Spokesperson::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_spokesperson_grantor")
                            .from(Spokesperson::Table, Spokesperson::GrantorId)
                            .to(Spokesperson::Table, Spokesperson::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_spokesperson_agency_id")
                    .table(Spokesperson::Table)
                    .col(Spokesperson::AgencyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_spokesperson_search_name_id")
                    .table(Spokesperson::Table)
                    .col(Spokesperson::SearchName)
                    .col(Spokesperson::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Spokesperson::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Spokesperson {
    Table,
    Id,
    AgencyId,
    FullName,
    SearchName,
    Title,
    Kind,
    Phone,
    Email,
    AppointingDocNumber,
    AppointingDocDate,
    TermFrom,
    TermTo,
    GrantorId,
    Subject,
    PublishedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}
