//! Files kept with records (`stored_file`): the signed scan or the final file of an
//! obligation's request letter, a report, a plan or a release. The bytes live in the blob
//! store under `blob_key`; a row is never updated or deleted: a new upload for the same record
//! and kind takes the next `sequence` and supersedes the one before (the history stays).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum StoredFile {
    Table,
    Id,
    RecordType,
    RecordId,
    Kind,
    Sequence,
    Name,
    MediaType,
    SizeBytes,
    Sha256,
    BlobKey,
    Note,
    UploadedBy,
    AgencyId,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StoredFile::Table)
                    .col(
                        ColumnDef::new(StoredFile::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(StoredFile::RecordType)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(StoredFile::RecordId).uuid().not_null())
                    .col(ColumnDef::new(StoredFile::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(StoredFile::Sequence).integer().not_null())
                    .col(ColumnDef::new(StoredFile::Name).string_len(255).not_null())
                    .col(
                        ColumnDef::new(StoredFile::MediaType)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredFile::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(StoredFile::Sha256).string_len(64).not_null())
                    .col(
                        ColumnDef::new(StoredFile::BlobKey)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(ColumnDef::new(StoredFile::Note).string_len(1000))
                    .col(ColumnDef::new(StoredFile::UploadedBy).uuid())
                    .col(ColumnDef::new(StoredFile::AgencyId).uuid())
                    .col(
                        ColumnDef::new(StoredFile::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per place in a record's history: two uploads racing for the same place
        // cannot both land.
        manager
            .create_index(
                Index::create()
                    .name("ux_stored_file_sequence")
                    .table(StoredFile::Table)
                    .col(StoredFile::RecordType)
                    .col(StoredFile::RecordId)
                    .col(StoredFile::Kind)
                    .col(StoredFile::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_stored_file_blob")
                    .table(StoredFile::Table)
                    .col(StoredFile::BlobKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StoredFile::Table).to_owned())
            .await
    }
}
