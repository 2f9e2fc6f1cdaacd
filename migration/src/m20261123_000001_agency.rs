//! The agency directory: one self-referencing table with a materialized path.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agency::Table)
                    .col(uuid(Agency::Id).primary_key())
                    .col(string_len(Agency::Name, 255))
                    .col(string_len(Agency::SearchName, 255))
                    .col(string_len(Agency::ShortName, 30))
                    .col(string_len(Agency::Kind, 32))
                    .col(uuid_null(Agency::ParentId))
                    .col(string_len(Agency::Path, 1024))
                    .col(integer(Agency::Depth))
                    .col(string_len_null(Agency::AdminCode, 5))
                    .col(string_len_null(Agency::ElectronicId, 35))
                    .col(string_len_null(Agency::Address, 500))
                    .col(string_len_null(Agency::Phone, 30))
                    .col(string_len_null(Agency::Email, 254))
                    .col(string_len_null(Agency::Website, 500))
                    .col(string_len_null(Agency::PressMedia, 100))
                    .col(string_len_null(Agency::PressLicence, 255))
                    .col(boolean(Agency::IsTtdnLead))
                    .col(date(Agency::ValidFrom))
                    .col(date_null(Agency::ValidTo))
                    .col(uuid_null(Agency::SuccessorId))
                    .col(integer(Agency::Version))
                    .col(timestamp_with_time_zone(Agency::CreatedAt))
                    .col(timestamp_with_time_zone(Agency::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agency_parent")
                            .from(Agency::Table, Agency::ParentId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agency_successor")
                            .from(Agency::Table, Agency::SuccessorId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column, unique) in [
            ("ux_agency_admin_code", Agency::AdminCode, true),
            ("ux_agency_electronic_id", Agency::ElectronicId, true),
            ("ix_agency_parent_id", Agency::ParentId, false),
            ("ix_agency_path", Agency::Path, false),
            ("ix_agency_successor_id", Agency::SuccessorId, false),
        ] {
            let mut index = Index::create();
            index.name(name).table(Agency::Table).col(column);
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        // Keyset pagination walks (search_name, id).
        manager
            .create_index(
                Index::create()
                    .name("ix_agency_search_name_id")
                    .table(Agency::Table)
                    .col(Agency::SearchName)
                    .col(Agency::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Agency::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
    Name,
    SearchName,
    ShortName,
    Kind,
    ParentId,
    Path,
    Depth,
    AdminCode,
    ElectronicId,
    Address,
    Phone,
    Email,
    Website,
    PressMedia,
    PressLicence,
    IsTtdnLead,
    ValidFrom,
    ValidTo,
    SuccessorId,
    Version,
    CreatedAt,
    UpdatedAt,
}
