//! Reporting: templates, obligations (with their amendments), reports and their submitted
//! versions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportTemplate::Table)
                    .col(uuid(ReportTemplate::Id).primary_key())
                    .col(string_len(ReportTemplate::Code, 64))
                    .col(integer(ReportTemplate::Version))
                    .col(string_len(ReportTemplate::Name, 255))
                    .col(text_null(ReportTemplate::Description))
                    .col(text(ReportTemplate::Sections))
                    .col(text(ReportTemplate::Metrics))
                    .col(timestamp_with_time_zone(ReportTemplate::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_report_template_code_version")
                    .table(ReportTemplate::Table)
                    .col(ReportTemplate::Code)
                    .col(ReportTemplate::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportingObligation::Table)
                    .col(uuid(ReportingObligation::Id).primary_key())
                    .col(uuid(ReportingObligation::IssuerAgencyId))
                    .col(string_len_null(ReportingObligation::DocNumber, 64))
                    .col(date_null(ReportingObligation::DocDate))
                    .col(string_len(ReportingObligation::Title, 500))
                    .col(string_len(ReportingObligation::PeriodKind, 16))
                    .col(date(ReportingObligation::PeriodStart))
                    .col(date(ReportingObligation::PeriodEnd))
                    .col(date(ReportingObligation::DueDate))
                    .col(uuid(ReportingObligation::TemplateId))
                    .col(uuid_null(ReportingObligation::ParentId))
                    .col(string_len(ReportingObligation::Status, 16))
                    .col(text_null(ReportingObligation::WithdrawalReason))
                    .col(integer(ReportingObligation::Version))
                    .col(timestamp_with_time_zone(ReportingObligation::CreatedAt))
                    .col(timestamp_with_time_zone(ReportingObligation::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_obligation_issuer",
                        (
                            ReportingObligation::Table,
                            ReportingObligation::IssuerAgencyId,
                        ),
                        (Agency::Table, Agency::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_obligation_template",
                        (ReportingObligation::Table, ReportingObligation::TemplateId),
                        (ReportTemplate::Table, ReportTemplate::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_obligation_parent",
                        (ReportingObligation::Table, ReportingObligation::ParentId),
                        (ReportingObligation::Table, ReportingObligation::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ObligationAmendment::Table)
                    .col(uuid(ObligationAmendment::Id).primary_key())
                    .col(uuid(ObligationAmendment::ObligationId))
                    .col(timestamp_with_time_zone(ObligationAmendment::AmendedAt))
                    .col(uuid_null(ObligationAmendment::AmendedBy))
                    .col(text(ObligationAmendment::Change))
                    .foreign_key(&mut fk(
                        "fk_amendment_obligation",
                        (
                            ObligationAmendment::Table,
                            ObligationAmendment::ObligationId,
                        ),
                        (ReportingObligation::Table, ReportingObligation::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Report::Table)
                    .col(uuid(Report::Id).primary_key())
                    .col(uuid(Report::ObligationId))
                    .col(uuid(Report::RecipientAgencyId))
                    .col(string_len(Report::Status, 16))
                    .col(date(Report::DueDate))
                    .col(text(Report::Sections))
                    .col(text(Report::Metrics))
                    .col(string_len_null(Report::SignerName, 255))
                    .col(string_len_null(Report::SignerTitle, 255))
                    .col(string_len_null(Report::DocNumber, 64))
                    .col(date_null(Report::DocDate))
                    .col(timestamp_with_time_zone_null(Report::SubmittedAt))
                    .col(boolean_null(Report::Late))
                    .col(text_null(Report::ReviewComment))
                    .col(timestamp_with_time_zone_null(Report::ReviewedAt))
                    .col(integer(Report::Version))
                    .col(timestamp_with_time_zone(Report::CreatedAt))
                    .col(timestamp_with_time_zone(Report::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_report_obligation",
                        (Report::Table, Report::ObligationId),
                        (ReportingObligation::Table, ReportingObligation::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_report_recipient",
                        (Report::Table, Report::RecipientAgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_report_obligation_recipient")
                    .table(Report::Table)
                    .col(Report::ObligationId)
                    .col(Report::RecipientAgencyId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportVersion::Table)
                    .col(uuid(ReportVersion::Id).primary_key())
                    .col(uuid(ReportVersion::ReportId))
                    .col(integer(ReportVersion::Number))
                    .col(timestamp_with_time_zone(ReportVersion::SubmittedAt))
                    .col(uuid_null(ReportVersion::SubmittedBy))
                    .col(boolean(ReportVersion::Late))
                    .col(text(ReportVersion::Content))
                    .foreign_key(&mut fk(
                        "fk_report_version_report",
                        (ReportVersion::Table, ReportVersion::ReportId),
                        (Report::Table, Report::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_report_version_number")
                    .table(ReportVersion::Table)
                    .col(ReportVersion::ReportId)
                    .col(ReportVersion::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_obligation_issuer",
                ReportingObligation::Table.into_iden(),
                ReportingObligation::IssuerAgencyId.into_iden(),
            ),
            (
                "ix_obligation_parent",
                ReportingObligation::Table.into_iden(),
                ReportingObligation::ParentId.into_iden(),
            ),
            (
                "ix_obligation_due_date",
                ReportingObligation::Table.into_iden(),
                ReportingObligation::DueDate.into_iden(),
            ),
            (
                "ix_report_recipient",
                Report::Table.into_iden(),
                Report::RecipientAgencyId.into_iden(),
            ),
            (
                "ix_report_due_date",
                Report::Table.into_iden(),
                Report::DueDate.into_iden(),
            ),
            (
                "ix_amendment_obligation",
                ObligationAmendment::Table.into_iden(),
                ObligationAmendment::ObligationId.into_iden(),
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
            ReportVersion::Table.into_iden(),
            Report::Table.into_iden(),
            ObligationAmendment::Table.into_iden(),
            ReportingObligation::Table.into_iden(),
            ReportTemplate::Table.into_iden(),
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
enum ReportTemplate {
    Table,
    Id,
    Code,
    Version,
    Name,
    Description,
    Sections,
    Metrics,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportingObligation {
    Table,
    Id,
    IssuerAgencyId,
    DocNumber,
    DocDate,
    Title,
    PeriodKind,
    PeriodStart,
    PeriodEnd,
    DueDate,
    TemplateId,
    ParentId,
    Status,
    WithdrawalReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ObligationAmendment {
    Table,
    Id,
    ObligationId,
    AmendedAt,
    AmendedBy,
    Change,
}

#[derive(DeriveIden)]
enum Report {
    Table,
    Id,
    ObligationId,
    RecipientAgencyId,
    Status,
    DueDate,
    Sections,
    Metrics,
    SignerName,
    SignerTitle,
    DocNumber,
    DocDate,
    SubmittedAt,
    Late,
    ReviewComment,
    ReviewedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportVersion {
    Table,
    Id,
    ReportId,
    Number,
    SubmittedAt,
    SubmittedBy,
    Late,
    Content,
}
