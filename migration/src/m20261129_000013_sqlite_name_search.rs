//! A trigram full-text index of agency names on SQLite.
//!
//! The directory's search by agency name (`LIKE '%…%'`) read every agency's name: 2 ms for the
//! 15,300 agencies of the national data, growing with the table. `agency_name_fts` (FTS5 with the
//! trigram tokenizer, bundled with SQLite) finds the agencies whose folded name contains a text of
//! three characters or more in time that grows with the matches instead. It keeps its own copy
//! of each name, kept in step by triggers: an external-content table would be keyed by `rowid`,
//! which `VACUUM` may renumber on a table without an integer primary key. PostgreSQL has its
//! trigram index (migration 11) instead.

use sea_orm_migration::prelude::*;

const UP: [&str; 5] = [
    "CREATE VIRTUAL TABLE agency_name_fts USING fts5(id UNINDEXED, search_name, tokenize = 'trigram')",
    "INSERT INTO agency_name_fts (id, search_name) SELECT id, search_name FROM agency",
    "CREATE TRIGGER agency_name_fts_insert AFTER INSERT ON agency BEGIN \
         INSERT INTO agency_name_fts (id, search_name) VALUES (new.id, new.search_name); \
     END",
    "CREATE TRIGGER agency_name_fts_update AFTER UPDATE OF search_name ON agency BEGIN \
         DELETE FROM agency_name_fts WHERE id = old.id; \
         INSERT INTO agency_name_fts (id, search_name) VALUES (new.id, new.search_name); \
     END",
    "CREATE TRIGGER agency_name_fts_delete AFTER DELETE ON agency BEGIN \
         DELETE FROM agency_name_fts WHERE id = old.id; \
     END",
];

const DOWN: [&str; 4] = [
    "DROP TRIGGER IF EXISTS agency_name_fts_delete",
    "DROP TRIGGER IF EXISTS agency_name_fts_update",
    "DROP TRIGGER IF EXISTS agency_name_fts_insert",
    "DROP TABLE IF EXISTS agency_name_fts",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_on(manager, sea_orm::DatabaseBackend::Sqlite, &UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_on(manager, sea_orm::DatabaseBackend::Sqlite, &DOWN).await
    }
}
