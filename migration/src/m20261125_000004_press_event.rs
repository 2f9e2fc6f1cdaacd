//! Press-provision events, their co-organizers and invitations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PressEvent::Table)
                    .col(uuid(PressEvent::Id).primary_key())
                    .col(uuid(PressEvent::OrganizerId))
                    .col(string_len(PressEvent::Kind, 32))
                    .col(string_len(PressEvent::Title, 500))
                    .col(timestamp_with_time_zone(PressEvent::StartsAt))
                    .col(timestamp_with_time_zone_null(PressEvent::EndsAt))
                    .col(string_len_null(PressEvent::Place, 500))
                    .col(string_len_null(PressEvent::OnlineUrl, 500))
                    .col(uuid_null(PressEvent::PresidingSpokespersonId))
                    .col(string_len(PressEvent::Status, 16))
                    .col(boolean(PressEvent::IsPublic))
                    .col(text_null(PressEvent::Topics))
                    .col(text_null(PressEvent::Agenda))
                    .col(text_null(PressEvent::CancellationReason))
                    .col(integer(PressEvent::Version))
                    .col(timestamp_with_time_zone(PressEvent::CreatedAt))
                    .col(timestamp_with_time_zone(PressEvent::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_organizer")
                            .from(PressEvent::Table, PressEvent::OrganizerId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_presiding")
                            .from(PressEvent::Table, PressEvent::PresidingSpokespersonId)
                            .to(Spokesperson::Table, Spokesperson::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PressEventCoOrganizer::Table)
                    .col(uuid(PressEventCoOrganizer::EventId))
                    .col(uuid(PressEventCoOrganizer::AgencyId))
                    .primary_key(
                        Index::create()
                            .col(PressEventCoOrganizer::EventId)
                            .col(PressEventCoOrganizer::AgencyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_co_organizer_event")
                            .from(PressEventCoOrganizer::Table, PressEventCoOrganizer::EventId)
                            .to(PressEvent::Table, PressEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_co_organizer_agency")
                            .from(
                                PressEventCoOrganizer::Table,
                                PressEventCoOrganizer::AgencyId,
                            )
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PressEventInvitation::Table)
                    .col(uuid(PressEventInvitation::EventId))
                    .col(uuid(PressEventInvitation::PressAgencyId))
                    .col(string_len(PressEventInvitation::Reply, 16))
                    .col(integer_null(PressEventInvitation::Reporters))
                    .col(timestamp_with_time_zone_null(
                        PressEventInvitation::RepliedAt,
                    ))
                    .col(boolean_null(PressEventInvitation::Attended))
                    .col(integer_null(PressEventInvitation::Attendees))
                    .col(timestamp_with_time_zone(PressEventInvitation::InvitedAt))
                    .primary_key(
                        Index::create()
                            .col(PressEventInvitation::EventId)
                            .col(PressEventInvitation::PressAgencyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_invitation_event")
                            .from(PressEventInvitation::Table, PressEventInvitation::EventId)
                            .to(PressEvent::Table, PressEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_press_event_invitation_agency")
                            .from(
                                PressEventInvitation::Table,
                                PressEventInvitation::PressAgencyId,
                            )
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_press_event_organizer_id",
                PressEvent::Table.into_iden(),
                PressEvent::OrganizerId.into_iden(),
            ),
            (
                "ix_press_event_starts_at",
                PressEvent::Table.into_iden(),
                PressEvent::StartsAt.into_iden(),
            ),
            (
                "ix_press_event_invitation_agency",
                PressEventInvitation::Table.into_iden(),
                PressEventInvitation::PressAgencyId.into_iden(),
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
            PressEventInvitation::Table.into_iden(),
            PressEventCoOrganizer::Table.into_iden(),
            PressEvent::Table.into_iden(),
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
    OrganizerId,
    Kind,
    Title,
    StartsAt,
    EndsAt,
    Place,
    OnlineUrl,
    PresidingSpokespersonId,
    Status,
    IsPublic,
    Topics,
    Agenda,
    CancellationReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PressEventCoOrganizer {
    Table,
    EventId,
    AgencyId,
}

#[derive(DeriveIden)]
enum PressEventInvitation {
    Table,
    EventId,
    PressAgencyId,
    Reply,
    Reporters,
    RepliedAt,
    Attended,
    Attendees,
    InvitedAt,
}
