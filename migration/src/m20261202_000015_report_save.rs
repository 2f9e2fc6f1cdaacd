//! The history of a report's working copy: one row per save or submission, with the changes
//! as given, who and when.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ReportSave {
    Table,
    Id,
    ReportId,
    Kind,
    Changes,
    SavedBy,
    SavedByName,
    SavedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportSave::Table)
                    .col(
                        ColumnDef::new(ReportSave::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ReportSave::ReportId).uuid().not_null())
                    .col(ColumnDef::new(ReportSave::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(ReportSave::Changes).text().not_null())
                    .col(ColumnDef::new(ReportSave::SavedBy).uuid())
                    .col(
                        ColumnDef::new(ReportSave::SavedByName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReportSave::SavedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("report_save_report")
                    .table(ReportSave::Table)
                    .col(ReportSave::ReportId)
                    .col(ReportSave::SavedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportSave::Table).to_owned())
            .await
    }
}
