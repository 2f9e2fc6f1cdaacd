//! Training sessions, invitations with quotas, participants and attendance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrainingSession::Table)
                    .col(uuid(TrainingSession::Id).primary_key())
                    .col(uuid(TrainingSession::OrganizerId))
                    .col(string_len(TrainingSession::Title, 500))
                    .col(text_null(TrainingSession::Topics))
                    .col(timestamp_with_time_zone(TrainingSession::StartsAt))
                    .col(timestamp_with_time_zone(TrainingSession::EndsAt))
                    .col(string_len_null(TrainingSession::Place, 500))
                    .col(string_len_null(TrainingSession::OnlineUrl, 500))
                    .col(string_len(TrainingSession::Mode, 16))
                    .col(integer(TrainingSession::Capacity))
                    .col(string_len(TrainingSession::Audience, 100))
                    .col(text(TrainingSession::CoOrganizers))
                    .col(text(TrainingSession::Materials))
                    .col(integer(TrainingSession::Version))
                    .col(timestamp_with_time_zone(TrainingSession::CreatedAt))
                    .col(timestamp_with_time_zone(TrainingSession::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_organizer")
                            .from(TrainingSession::Table, TrainingSession::OrganizerId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingInvitation::Table)
                    .col(uuid(TrainingInvitation::SessionId))
                    .col(uuid(TrainingInvitation::AgencyId))
                    .col(integer_null(TrainingInvitation::Quota))
                    .primary_key(
                        Index::create()
                            .col(TrainingInvitation::SessionId)
                            .col(TrainingInvitation::AgencyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_invitation_session")
                            .from(TrainingInvitation::Table, TrainingInvitation::SessionId)
                            .to(TrainingSession::Table, TrainingSession::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_invitation_agency")
                            .from(TrainingInvitation::Table, TrainingInvitation::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingParticipant::Table)
                    .col(uuid(TrainingParticipant::Id).primary_key())
                    .col(uuid(TrainingParticipant::SessionId))
                    .col(uuid(TrainingParticipant::AgencyId))
                    .col(string_len(TrainingParticipant::FullName, 255))
                    .col(string_len_null(TrainingParticipant::Title, 255))
                    .col(string_len(TrainingParticipant::Category, 16))
                    .col(uuid_null(TrainingParticipant::RegisteredBy))
                    .col(timestamp_with_time_zone(TrainingParticipant::RegisteredAt))
                    .col(timestamp_with_time_zone_null(
                        TrainingParticipant::WithdrawnAt,
                    ))
                    .col(boolean_null(TrainingParticipant::Attended))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_participant_session")
                            .from(TrainingParticipant::Table, TrainingParticipant::SessionId)
                            .to(TrainingSession::Table, TrainingSession::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_participant_agency")
                            .from(TrainingParticipant::Table, TrainingParticipant::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_training_organizer",
                TrainingSession::Table.into_iden(),
                TrainingSession::OrganizerId.into_iden(),
            ),
            (
                "ix_training_starts_at",
                TrainingSession::Table.into_iden(),
                TrainingSession::StartsAt.into_iden(),
            ),
            (
                "ix_training_invitation_agency",
                TrainingInvitation::Table.into_iden(),
                TrainingInvitation::AgencyId.into_iden(),
            ),
            (
                "ix_training_participant_session",
                TrainingParticipant::Table.into_iden(),
                TrainingParticipant::SessionId.into_iden(),
            ),
            (
                "ix_training_participant_agency",
                TrainingParticipant::Table.into_iden(),
                TrainingParticipant::AgencyId.into_iden(),
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
            TrainingParticipant::Table.into_iden(),
            TrainingInvitation::Table.into_iden(),
            TrainingSession::Table.into_iden(),
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
enum TrainingSession {
    Table,
    Id,
    OrganizerId,
    Title,
    Topics,
    StartsAt,
    EndsAt,
    Place,
    OnlineUrl,
    Mode,
    Capacity,
    Audience,
    CoOrganizers,
    Materials,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingInvitation {
    Table,
    SessionId,
    AgencyId,
    Quota,
}

#[derive(DeriveIden)]
enum TrainingParticipant {
    Table,
    Id,
    SessionId,
    AgencyId,
    FullName,
    Title,
    Category,
    RegisteredBy,
    RegisteredAt,
    WithdrawnAt,
    Attended,
}
