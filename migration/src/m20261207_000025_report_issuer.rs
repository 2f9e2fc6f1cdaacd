//! A report carries its obligation's issuer (`issuer_agency_id`), copied when the report is
//! made, as it carries the due date: an obligation's issuer never changes, and the database
//! refuses a report whose copy differs from its obligation's (PostgreSQL through a foreign
//! key on `(obligation_id, issuer_agency_id)`, SQLite through triggers). The reports' visibility
//! rule ("addressed to an agency in scope, or of an obligation issued in scope") then reads
//! both of its terms from the report's own row, against the same set of agencies.
//!
//! On PostgreSQL the index of the reports' list order, `(due_date, id)`, also holds the two
//! columns the rule tests (`INCLUDE`), so that a page of a scoped list walks the index alone
//! and reads from the table only the rows it keeps (`db::keys_first`): for the department's
//! received reports nationally the walk passes about 600 reports of other provinces before its
//! first page. `(issuer_agency_id, recipient_agency_id)` serves the rule's second term, counted
//! apart. SQLite has no `INCLUDE`; its page is found another way (`reporting::report_lists`).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Report {
    Table,
    IssuerAgencyId,
}

const BACKFILL: &str = "UPDATE report SET issuer_agency_id = (SELECT o.issuer_agency_id \
     FROM reporting_obligation o WHERE o.id = report.obligation_id)";

const POSTGRES_UP: [&str; 6] = [
    "ALTER TABLE report ALTER COLUMN issuer_agency_id SET NOT NULL",
    "ALTER TABLE reporting_obligation ADD CONSTRAINT ux_obligation_id_issuer \
     UNIQUE (id, issuer_agency_id)",
    "ALTER TABLE report ADD CONSTRAINT fk_report_obligation_issuer \
     FOREIGN KEY (obligation_id, issuer_agency_id) \
     REFERENCES reporting_obligation (id, issuer_agency_id)",
    "DROP INDEX ix_report_due_date_id",
    "CREATE INDEX ix_report_due_date_id ON report (due_date, id) \
     INCLUDE (recipient_agency_id, issuer_agency_id)",
    "CREATE INDEX ix_report_issuer ON report (issuer_agency_id, recipient_agency_id)",
];

const POSTGRES_DOWN: [&str; 5] = [
    "DROP INDEX ix_report_issuer",
    "DROP INDEX ix_report_due_date_id",
    "CREATE INDEX ix_report_due_date_id ON report (due_date, id)",
    "ALTER TABLE report DROP CONSTRAINT fk_report_obligation_issuer",
    "ALTER TABLE reporting_obligation DROP CONSTRAINT ux_obligation_id_issuer",
];

/// The copy must be the obligation's issuer, on every insert and on every change of either.
const SQLITE_UP: [&str; 3] = [
    "CREATE TRIGGER report_issuer_insert BEFORE INSERT ON report \
     WHEN NEW.issuer_agency_id IS NULL OR NEW.issuer_agency_id IS NOT \
         (SELECT issuer_agency_id FROM reporting_obligation WHERE id = NEW.obligation_id) \
     BEGIN SELECT RAISE(ABORT, 'a report''s issuer_agency_id is its obligation''s issuer'); END",
    "CREATE TRIGGER report_issuer_update BEFORE UPDATE OF issuer_agency_id, obligation_id \
     ON report \
     WHEN NEW.issuer_agency_id IS NULL OR NEW.issuer_agency_id IS NOT \
         (SELECT issuer_agency_id FROM reporting_obligation WHERE id = NEW.obligation_id) \
     BEGIN SELECT RAISE(ABORT, 'a report''s issuer_agency_id is its obligation''s issuer'); END",
    "CREATE INDEX ix_report_issuer ON report (issuer_agency_id, recipient_agency_id)",
];

const SQLITE_DOWN: [&str; 3] = [
    "DROP INDEX ix_report_issuer",
    "DROP TRIGGER report_issuer_update",
    "DROP TRIGGER report_issuer_insert",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Report::Table)
                    .add_column(ColumnDef::new(Report::IssuerAgencyId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        crate::run_on(manager, sea_orm::DatabaseBackend::Postgres, &POSTGRES_UP).await?;
        crate::run_on(manager, sea_orm::DatabaseBackend::Sqlite, &SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_on(manager, sea_orm::DatabaseBackend::Postgres, &POSTGRES_DOWN).await?;
        crate::run_on(manager, sea_orm::DatabaseBackend::Sqlite, &SQLITE_DOWN).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Report::Table)
                    .drop_column(Report::IssuerAgencyId)
                    .to_owned(),
            )
            .await
    }
}
