//! Indexes for national-scale data on PostgreSQL.
//!
//! Subtree filters are `path LIKE '/…/%'`. PostgreSQL uses a plain B-tree index for such a
//! prefix only under the `C` collation; an index with `text_pattern_ops` serves it under any
//! collation (a production database is often created with a Vietnamese or `en_US` one). SQLite
//! needs no new index: the server turns on `case_sensitive_like` on each connection, which lets
//! SQLite use the existing `ix_agency_path` for the same prefix.
//!
//! Superseded since: subtree filters are path ranges, `agency.path` is compared under `C` and
//! this pattern index is dropped (migration 12), and the server no longer changes
//! `case_sensitive_like`.

use sea_orm_migration::prelude::*;

/// Creates `pg_trgm` when allowed, then the trigram indexes when it exists.
const TRIGRAM_INDEXES: &str = r#"
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): name searches will scan', SQLERRM;
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS ix_agency_search_trgm
            ON agency USING gin (search_name gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS ix_spokesperson_search_trgm
            ON spokesperson USING gin (search_name gin_trgm_ops);
    END IF;
END $$;
"#;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS ix_agency_path_pattern ON agency (path text_pattern_ops)",
                )
                .await?;
            manager
                .get_connection()
                .execute_unprepared(TRIGRAM_INDEXES)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "DROP INDEX IF EXISTS ix_agency_path_pattern; \
                     DROP INDEX IF EXISTS ix_agency_search_trgm; \
                     DROP INDEX IF EXISTS ix_spokesperson_search_trgm",
                )
                .await?;
        }
        Ok(())
    }
}
