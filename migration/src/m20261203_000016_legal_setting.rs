//! Legal deadlines as data: the `legal_setting` table (one value of one setting from one date
//! on, nationally or for one province), and the spokesperson's publication deadline stored with
//! the appointment instead of computed from a constant, so that a later change of the window
//! never moves a deadline already set.

use sea_orm_migration::prelude::*;

use crate::run_on;

#[derive(DeriveIden)]
enum LegalSetting {
    Table,
    Id,
    Key,
    ProvinceAgencyId,
    Value,
    EffectiveFrom,
    Note,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum Spokesperson {
    Table,
    PublicationDueAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LegalSetting::Table)
                    .col(
                        ColumnDef::new(LegalSetting::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(LegalSetting::Key).string_len(48).not_null())
                    .col(ColumnDef::new(LegalSetting::ProvinceAgencyId).uuid())
                    .col(ColumnDef::new(LegalSetting::Value).integer().not_null())
                    .col(
                        ColumnDef::new(LegalSetting::EffectiveFrom)
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(LegalSetting::Note).text())
                    .col(ColumnDef::new(LegalSetting::CreatedBy).uuid())
                    .col(
                        ColumnDef::new(LegalSetting::CreatedByName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LegalSetting::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(LegalSetting::WithdrawnAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(LegalSetting::Table, LegalSetting::ProvinceAgencyId)
                            .to(Alias::new("agency"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        // One live value per setting, place and date, also when two changes race: the national
        // rows (no province) and the provincial ones each have their own unique index, since a
        // NULL never collides in a unique index. The same SQL on both databases.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX legal_setting_national ON legal_setting (key, effective_from) \
             WHERE province_agency_id IS NULL AND withdrawn_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX legal_setting_provincial ON legal_setting \
             (key, province_agency_id, effective_from) \
             WHERE province_agency_id IS NOT NULL AND withdrawn_at IS NULL",
        )
        .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Spokesperson::Table)
                    .add_column(
                        ColumnDef::new(Spokesperson::PublicationDueAt)
                            .timestamp_with_time_zone()
                            .not_null()
                            .default("1970-01-01T00:00:00+00:00"),
                    )
                    .to_owned(),
            )
            .await?;
        // The appointments already recorded keep the window they were made under (24 hours).
        run_on(
            manager,
            sea_orm::DatabaseBackend::Postgres,
            &[
                "UPDATE spokesperson SET publication_due_at = created_at + INTERVAL '24 hours'",
                "ALTER TABLE spokesperson ALTER COLUMN publication_due_at DROP DEFAULT",
            ],
        )
        .await?;
        run_on(
            manager,
            sea_orm::DatabaseBackend::Sqlite,
            &["UPDATE spokesperson SET publication_due_at = \
               strftime('%Y-%m-%dT%H:%M:%f+00:00', created_at, '+24 hours')"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Spokesperson::Table)
                    .drop_column(Spokesperson::PublicationDueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(LegalSetting::Table).to_owned())
            .await
    }
}
