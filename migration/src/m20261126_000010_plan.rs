//! Plans, their tasks and progress notes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Plan::Table)
                    .col(uuid(Plan::Id).primary_key())
                    .col(uuid(Plan::AgencyId))
                    .col(integer(Plan::Year))
                    .col(string_len_null(Plan::DocNumber, 64))
                    .col(date_null(Plan::DocDate))
                    .col(string_len(Plan::Title, 500))
                    .col(text_null(Plan::Purpose))
                    .col(text_null(Plan::BudgetNote))
                    .col(uuid_null(Plan::ImplementsId))
                    .col(integer(Plan::Version))
                    .col(timestamp_with_time_zone(Plan::CreatedAt))
                    .col(timestamp_with_time_zone(Plan::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_agency")
                            .from(Plan::Table, Plan::AgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_implements")
                            .from(Plan::Table, Plan::ImplementsId)
                            .to(Plan::Table, Plan::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanTask::Table)
                    .col(uuid(PlanTask::Id).primary_key())
                    .col(uuid(PlanTask::PlanId))
                    .col(text(PlanTask::Content))
                    .col(uuid(PlanTask::LeadAgencyId))
                    .col(text(PlanTask::Coordinators))
                    .col(date_null(PlanTask::DueDate))
                    .col(string_len(PlanTask::Status, 16))
                    .col(integer(PlanTask::Version))
                    .col(timestamp_with_time_zone(PlanTask::CreatedAt))
                    .col(timestamp_with_time_zone(PlanTask::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_task_plan")
                            .from(PlanTask::Table, PlanTask::PlanId)
                            .to(Plan::Table, Plan::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_task_lead")
                            .from(PlanTask::Table, PlanTask::LeadAgencyId)
                            .to(Agency::Table, Agency::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanTaskProgress::Table)
                    .col(uuid(PlanTaskProgress::Id).primary_key())
                    .col(uuid(PlanTaskProgress::TaskId))
                    .col(date(PlanTaskProgress::NotedOn))
                    .col(text(PlanTaskProgress::Note))
                    .col(string_len(PlanTaskProgress::Status, 16))
                    .col(uuid_null(PlanTaskProgress::RecordedBy))
                    .col(timestamp_with_time_zone(PlanTaskProgress::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_task_progress_task")
                            .from(PlanTaskProgress::Table, PlanTaskProgress::TaskId)
                            .to(PlanTask::Table, PlanTask::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_plan_agency",
                Plan::Table.into_iden(),
                Plan::AgencyId.into_iden(),
            ),
            (
                "ix_plan_implements",
                Plan::Table.into_iden(),
                Plan::ImplementsId.into_iden(),
            ),
            (
                "ix_plan_task_plan",
                PlanTask::Table.into_iden(),
                PlanTask::PlanId.into_iden(),
            ),
            (
                "ix_plan_task_lead",
                PlanTask::Table.into_iden(),
                PlanTask::LeadAgencyId.into_iden(),
            ),
            (
                "ix_plan_task_progress_task",
                PlanTaskProgress::Table.into_iden(),
                PlanTaskProgress::TaskId.into_iden(),
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
            PlanTaskProgress::Table.into_iden(),
            PlanTask::Table.into_iden(),
            Plan::Table.into_iden(),
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
enum Plan {
    Table,
    Id,
    AgencyId,
    Year,
    DocNumber,
    DocDate,
    Title,
    Purpose,
    BudgetNote,
    ImplementsId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanTask {
    Table,
    Id,
    PlanId,
    Content,
    LeadAgencyId,
    Coordinators,
    DueDate,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanTaskProgress {
    Table,
    Id,
    TaskId,
    NotedOn,
    Note,
    Status,
    RecordedBy,
    RecordedAt,
}
