//! Per-request DataLoaders: any field resolved per item of a list goes through one of these, so a
//! page of 100 agencies asking for their parents costs one query, not 100. They are created for
//! each request, so a cache never crosses callers.
//!
//! A loader reads as soon as the request's task has gone through the list once ([`BATCH_WAIT`]
//! is zero), not after async-graphql's default of a millisecond: every key of a list is asked
//! for in that one pass, because the list's items are polled together and the load runs as a
//! task of the same worker thread (each actix-web worker is a single-threaded runtime), so it
//! cannot start before the pass ends. The millisecond was a wait on another thread's timer at
//! each level of a response (two for a report's obligation and that obligation's issuer),
//! with nothing more to collect.
//!
//! A list that reads in its own statement what its items show beside them (a list of reports
//! reads each report's obligation, issuer and recipient) hands those rows to the loaders
//! ([`Loaders::prime`], [`Loaders::prime_agency`]): the fields then find them without a
//! statement of their own.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    hash::{Hash, Hasher},
    marker::PhantomData,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::agency;
use sea_orm::{
    DatabaseConnection, EntityTrait, ModelTrait, Order, QueryFilter, QueryOrder, Select,
    sea_query::ValueType,
};
use uuid::Uuid;

use crate::{
    agency::service as agency_service,
    auth::actor::Actor,
    error::{AppError, AppResult},
};

/// How long a loader waits for more keys after the first: none, see the module's doc.
pub const BATCH_WAIT: Duration = Duration::ZERO;

/// Every loader of one request.
pub struct Loaders {
    /// Agencies by id.
    pub agency: DataLoader<AgencyById>,
    /// Spokespersons serving today, by agency, whole.
    pub spokespeople: DataLoader<SpokespeopleByAgency<entity::spokesperson::Model>>,
    /// Spokespersons serving today, by agency, their cards only.
    pub spokesperson_cards: DataLoader<SpokespeopleByAgency<entity::spokesperson::Card>>,
    /// Every [`Relation`]: rows by the value of a key column.
    related: DataLoader<Related>,
    /// Rows read beside a list's own, by the loader they stand in for (the relation's type, or
    /// [`AgencyById`]) and key.
    primed: Mutex<HashMap<(TypeId, Uuid), Arc<dyn Any + Send + Sync>>>,
}

/// A way to reach rows from a key: the rows of `Entity` whose [`Relation::key`] column holds
/// the key, among those [`Relation::select`] lets the caller see, in [`Relation::order`].
/// A relation is declared once, as a unit struct beside the service that owns the table, and
/// loaded with [`Loaders::many`] or [`Loaders::one`]: all the keys a response needs are read
/// with one statement.
pub trait Relation: Send + Sync + 'static {
    /// The table.
    type Entity: EntityTrait;
    /// The column holding the key (a UUID).
    fn key() -> <Self::Entity as EntityTrait>::Column;
    /// The rows `actor` may see (all by default).
    fn select(actor: Option<&Actor>) -> AppResult<Select<Self::Entity>> {
        let _ = actor;
        Ok(Self::Entity::find())
    }
    /// The order of the rows of one key (none by default: declare one where the order shows).
    fn order() -> Vec<(<Self::Entity as EntityTrait>::Column, Order)> {
        Vec::new()
    }
}

/// The actor of a relation that needs one (`UNAUTHENTICATED` without).
pub fn signed_in(actor: Option<&Actor>) -> AppResult<&Actor> {
    actor.ok_or(AppError::Unauthenticated)
}

/// The model of a relation's table.
pub type RowOf<R> = <<R as Relation>::Entity as EntityTrait>::Model;

/// The key of one relation in the DataLoader.
pub struct RelationKey<R>(Uuid, PhantomData<fn() -> R>);

impl<R> Clone for RelationKey<R> {
    fn clone(&self) -> Self {
        Self(self.0, PhantomData)
    }
}

impl<R> PartialEq for RelationKey<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R> Eq for RelationKey<R> {}

impl<R> Hash for RelationKey<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// Loads every [`Relation`].
pub struct Related {
    db: DatabaseConnection,
    actor: Option<Arc<Actor>>,
}

impl<R: Relation> Loader<RelationKey<R>> for Related
where
    RowOf<R>: Sync,
{
    type Value = Vec<RowOf<R>>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[RelationKey<R>],
    ) -> Result<HashMap<RelationKey<R>, Self::Value>, Self::Error> {
        let backend = self.db.get_database_backend();
        let mut select = R::select(self.actor.as_deref())?.filter(crate::db::key_in(
            backend,
            R::key(),
            keys.iter().map(|k| k.0),
        ));
        for (column, order) in R::order() {
            select = select.order_by(column, order);
        }
        let rows = select.all(&self.db).await?;
        let mut grouped: HashMap<RelationKey<R>, Self::Value> = HashMap::new();
        for row in rows {
            let key = <Uuid as ValueType>::try_from(row.get(R::key())).map_err(|_| {
                AppError::internal(anyhow::anyhow!("a relation key column is not a UUID"))
            })?;
            grouped
                .entry(RelationKey(key, PhantomData))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

impl Loaders {
    /// Keeps `rows` as the rows of relation `R` for `key`, read beside a list's own rows in its
    /// statement, so that the items' fields need no statement for them. Only a query's lists
    /// prime: a query's fields all see the data as it stands, where a later field of a
    /// mutation could be served a row an earlier one changed.
    pub fn prime<R: Relation>(&self, key: Uuid, rows: Vec<RowOf<R>>)
    where
        RowOf<R>: Sync,
    {
        self.keep(TypeId::of::<R>(), key, rows);
    }

    /// Keeps `row` as the agency of its id, as [`Self::prime`] keeps a relation's rows.
    pub fn prime_agency(&self, row: agency::Model) {
        self.keep(TypeId::of::<AgencyById>(), row.id, row);
    }

    /// The agency `id`, primed or loaded.
    pub async fn agency(&self, id: Uuid) -> AppResult<Option<agency::Model>> {
        if let Some(row) = self.kept::<agency::Model>(TypeId::of::<AgencyById>(), id) {
            return Ok(Some(row));
        }
        self.agency.load_one(id).await
    }

    fn keep<T: Any + Send + Sync>(&self, by: TypeId, key: Uuid, value: T) {
        self.primed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((by, key), Arc::new(value));
    }

    fn kept<T: Any + Clone>(&self, by: TypeId, key: Uuid) -> Option<T> {
        let primed = self
            .primed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        primed.get(&(by, key))?.downcast_ref::<T>().cloned()
    }

    /// The rows of relation `R` for `key` (empty when none).
    pub async fn many<R: Relation>(&self, key: Uuid) -> AppResult<Vec<RowOf<R>>>
    where
        RowOf<R>: Sync,
    {
        if let Some(rows) = self.kept::<Vec<RowOf<R>>>(TypeId::of::<R>(), key) {
            return Ok(rows);
        }
        Ok(self
            .related
            .load_one(RelationKey::<R>(key, PhantomData))
            .await?
            .unwrap_or_default())
    }

    /// The rows of relation `R` for each of `keys`, in the order of the keys, in one batch.
    pub async fn many_each<R: Relation>(&self, keys: &[Uuid]) -> AppResult<Vec<RowOf<R>>>
    where
        RowOf<R>: Sync,
    {
        let mut found = self
            .related
            .load_many(keys.iter().map(|k| RelationKey::<R>(*k, PhantomData)))
            .await?;
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(&RelationKey(*k, PhantomData)))
            .flatten()
            .collect())
    }

    /// The first row of relation `R` for `key` (`None` when none, or no key): for to-one
    /// relations such as a record by id.
    pub async fn one<R: Relation>(
        &self,
        key: impl Into<Option<Uuid>>,
    ) -> AppResult<Option<RowOf<R>>>
    where
        RowOf<R>: Sync,
    {
        let Some(key) = key.into() else {
            return Ok(None);
        };
        Ok(self.many::<R>(key).await?.into_iter().next())
    }

    /// Fresh loaders for one request of `actor` (anonymous when `None`). The press and machine
    /// clients do not see unpublished spokespersons.
    pub fn new(db: &DatabaseConnection, actor: Option<Arc<Actor>>) -> Self {
        let include_unpublished = actor
            .as_deref()
            .is_some_and(crate::spokesperson::service::sees_unpublished);
        Self {
            related: DataLoader::new(
                Related {
                    db: db.clone(),
                    actor,
                },
                crate::metrics::spawn_in_request,
            )
            .delay(BATCH_WAIT),
            agency: DataLoader::new(
                AgencyById { db: db.clone() },
                crate::metrics::spawn_in_request,
            )
            .delay(BATCH_WAIT),
            spokespeople: DataLoader::new(
                SpokespeopleByAgency {
                    db: db.clone(),
                    include_unpublished,
                    row: PhantomData,
                },
                crate::metrics::spawn_in_request,
            )
            .delay(BATCH_WAIT),
            spokesperson_cards: DataLoader::new(
                SpokespeopleByAgency {
                    db: db.clone(),
                    include_unpublished,
                    row: PhantomData,
                },
                crate::metrics::spawn_in_request,
            )
            .delay(BATCH_WAIT),
            primed: Mutex::default(),
        }
    }
}

/// Loads the spokespersons serving today for each agency, as `Row`: whole
/// ([`entity::spokesperson::Model`]) or only their cards ([`entity::spokesperson::Card`]).
pub struct SpokespeopleByAgency<Row> {
    db: DatabaseConnection,
    include_unpublished: bool,
    row: PhantomData<fn() -> Row>,
}

/// A way to read the rows of [`SpokespeopleByAgency`].
pub trait SpokespersonRow: Clone + Send + Sync + Sized + 'static {
    /// The agency spoken for.
    fn agency_id(&self) -> Uuid;
    /// The rows of `select`.
    fn read(
        db: &DatabaseConnection,
        select: Select<entity::spokesperson::Entity>,
    ) -> impl Future<Output = AppResult<Vec<Self>>> + Send;
}

impl SpokespersonRow for entity::spokesperson::Model {
    fn agency_id(&self) -> Uuid {
        self.agency_id
    }
    async fn read(
        db: &DatabaseConnection,
        select: Select<entity::spokesperson::Entity>,
    ) -> AppResult<Vec<Self>> {
        Ok(select.all(db).await?)
    }
}

impl SpokespersonRow for entity::spokesperson::Card {
    fn agency_id(&self) -> Uuid {
        self.agency_id
    }
    async fn read(
        db: &DatabaseConnection,
        select: Select<entity::spokesperson::Entity>,
    ) -> AppResult<Vec<Self>> {
        // By position (`entity::in_order`): read by name, the cards of an agency page cost a
        // tenth of its instructions.
        Ok(entity::in_order::all(db, select).await?)
    }
}

impl<Row: SpokespersonRow> Loader<Uuid> for SpokespeopleByAgency<Row> {
    type Value = Vec<Row>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let select = crate::spokesperson::service::serving_for_agencies(
            self.db.get_database_backend(),
            keys,
            self.include_unpublished,
        );
        let mut by_agency: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in Row::read(&self.db, select).await? {
            by_agency.entry(row.agency_id()).or_default().push(row);
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
