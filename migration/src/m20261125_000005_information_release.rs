//! Information releases, their recipients and attachments.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InformationRelease::Table)
                    .col(uuid(InformationRelease::Id).primary_key())
                    .col(uuid(InformationRelease::IssuingAgencyId))
                    .col(string_len_null(InformationRelease::DocNumber, 64))
                    .col(date_null(InformationRelease::DocDate))
                    .col(string_len(InformationRelease::Kind, 32))
                    .col(string_len(InformationRelease::Title, 500))
                    .col(text_null(InformationRelease::Summary))
                    .col(text(InformationRelease::Body))
                    .col(text_null(InformationRelease::Topics))
                    .col(text(InformationRelease::TopicKeys))
                    .col(string_len(InformationRelease::Language, 16))
                    .col(uuid_null(InformationRelease::SpokespersonId))
                    .col(uuid_null(InformationRelease::EventId))
                    .col(string_len(InformationRelease::Audience, 16))
                    .col(timestamp_with_time_zone_null(
                        InformationRelease::EmbargoUntil,
                    ))
                    .col(string_len(InformationRelease::Status, 16))
                    .col(timestamp_with_time_zone_null(
                        InformationRelease::PublishedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        InformationRelease::WithdrawnAt,
                    ))
                    .col(text_null(InformationRelease::WithdrawalReason))
                    .col(uuid_null(InformationRelease::CorrectsId))
                    .col(text(InformationRelease::SearchText))
                    .col(timestamp_with_time_zone(InformationRelease::ListedAt))
                    .col(integer(InformationRelease::Version))
                    .col(timestamp_with_time_zone(InformationRelease::CreatedAt))
                    .col(timestamp_with_time_zone(InformationRelease::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_agency")
                            .from(
                                InformationRelease::Table,
                                InformationRelease::IssuingAgencyId,
                            )
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_spokesperson")
                            .from(
                                InformationRelease::Table,
                                InformationRelease::SpokespersonId,
                            )
                            .to(Spokesperson::Table, Spokesperson::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_event")
                            .from(InformationRelease::Table, InformationRelease::EventId)
                            .to(PressEvent::Table, PressEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_corrects")
                            .from(InformationRelease::Table, InformationRelease::CorrectsId)
                            .to(InformationRelease::Table, InformationRelease::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReleaseRecipient::Table)
                    .col(uuid(ReleaseRecipient::ReleaseId))
                    .col(uuid(ReleaseRecipient::PressAgencyId))
                    .primary_key(
                        Index::create()
                            .col(ReleaseRecipient::ReleaseId)
                            .col(ReleaseRecipient::PressAgencyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_recipient_release")
                            .from(ReleaseRecipient::Table, ReleaseRecipient::ReleaseId)
                            .to(InformationRelease::Table, InformationRelease::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_recipient_agency")
                            .from(ReleaseRecipient::Table, ReleaseRecipient::PressAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReleaseAttachment::Table)
                    .col(uuid(ReleaseAttachment::Id).primary_key())
                    .col(uuid(ReleaseAttachment::ReleaseId))
                    .col(string_len(ReleaseAttachment::Name, 255))
                    .col(string_len(ReleaseAttachment::MediaType, 127))
                    .col(big_integer(ReleaseAttachment::SizeBytes))
                    .col(string_len(ReleaseAttachment::Checksum, 64))
                    .col(string_len(ReleaseAttachment::Url, 1000))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_release_attachment_release")
                            .from(ReleaseAttachment::Table, ReleaseAttachment::ReleaseId)
                            .to(InformationRelease::Table, InformationRelease::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_release_issuing_agency_id",
                InformationRelease::Table.into_iden(),
                InformationRelease::IssuingAgencyId.into_iden(),
            ),
            (
                "ix_release_listed_at",
                InformationRelease::Table.into_iden(),
                InformationRelease::ListedAt.into_iden(),
            ),
            (
                "ix_release_updated_at",
                InformationRelease::Table.into_iden(),
                InformationRelease::UpdatedAt.into_iden(),
            ),
            (
                "ix_release_recipient_agency",
                ReleaseRecipient::Table.into_iden(),
                ReleaseRecipient::PressAgencyId.into_iden(),
            ),
            (
                "ix_release_attachment_release",
                ReleaseAttachment::Table.into_iden(),
                ReleaseAttachment::ReleaseId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReleaseAttachment::Table.into_iden(),
            ReleaseRecipient::Table.into_iden(),
            InformationRelease::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
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
}

#[derive(DeriveIden)]
enum PressEvent {
    Table,
    Id,
}

#[derive(DeriveIden)]

enum InformationRelease {
    Table,
    Id,
    IssuingAgencyId,
    DocNumber,
    DocDate,
    Kind,
    Title,
    Summary,
    Body,
    Topics,
    TopicKeys,
    Language,
    SpokespersonId,
    EventId,
    Audience,
    EmbargoUntil,
    Status,
    PublishedAt,
    WithdrawnAt,
    WithdrawalReason,
    CorrectsId,
    SearchText,
    ListedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReleaseRecipient {
    Table,
    ReleaseId,
    PressAgencyId,
}

#[derive(DeriveIden)]
enum ReleaseAttachment {
    Table,
    Id,
    ReleaseId,
    Name,
    MediaType,
    SizeBytes,
    Checksum,
    Url,
}
