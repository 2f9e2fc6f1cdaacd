//! Relay connections with keyset pagination, shared by every list of the API.
//!
//! A list is ordered by a text key and then by id; the cursor is the pair, opaque to clients
//! (base64url JSON). Keyset pages stay correct while rows are added and cost the same at page 1
//! and page 10,000. Only forward pagination (`first`/`after`) is offered.

use async_graphql::{
    Object, OutputType,
    connection::{Connection, CursorType, Edge},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
    sea_query::{Alias, Expr, Query, SelectStatement},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    db::{Joined, Plain},
    error::{AppError, AppResult, Msg},
};

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Query cost of a connection field: `first ×` the cost of its selection. `first` is clamped to
/// the allowed range here so that an out-of-range value reaches the resolver and gets its own
/// `BAD_USER_INPUT` error instead of a generic complexity error.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.map_or(DEFAULT_PAGE_SIZE, |f| (f.max(1) as u64).min(MAX_PAGE_SIZE));
    (first as usize).saturating_mul(child_complexity.max(1))
}

/// The value a list is sorted by (before the id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// A text column (folded names).
    #[serde(rename = "s")]
    Text(String),
    /// A timestamp column.
    #[serde(rename = "t")]
    Time(chrono::DateTime<chrono::Utc>),
    /// A date column.
    #[serde(rename = "d")]
    Date(chrono::NaiveDate),
    /// The time of the last change, in a list polled with `updatedSince` (oldest change
    /// first): a cursor of that order, refused by the list's own order and the other way round.
    #[serde(rename = "u")]
    Changed(chrono::DateTime<chrono::Utc>),
    /// No key: the list is sorted by id alone.
    #[serde(rename = "n")]
    None,
}

impl From<SortKey> for sea_orm::Value {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Text(text) => text.into(),
            SortKey::Time(time) | SortKey::Changed(time) => time.into(),
            SortKey::Date(date) => date.into(),
            SortKey::None => sea_orm::Value::String(None),
        }
    }
}

/// Position after which a page starts: the sort key and id of the last row seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Sort key of the row.
    #[serde(rename = "k")]
    pub key: SortKey,
    /// Id of the row (tie-breaker).
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    /// Opaque string form.
    pub fn encode(&self) -> String {
        // Serializing two plain fields cannot fail; an empty cursor would only restart the list.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor given back by a client. A cursor is only a position, but a client can
    /// write one by hand: its key must be a value a list could have produced (text without
    /// control characters and of a bounded length, a time or date between the years 1 and
    /// 9999), and [`PageRequest::fetch`] checks its kind against the list's order, so that
    /// nothing of the wrong type or out of the database's range reaches SQL.
    pub fn decode(raw: &str) -> AppResult<Self> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Cursor>(&bytes).ok())
            .filter(|cursor| cursor.key.is_plausible())
            .ok_or_else(bad_cursor)
    }
}

/// A connection's cursor is written out only when a client asks for it (an edge's `cursor`,
/// `pageInfo`'s `startCursor` and `endCursor`): encoding every row's cursor cost about 2 % of
/// a `reportsDue` page whose query asks for none (docs/performance.md).
impl CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(raw: &str) -> Result<Self, Self::Error> {
        Cursor::decode(raw).map_err(|_| "invalid cursor")
    }

    fn encode_cursor(&self) -> String {
        self.encode()
    }
}

/// A list's connection: its edges with their cursors, and its `totalCount`.
pub type List<N> = Connection<Cursor, N, TotalCount>;

/// Longest text key of a cursor (keys are folded names, far shorter).
const MAX_TEXT_KEY_BYTES: usize = 2048;

fn plausible_year(year: i32) -> bool {
    (1..=9999).contains(&year)
}

impl SortKey {
    fn is_plausible(&self) -> bool {
        use chrono::Datelike as _;
        match self {
            SortKey::Text(text) => {
                text.len() <= MAX_TEXT_KEY_BYTES && !text.chars().any(char::is_control)
            }
            SortKey::Time(time) | SortKey::Changed(time) => plausible_year(time.year()),
            SortKey::Date(date) => plausible_year(date.year()),
            SortKey::None => true,
        }
    }

    /// Whether this key can sort a column of type `column` (the list's order).
    pub(super) fn fits(&self, column: &sea_orm::ColumnType) -> bool {
        use sea_orm::ColumnType as T;
        match self {
            SortKey::Text(_) => matches!(column, T::String(_) | T::Text | T::Char(_)),
            SortKey::Time(_) => matches!(
                column,
                T::TimestampWithTimeZone | T::Timestamp | T::DateTime
            ),
            SortKey::Date(_) => matches!(column, T::Date),
            SortKey::Changed(_) | SortKey::None => false,
        }
    }
}

pub(super) fn bad_cursor() -> AppError {
    AppError::bad_input(
        "after",
        Msg::new(
            "Con trỏ phân trang không hợp lệ; hãy dùng endCursor của trang trước",
            "Invalid pagination cursor; use the endCursor of the previous page",
        ),
    )
}

/// A validated page request.
#[derive(Clone, Debug)]
pub struct PageRequest {
    /// How many rows at most.
    pub first: u64,
    /// Start after this row.
    pub after: Option<Cursor>,
    /// Find the page's keys before its rows ([`Self::keys_first`]).
    keys_first: bool,
}

impl PageRequest {
    /// Validates the `first` and `after` arguments of a connection field.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => n as u64,
            Some(_) => {
                return Err(AppError::bad_input(
                    "first",
                    Msg::new(
                        format!("first phải từ 0 đến {MAX_PAGE_SIZE}"),
                        format!("first must be between 0 and {MAX_PAGE_SIZE}"),
                    ),
                ));
            }
        };
        let after = after.map(Cursor::decode).transpose()?;
        Ok(Self {
            first,
            after,
            keys_first: false,
        })
    }

    /// This request, its page read keys first when `yes` ([`crate::db::keys_first`]): for a
    /// list whose walk passes many rows its conditions refuse, on an index that holds every
    /// column they test (in the list's order: a poll's order is another index).
    pub fn keys_first(&self, yes: bool) -> Self {
        Self {
            keys_first: yes,
            ..self.clone()
        }
    }

    /// Fetches one page of `select`, ordered by `key` then `id` (both ascending or both
    /// descending), with `key_of` giving a row's sort key (the value stored in `key`).
    pub async fn fetch<E, C>(
        &self,
        db: &C,
        select: Select<E>,
        (key, id): (E::Column, E::Column),
        order: Order,
        key_of: impl Fn(&E::Model) -> (SortKey, Uuid),
    ) -> AppResult<Page<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
    {
        self.fetch_joined(db, select, (key, id), order, &Plain, key_of)
            .await
    }

    /// Fetches one page of `select` as [`Self::fetch`] does, each row with what `joined` reads
    /// beside it in the same statement ([`crate::db::first_rows_joined`]).
    pub async fn fetch_joined<E, C, J>(
        &self,
        db: &C,
        select: Select<E>,
        (key, id): (E::Column, E::Column),
        order: Order,
        joined: &J,
        key_of: impl Fn(&J::Base) -> (SortKey, Uuid),
    ) -> AppResult<Page<J::Item>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        J: Joined<E>,
    {
        let fits = |cursor: &SortKey| cursor.fits(key.def().get_column_type());
        self.keyset(db, select, (key, id), order, fits, joined, key_of)
            .await
    }

    /// A page of a list a client may poll: with `since` (its `updatedSince`, already applied
    /// to `select` by [`changed_since`]) in the order of the changes, by the time of the last
    /// change, oldest first, then by id (a row changed while a client walks the pages moves
    /// behind the page it is on, so the walk still meets it); else in the list's own order, as
    /// [`Self::fetch`] takes it.
    pub async fn fetch_polled<E, C>(
        &self,
        db: &C,
        select: Select<E>,
        since: Option<chrono::DateTime<chrono::Utc>>,
        key: (E::Column, Order),
        key_of: impl Fn(&E::Model) -> (SortKey, Uuid),
    ) -> AppResult<Page<E::Model>>
    where
        E: Polled,
        C: ConnectionTrait,
    {
        self.fetch_polled_joined(db, select, since, key, &Plain, key_of)
            .await
    }

    /// [`Self::fetch_polled`], each row with what `joined` reads beside it in the same
    /// statement.
    pub async fn fetch_polled_joined<E, C, J>(
        &self,
        db: &C,
        select: Select<E>,
        since: Option<chrono::DateTime<chrono::Utc>>,
        (key, order): (E::Column, Order),
        joined: &J,
        key_of: impl Fn(&E::Model) -> (SortKey, Uuid),
    ) -> AppResult<Page<J::Item>>
    where
        E: Polled,
        C: ConnectionTrait,
        J: Joined<E, Base = E::Model>,
    {
        match since {
            Some(_) => self.changed(db, select, joined).await,
            None => {
                self.fetch_joined(db, select, (key, E::id()), order, joined, key_of)
                    .await
            }
        }
    }

    /// Fetches one page of `select` (already narrowed by [`changed_since`]) in the order of a
    /// poll: by the time of the last change, oldest first, then by id.
    pub async fn fetch_changed<E, C>(&self, db: &C, select: Select<E>) -> AppResult<Page<E::Model>>
    where
        E: Polled,
        C: ConnectionTrait,
    {
        self.changed(db, select, &Plain).await
    }

    async fn changed<E, C, J>(
        &self,
        db: &C,
        select: Select<E>,
        joined: &J,
    ) -> AppResult<Page<J::Item>>
    where
        E: Polled,
        C: ConnectionTrait,
        J: Joined<E, Base = E::Model>,
    {
        let fits = |cursor: &SortKey| matches!(cursor, SortKey::Changed(_));
        let changed = |row: &E::Model| {
            let (at, id) = E::changed_at(row);
            (SortKey::Changed(at), id)
        };
        self.keyset(
            db,
            select,
            (E::updated(), E::id()),
            Order::Asc,
            fits,
            joined,
            changed,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn keyset<E, C, J>(
        &self,
        db: &C,
        select: Select<E>,
        (key, id): (E::Column, E::Column),
        order: Order,
        fits: impl Fn(&SortKey) -> bool,
        joined: &J,
        key_of: impl Fn(&J::Base) -> (SortKey, Uuid),
    ) -> AppResult<Page<J::Item>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        J: Joined<E>,
    {
        let mut select = self.positioned(select, (key, id), order.clone(), fits)?;
        if self.keys_first {
            select = crate::db::keys_first(select, (key, id), order);
        }
        let rows = crate::db::first_rows_joined(db, select, self.first + 1, joined).await?;
        Ok(self.page(rows, |item| {
            let (key, id) = key_of(J::base(item));
            Cursor { key, id }
        }))
    }

    /// `select` ordered by `key` then `id` and started after the request's cursor, whose key
    /// must be of a kind that `fits` the order.
    pub(super) fn positioned<E: EntityTrait>(
        &self,
        select: Select<E>,
        (key, id): (E::Column, E::Column),
        order: Order,
        fits: impl Fn(&SortKey) -> bool,
    ) -> AppResult<Select<E>> {
        let descending = order == Order::Desc;
        let mut select = select.order_by(key, order.clone()).order_by(id, order);
        if let Some(after) = &self.after {
            if !fits(&after.key) {
                return Err(bad_cursor());
            }
            let value = sea_orm::Value::from(after.key.clone());
            // The bound on the key alone is implied by the rest; it is there for the index:
            // neither database starts an index walk at an `OR`, so without it a page after
            // the first walked every row before the cursor (1 s for the department's received
            // reports nationally; docs/performance.md).
            let (from_key, beyond_key, beyond_id) = if descending {
                (
                    key.lte(value.clone()),
                    key.lt(value.clone()),
                    id.lt(after.id),
                )
            } else {
                (
                    key.gte(value.clone()),
                    key.gt(value.clone()),
                    id.gt(after.id),
                )
            };
            select = select.filter(from_key).filter(
                Condition::any()
                    .add(beyond_key)
                    .add(Condition::all().add(key.eq(value)).add(beyond_id)),
            );
        }
        Ok(select)
    }

    /// Fetches one page of `select` ordered by id alone: with UUID v7 ids that is creation order
    /// (`Order::Desc`: newest first).
    pub async fn fetch_by_id<E, C>(
        &self,
        db: &C,
        select: Select<E>,
        id: E::Column,
        order: Order,
    ) -> AppResult<Page<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        E::Model: HasId,
    {
        let mut select = select.order_by(id, order.clone());
        if let Some(after) = &self.after {
            if after.key != SortKey::None {
                return Err(bad_cursor());
            }
            select = select.filter(match order {
                Order::Desc => id.lt(after.id),
                _ => id.gt(after.id),
            });
        }
        let rows = crate::db::first_rows(db, select, self.first + 1).await?;
        Ok(self.page(rows, |row| Cursor {
            key: SortKey::None,
            id: row.id(),
        }))
    }

    /// The first page of a whole list already loaded and sorted (no `after` cursor: a request
    /// with one goes to the database).
    pub fn first_page<M>(&self, rows: Vec<M>, key_of: impl Fn(&M) -> (SortKey, Uuid)) -> Page<M> {
        let first = Self {
            after: None,
            ..self.clone()
        };
        first.page(
            rows.into_iter().take(self.first as usize + 1).collect(),
            |row| {
                let (key, id) = key_of(row);
                Cursor { key, id }
            },
        )
    }

    /// The page from up to `first + 1` fetched rows (the extra one only tells that more follow).
    pub(super) fn page<M>(&self, mut rows: Vec<M>, cursor_of: impl Fn(&M) -> Cursor) -> Page<M> {
        let has_next_page = rows.len() as u64 > self.first;
        rows.truncate(self.first as usize);
        Page {
            items: rows.into_iter().map(|row| (cursor_of(&row), row)).collect(),
            has_next_page,
            has_previous_page: self.after.is_some(),
        }
    }
}

/// `select` narrowed to the rows whose last change is at or after `since` (the `updatedSince`
/// filter of every list a client may poll); unchanged when `since` is `None`.
pub fn changed_since<E: Polled>(
    select: Select<E>,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Select<E> {
    match since {
        Some(since) => select.filter(E::updated().gte(since)),
        None => select,
    }
}

/// A table whose rows carry the time of their last change (`updated_at`) and a UUID id: its
/// list can be polled with `updatedSince`.
pub trait Polled: EntityTrait {
    /// The `updated_at` column.
    fn updated() -> Self::Column;
    /// The `id` column.
    fn id() -> Self::Column;
    /// A row's last change and id.
    fn changed_at(row: &Self::Model) -> (chrono::DateTime<chrono::Utc>, Uuid);
}

macro_rules! polled {
    ($($table:ident),* $(,)?) => {$(
        impl Polled for entity::$table::Entity {
            fn updated() -> Self::Column {
                entity::$table::Column::UpdatedAt
            }
            fn id() -> Self::Column {
                entity::$table::Column::Id
            }
            fn changed_at(row: &Self::Model) -> (chrono::DateTime<chrono::Utc>, Uuid) {
                (row.updated_at, row.id)
            }
        }
    )*};
}

polled!(
    agency,
    user_account,
    spokesperson,
    press_event,
    information_release,
    press_request,
    reporting_obligation,
    report,
    plan,
    plan_task,
    training_session,
    incident,
);

/// A row with a UUID id.
pub trait HasId {
    /// The row's id.
    fn id(&self) -> Uuid;
}

impl HasId for entity::notification::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl HasId for entity::audit_event::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl HasId for entity::user_account::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl HasId for entity::service_client::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}

/// One page of rows with their cursors.
#[derive(Debug)]
pub struct Page<M> {
    /// Rows in order, each with its cursor.
    pub items: Vec<(Cursor, M)>,
    /// Whether rows follow this page.
    pub has_next_page: bool,
    /// Whether the page started after a cursor.
    pub has_previous_page: bool,
}

impl<M> Page<M> {
    /// The same page with each row made into another by `f`.
    pub fn map<N>(self, mut f: impl FnMut(M) -> N) -> Page<N> {
        Page {
            items: self
                .items
                .into_iter()
                .map(|(cursor, row)| (cursor, f(row)))
                .collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
        }
    }

    /// The Relay connection of this page, each row converted to its GraphQL type.
    pub fn into_connection<N>(self, total: TotalCount) -> List<N>
    where
        N: From<M> + OutputType,
    {
        let mut connection =
            Connection::with_additional_fields(self.has_previous_page, self.has_next_page, total);
        connection.edges = self
            .items
            .into_iter()
            .map(|(cursor, row)| Edge::new(cursor, N::from(row)))
            .collect();
        connection
    }
}

/// `SELECT COUNT(*) AS name FROM (the keys of the rows of select) AS counted`.
fn counted<E: EntityTrait>(select: Select<E>, name: &str) -> SelectStatement {
    use sea_orm::{Iterable as _, PrimaryKeyToColumn as _};
    let select = match E::PrimaryKey::iter().next() {
        Some(key) => select.select_only().column(key.into_column()),
        None => select,
    };
    Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new(name))
        .from_subquery(select.into_query(), Alias::new("counted"))
        .to_owned()
}

/// The sum of the counts of `parts` as one statement: `SELECT (SELECT COUNT(*) …) + (…) AS n`.
fn sum_query<E: EntityTrait>(parts: impl IntoIterator<Item = Select<E>>) -> SelectStatement {
    let sum = parts
        .into_iter()
        .map(|part| Expr::SubQuery(None, Box::new(counted(part, "c").into())))
        .reduce(sea_orm::ExprTrait::add)
        .unwrap_or_else(|| Expr::val(0));
    Query::select().expr_as(sum, Alias::new("n")).to_owned()
}

/// The `totalCount` of a connection: counted only when a client asks for it, with the same
/// filter as the list (so within the caller's scope) and without the page bounds; or known
/// already when the whole list was loaded.
pub struct TotalCount(Count);

enum Count {
    /// The counting query, written out as SQL only when the count is asked for (most pages
    /// do not ask, and writing it cost half as much as writing the page's own statement).
    Query {
        db: DatabaseConnection,
        query: Box<SelectStatement>,
    },
    /// The list's query itself made again only when the count is asked for: for a list
    /// whose query is cheap to make from what the closure keeps, so that a page that does not
    /// ask copies nothing.
    Later {
        db: DatabaseConnection,
        query: Box<dyn Fn() -> SelectStatement + Send + Sync>,
    },
    Known(u64),
}

impl TotalCount {
    /// Counts the rows `select` would return, reading only their keys (the same rows: every
    /// key stands for one row, also under `DISTINCT`).
    pub fn of<E: EntityTrait>(db: &DatabaseConnection, select: Select<E>) -> Self {
        Self(Count::Query {
            db: db.clone(),
            query: Box::new(counted(select, "n")),
        })
    }

    /// Counts the rows the select `list` makes would return, as [`TotalCount::of`], making it
    /// only when the count is asked for.
    pub fn later<E: EntityTrait>(
        db: &DatabaseConnection,
        list: impl Fn() -> Select<E> + Send + Sync + 'static,
    ) -> Self {
        Self(Count::Later {
            db: db.clone(),
            query: Box::new(move || counted(list(), "n")),
        })
    }

    /// Counts the rows of a list made of `parts` that no row belongs to twice, as the sum of
    /// their counts (each reading only keys): for a list whose filter is an `OR` of two terms
    /// that PostgreSQL can only test row by row over the whole table, while each term alone
    /// finds its rows through an index.
    pub fn sum_of<E: EntityTrait>(
        db: &DatabaseConnection,
        parts: impl IntoIterator<Item = Select<E>>,
    ) -> Self {
        Self(Count::Query {
            db: db.clone(),
            query: Box::new(sum_query(parts)),
        })
    }

    /// A count known without asking the database.
    pub fn known(n: usize) -> Self {
        Self(Count::Known(n as u64))
    }
}

#[Object]
impl TotalCount {
    /// Number of items in the whole list, across all pages (within what the caller may see).
    async fn total_count(&self) -> AppResult<u64> {
        let (db, statement) = match &self.0 {
            Count::Known(n) => return Ok(*n),
            Count::Query { db, query } => (db, db.get_database_backend().build(query.as_ref())),
            Count::Later { db, query } => (db, db.get_database_backend().build(&query())),
        };
        let row = db.query_one_raw(statement).await?;
        let n: i64 = match row {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        Ok(n.max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_reads_only_keys() {
        let select = entity::report::Entity::find()
            .filter(entity::report::Column::Status.eq(entity::report::ReportStatus::Draft));
        let sql = sea_orm::DatabaseBackend::Postgres
            .build(&counted(select, "n"))
            .to_string();
        assert_eq!(
            sql,
            r#"SELECT COUNT(*) AS "n" FROM (SELECT "report"."id" FROM "report" WHERE "report"."status" = 'DRAFT') AS "counted""#
        );
    }

    #[test]
    fn a_page_after_a_cursor_bounds_the_key_alone_for_the_index() {
        use entity::report::{Column, Entity};
        use sea_orm::QueryTrait;
        let after = Cursor {
            key: SortKey::Date(chrono::NaiveDate::from_ymd_opt(2026, 6, 20).expect("a date")),
            id: uuid::Uuid::nil(),
        };
        let page = PageRequest::parse(Some(20), Some(&after.encode())).expect("a page");
        for (order, bound, beyond) in [(Order::Asc, ">=", ">"), (Order::Desc, "<=", "<")] {
            let select = page
                .positioned(Entity::find(), (Column::DueDate, Column::Id), order, |_| {
                    true
                })
                .expect("positioned");
            let sql = select.build(sea_orm::DatabaseBackend::Postgres).to_string();
            // A bound an index walk can start at, then the tie broken by id.
            assert!(
                sql.contains(&format!(
                    r#"WHERE "report"."due_date" {bound} '2026-06-20' AND ("report"."due_date" {beyond} '2026-06-20' OR ("report"."due_date" = '2026-06-20' AND "report"."id" {beyond} '00000000-0000-0000-0000-000000000000'))"#
                )),
                "{sql}"
            );
        }
    }

    #[test]
    fn a_sum_of_counts_reads_only_keys_of_each_part() {
        use entity::report::{Column, Entity, ReportStatus};
        let parts = [
            Entity::find().filter(Column::Status.eq(ReportStatus::Draft)),
            Entity::find().filter(Column::Late.eq(true)),
        ];
        let sql = sea_orm::DatabaseBackend::Postgres
            .build(&sum_query(parts))
            .to_string();
        assert_eq!(
            sql,
            r#"SELECT (SELECT COUNT(*) AS "c" FROM (SELECT "report"."id" FROM "report" WHERE "report"."status" = 'DRAFT') AS "counted") + (SELECT COUNT(*) AS "c" FROM (SELECT "report"."id" FROM "report" WHERE "report"."late" = TRUE) AS "counted") AS "n""#
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for key in [
            SortKey::Text("trieu son".into()),
            SortKey::Time(chrono::Utc::now()),
            SortKey::None,
        ] {
            let cursor = Cursor {
                key,
                id: Uuid::now_v7(),
            };
            assert_eq!(Cursor::decode(&cursor.encode()).ok(), Some(cursor));
        }
        assert!(Cursor::decode("not a cursor").is_err());
    }

    #[test]
    fn cursor_keys_out_of_range_or_of_the_wrong_kind_are_refused() {
        let forged = |json: &str| Cursor::decode(&URL_SAFE_NO_PAD.encode(json));
        let id = Uuid::nil();
        assert!(forged(&format!(r#"{{"k":{{"d":"+262142-12-31"}},"i":"{id}"}}"#)).is_err());
        assert!(
            forged(&format!(
                r#"{{"k":{{"t":"0000-01-01T00:00:00Z"}},"i":"{id}"}}"#
            ))
            .is_err()
        );
        assert!(forged(&format!(r#"{{"k":{{"s":"a\u0000b"}},"i":"{id}"}}"#)).is_err());
        assert!(forged(&format!(r#"{{"k":{{"d":"2026-12-02"}},"i":"{id}"}}"#)).is_ok());
        let time = SortKey::Time(chrono::Utc::now());
        assert!(time.fits(&sea_orm::ColumnType::TimestampWithTimeZone));
        assert!(!time.fits(&sea_orm::ColumnType::Text));
        assert!(!SortKey::Text("a".into()).fits(&sea_orm::ColumnType::Date));
        assert!(!SortKey::None.fits(&sea_orm::ColumnType::Date));
    }

    #[test]
    fn first_is_bounded() {
        assert_eq!(
            PageRequest::parse(None, None).map(|p| p.first).ok(),
            Some(20)
        );
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(Some(-1), None).is_err());
        assert_eq!(
            PageRequest::parse(Some(0), None).map(|p| p.first).ok(),
            Some(0)
        );
    }

    #[test]
    fn connection_cost_multiplies_by_clamped_first() {
        assert_eq!(cost(None, 3), 60);
        assert_eq!(cost(Some(1000), 3), 300);
        assert_eq!(cost(Some(5), 0), 5);
    }
}
