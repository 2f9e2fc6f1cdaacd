//! The register of document numbers: one number and symbol per issuing agency and year, across
//! obligations, plans, releases and reports, enforced by a unique index so that two concurrent
//! requests cannot both take a number. Existing numbers are registered (a repeated one keeps
//! its first record).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum IssuedDocument {
    Table,
    RecordType,
    RecordId,
    IssuerAgencyId,
    Year,
    Number,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IssuedDocument::Table)
                    .col(
                        ColumnDef::new(IssuedDocument::RecordType)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IssuedDocument::RecordId).uuid().not_null())
                    .col(
                        ColumnDef::new(IssuedDocument::IssuerAgencyId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(IssuedDocument::Year).integer().not_null())
                    .col(
                        ColumnDef::new(IssuedDocument::Number)
                            .string_len(64)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IssuedDocument::RecordType)
                            .col(IssuedDocument::RecordId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issued_document_number_unique")
                    .table(IssuedDocument::Table)
                    .col(IssuedDocument::IssuerAgencyId)
                    .col(IssuedDocument::Year)
                    .col(IssuedDocument::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        crate::register_documents(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IssuedDocument::Table).to_owned())
            .await
    }
}
