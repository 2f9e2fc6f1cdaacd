//! Per-request DataLoaders: any field resolved per item of a list goes through one of these, so a
//! page of 100 agencies asking for their parents costs one query, not 100. They are created for
//! each request, so a cache never crosses callers.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::agency;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{agency::service as agency_service, error::AppError};

/// Every loader of one request.
pub struct Loaders {
    /// Agencies by id.
    pub agency: DataLoader<AgencyById>,
    /// Spokespersons serving today, by agency.
    pub spokespeople: DataLoader<SpokespeopleByAgency>,
}

impl Loaders {
    /// Fresh loaders for one request; `press_view` hides what the press may not see
    /// (unpublished spokespersons).
    pub fn new(db: &DatabaseConnection, press_view: bool) -> Self {
        Self {
            agency: DataLoader::new(AgencyById { db: db.clone() }, tokio::spawn),
            spokespeople: DataLoader::new(
                SpokespeopleByAgency {
                    db: db.clone(),
                    include_unpublished: !press_view,
                },
                tokio::spawn,
            ),
        }
    }
}

/// Loads the spokespersons serving today for each agency.
pub struct SpokespeopleByAgency {
    db: DatabaseConnection,
    include_unpublished: bool,
}

impl Loader<Uuid> for SpokespeopleByAgency {
    type Value = Vec<entity::spokesperson::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = crate::spokesperson::service::serving_for_agencies(
            &self.db,
            keys,
            self.include_unpublished,
        )
        .await?;
        let mut by_agency: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_agency.entry(row.agency_id).or_default().push(row);
        }
        Ok(by_agency)
    }
}

/// Loads agencies by id.
pub struct AgencyById {
    db: DatabaseConnection,
}

impl Loader<Uuid> for AgencyById {
    type Value = agency::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = agency_service::by_ids(&self.db, keys).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
