//! Database migrations of ttdn. Each migration is written once with sea-query's portable schema
//! builder and runs unchanged on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_agency;
mod m20261124_000002_identity;
mod m20261125_000003_spokesperson;
mod m20261125_000004_press_event;
mod m20261125_000005_information_release;
mod m20261125_000006_press_request;
mod m20261126_000007_reporting;
mod m20261126_000008_incident;
mod m20261126_000009_training;
mod m20261126_000010_plan;
mod m20261127_000011_scale_indexes;
mod m20261128_000012_search_indexes;
mod m20261129_000013_sqlite_name_search;
mod m20261202_000014_issued_document;
mod m20261202_000015_report_save;
mod m20261203_000016_legal_setting;
mod m20261203_000017_events;
mod m20261203_000018_reminder;
mod m20261203_000019_mail;
mod m20261203_000020_idempotency;
mod m20261206_000021_change_feed;
mod m20261206_000022_webhook;
mod m20261206_000023_stored_file;
mod m20261206_000024_report_due_order;
mod m20261207_000025_report_issuer;
mod m20261207_000026_spokesperson_name_agency;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_agency::Migration),
            Box::new(m20261124_000002_identity::Migration),
            Box::new(m20261125_000003_spokesperson::Migration),
            Box::new(m20261125_000004_press_event::Migration),
            Box::new(m20261125_000005_information_release::Migration),
            Box::new(m20261125_000006_press_request::Migration),
            Box::new(m20261126_000007_reporting::Migration),
            Box::new(m20261126_000008_incident::Migration),
            Box::new(m20261126_000009_training::Migration),
            Box::new(m20261126_000010_plan::Migration),
            Box::new(m20261127_000011_scale_indexes::Migration),
            Box::new(m20261128_000012_search_indexes::Migration),
            Box::new(m20261129_000013_sqlite_name_search::Migration),
            Box::new(m20261202_000014_issued_document::Migration),
            Box::new(m20261202_000015_report_save::Migration),
            Box::new(m20261203_000016_legal_setting::Migration),
            Box::new(m20261203_000017_events::Migration),
            Box::new(m20261203_000018_reminder::Migration),
            Box::new(m20261203_000019_mail::Migration),
            Box::new(m20261203_000020_idempotency::Migration),
            Box::new(m20261206_000021_change_feed::Migration),
            Box::new(m20261206_000022_webhook::Migration),
            Box::new(m20261206_000023_stored_file::Migration),
            Box::new(m20261206_000024_report_due_order::Migration),
            Box::new(m20261207_000025_report_issuer::Migration),
            Box::new(m20261207_000026_spokesperson_name_agency::Migration),
        ]
    }
}

/// Runs `statements` in order when the database is `backend`; elsewhere does nothing. For the
/// migrations that tune one database (indexes, collations, full-text tables).
async fn run_on(
    manager: &SchemaManager<'_>,
    backend: sea_orm::DatabaseBackend,
    statements: &[&str],
) -> Result<(), DbErr> {
    if manager.get_database_backend() == backend {
        for statement in statements {
            manager
                .get_connection()
                .execute_unprepared(statement)
                .await?;
        }
    }
    Ok(())
}

/// The tables whose rows carry a document number: (record type, table, issuing agency column).
const NUMBERED: [(&str, &str, &str); 4] = [
    (
        "ReportingObligation",
        "reporting_obligation",
        "issuer_agency_id",
    ),
    ("Plan", "plan", "agency_id"),
    (
        "InformationRelease",
        "information_release",
        "issuing_agency_id",
    ),
    ("Report", "report", "recipient_agency_id"),
];

/// Registers in `issued_document` every document number recorded in the numbered tables and
/// not registered yet; of numbers repeated in old data the first stays registered. Run by the
/// migration that creates the register, and after loading demo or synthetic data written
/// directly to the tables.
pub async fn register_documents<C: sea_orm::ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let year = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "CAST(EXTRACT(YEAR FROM doc_date) AS INTEGER)",
        _ => "CAST(strftime('%Y', doc_date) AS INTEGER)",
    };
    for (record_type, table, issuer) in NUMBERED {
        db.execute_unprepared(&format!(
            "INSERT INTO issued_document (record_type, record_id, issuer_agency_id, year, number) \
             SELECT '{record_type}', id, {issuer}, {year}, doc_number FROM \"{table}\" \
             WHERE doc_number IS NOT NULL AND doc_date IS NOT NULL ORDER BY created_at, id \
             ON CONFLICT DO NOTHING"
        ))
        .await?;
    }
    Ok(())
}
