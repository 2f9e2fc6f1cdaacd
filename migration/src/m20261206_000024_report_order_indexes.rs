//! A report list under a visibility rule is read parent by parent: for each agency in the
//! caller's scope and each obligation issued there, its own first reports in due-date order
//! (`db::first_of_union`). Each walk needs an index of the parent's column followed by the
//! list's order: `(recipient_agency_id, due_date, id)` and `(obligation_id, due_date, id)`.
//! The first also serves "what do I owe" (one recipient, soonest due first) and lookups by
//! recipient, so it replaces `ix_report_recipient`.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Report {
    Table,
    RecipientAgencyId,
    ObligationId,
    DueDate,
    Id,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, parent) in [
            ("ix_report_recipient_due", Report::RecipientAgencyId),
            ("ix_report_obligation_due", Report::ObligationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Report::Table)
                        .col(parent)
                        .col(Report::DueDate)
                        .col(Report::Id)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_report_recipient")
                    .table(Report::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_report_recipient")
                    .table(Report::Table)
                    .col(Report::RecipientAgencyId)
                    .to_owned(),
            )
            .await?;
        for name in ["ix_report_recipient_due", "ix_report_obligation_due"] {
            manager
                .drop_index(Index::drop().name(name).table(Report::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
