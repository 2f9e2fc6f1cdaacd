//! Lists of reports are ordered by due date, then by id (the keyset of their pages), and many
//! reports share a due date (every recipient of an obligation has the same one). With an
//! index of the due date alone, PostgreSQL sorts each group of equal dates it meets before it
//! can stop: for the department's received reports nationally it walked 9,997 reports to keep
//! the 295 of the first date, for a page of 21. An index of `(due_date, id)` gives the whole
//! order, so the walk stops at the 21st report that passes; it replaces `ix_report_due_date`.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Report {
    Table,
    DueDate,
    Id,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_report_due_date_id")
                    .table(Report::Table)
                    .col(Report::DueDate)
                    .col(Report::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_report_due_date")
                    .table(Report::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_report_due_date")
                    .table(Report::Table)
                    .col(Report::DueDate)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_report_due_date_id")
                    .table(Report::Table)
                    .to_owned(),
            )
            .await
    }
}
