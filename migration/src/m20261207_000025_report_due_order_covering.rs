//! On PostgreSQL the index of the reports' list order, `(due_date, id)`, also holds the two
//! columns the visibility rule tests (`INCLUDE (recipient_agency_id, obligation_id)`), so that
//! a page of a scoped list walks the index alone and reads from the table only the rows it
//! keeps (`db::keys_first`). For the department's received reports nationally the walk passes
//! about 600 reports of other provinces before its first page. SQLite keeps its index: it has
//! no `INCLUDE`, and its page is found another way (`reporting::report_lists`).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveIden)]
enum Report {
    Table,
    DueDate,
    Id,
    RecipientAgencyId,
    ObligationId,
}

const NAME: &str = "ix_report_due_date_id";

#[derive(DeriveMigrationName)]
pub struct Migration;

fn due_order() -> IndexCreateStatement {
    Index::create()
        .name(NAME)
        .table(Report::Table)
        .col(Report::DueDate)
        .col(Report::Id)
        .to_owned()
}

async fn replace(manager: &SchemaManager<'_>, index: IndexCreateStatement) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    manager
        .drop_index(Index::drop().name(NAME).table(Report::Table).to_owned())
        .await?;
    manager.create_index(index).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let covering = due_order()
            .include(Report::RecipientAgencyId)
            .include(Report::ObligationId)
            .to_owned();
        replace(manager, covering).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace(manager, due_order()).await
    }
}
