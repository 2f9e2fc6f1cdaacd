//! Incidents: false information and events that need a statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incident::Table)
                    .col(uuid(Incident::Id).primary_key())
                    .col(uuid(Incident::ReportingAgencyId))
                    .col(uuid(Incident::AffectedAgencyId))
                    .col(uuid_null(Incident::HandlingAgencyId))
                    .col(string_len(Incident::SourceOutlet, 255))
                    .col(string_len_null(Incident::Link, 1000))
                    .col(string_len(Incident::Category, 32))
                    .col(text(Incident::Summary))
                    .col(timestamp_with_time_zone(Incident::AppearedAt))
                    .col(timestamp_with_time_zone(Incident::ReceivedAt))
                    .col(timestamp_with_time_zone(Incident::StatementDueAt))
                    .col(timestamp_with_time_zone_null(Incident::FirstStatementAt))
                    .col(uuid_null(Incident::CorrectionReleaseId))
                    .col(boolean(Incident::CorrectionRequested))
                    .col(string_len(Incident::Status, 16))
                    .col(text_null(Incident::Outcome))
                    .col(timestamp_with_time_zone_null(Incident::ClosedAt))
                    .col(integer(Incident::Version))
                    .col(timestamp_with_time_zone(Incident::CreatedAt))
                    .col(timestamp_with_time_zone(Incident::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_reporting")
                            .from(Incident::Table, Incident::ReportingAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_affected")
                            .from(Incident::Table, Incident::AffectedAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_handling")
                            .from(Incident::Table, Incident::HandlingAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incident_release")
                            .from(Incident::Table, Incident::CorrectionReleaseId)
                            .to(InformationRelease::Table, InformationRelease::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_incident_reporting", Incident::ReportingAgencyId),
            ("ix_incident_affected", Incident::AffectedAgencyId),
            ("ix_incident_handling", Incident::HandlingAgencyId),
            ("ix_incident_statement_due", Incident::StatementDueAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Incident::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Incident::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InformationRelease {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
    ReportingAgencyId,
    AffectedAgencyId,
    HandlingAgencyId,
    SourceOutlet,
    Link,
    Category,
    Summary,
    AppearedAt,
    ReceivedAt,
    StatementDueAt,
    FirstStatementAt,
    CorrectionReleaseId,
    CorrectionRequested,
    Status,
    Outcome,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}
