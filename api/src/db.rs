//! Database connection, migrations and write transactions.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    JoinType, Order, PartialModelTrait, QueryFilter, QueryResult, QuerySelect, QueryTrait, Select,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, IntoIden, SelectStatement},
};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use uuid::Uuid;

use crate::error::AppResult;

/// How much of a SQLite file each connection reads through a memory map (`PRAGMA mmap_size`)
/// instead of copying pages into its own 2 MB page cache with a system call each: the mapped
/// pages are the operating system's file cache, shared by every connection. A list under a
/// visibility rule reads thousands of pages; mapped, the department's received reports took
/// 8 ms instead of 18 per statement (see docs/performance.md).
pub const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Opens the pool for `url` with the default acquire timeout (tools and tests).
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, max_connections, Duration::from_secs(5)).await
}

/// A pooled connection idle for this long is tested (one round trip) before a request gets
/// it; one in use more recently is handed out as it is. Testing every connection on every
/// checkout cost a round trip per statement. A connection that breaks while in use fails its
/// statement and is dropped when it goes back to the pool (the pool tests it then), so after
/// an outage the connections are replaced either way.
pub const TEST_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Opens the pool for `url`. A request waits at most `acquire_timeout` for a connection, so
/// that when the database is down requests fail fast (`SERVICE_UNAVAILABLE`) instead of
/// hanging; connections idle for [`TEST_IF_IDLE_FOR`] are tested before use and broken ones
/// replaced, so the server recovers by itself when the database is back. Every statement is
/// counted for the metrics.
///
/// SQLite files are created on first use (`mode=rwc`) and switched to WAL so that readers never
/// wait for the writer; every connection reads them through a memory map
/// ([`SQLITE_MMAP_BYTES`]). PostgreSQL on a loopback address is reached without TLS when the
/// URL leaves `sslmode` at its default (`prefer`): see [`plain_on_loopback`].
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        .test_before_acquire_if_idle_for(TEST_IF_IDLE_FOR)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| sqlite.pragma("mmap_size", SQLITE_MMAP_BYTES.to_string()))
        .map_sqlx_postgres_opts(plain_on_loopback);
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(crate::metrics::record_statement);
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// PostgreSQL's connection options, with TLS left out where it protects nothing: on a loopback
/// address (`localhost`, `127.0.0.0/8`, `::1`) under `sslmode=prefer`, the default, which
/// already accepts a connection without TLS. Nothing sent on loopback leaves the machine, and
/// encrypting it cost the agency page 10–15 % of its rate (docs/performance.md). `require` and
/// stricter modes, and every other host, are kept as given.
pub fn plain_on_loopback(options: PgConnectOptions) -> PgConnectOptions {
    if is_loopback(options.get_host()) && matches!(options.get_ssl_mode(), PgSslMode::Prefer) {
        options.ssl_mode(PgSslMode::Disable)
    } else {
        options
    }
}

/// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without brackets) is
/// this machine's loopback: `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Applies pending migrations, then records the shipped legal defaults and creates the shipped
/// report templates that are missing.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    crate::legal::service::ensure_defaults(db)
        .await
        .map_err(|e| DbErr::Custom(format!("cannot record the legal defaults: {e:?}")))?;
    crate::reporting::templates::ensure_builtin(db)
        .await
        .map_err(|e| {
            DbErr::Custom(format!(
                "cannot create the built-in report templates: {e:?}"
            ))
        })
}

/// Starts the transaction of one mutation. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can fail with
/// "database is locked" when another writer got in between, instead of waiting its turn.
///
/// On SQLite the writers of this process also queue for the file in order ([`Write`]):
/// SQLite's own wait for a locked database polls with sleeps growing to 100 ms, so a writer
/// that found the lock taken waited for the schedule, not for the holder (the live benchmark
/// measured a p99 of 233 ms for 4 ms mutations); in the queue each writer starts the moment the
/// one before it ends. Other processes on the same file are still waited for by SQLite.
pub async fn begin(db: &DatabaseConnection) -> AppResult<Write> {
    let turn = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => Some(writers_of(db).turn().await),
        _ => None,
    };
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(Write {
        txn: db.begin_with_options(options).await?,
        _turn: turn,
    })
}

/// A write transaction, holding this process's turn to write the SQLite file until it ends.
pub struct Write {
    // Dropped first: the transaction ends before the turn passes on.
    txn: DatabaseTransaction,
    _turn: Option<Turn>,
}

impl Write {
    /// Commits.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl std::ops::Deref for Write {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// The writers of this process to one SQLite file: the turn they queue for, how many are
/// queued or writing, and when the last one finished.
#[derive(Default)]
struct Writers {
    turn: Arc<tokio::sync::Mutex<()>>,
    active: AtomicUsize,
    /// Milliseconds since [`Writers::epoch`] when the last writer finished.
    last_done: AtomicU64,
    epoch: std::sync::OnceLock<Instant>,
}

impl Writers {
    fn now(&self) -> u64 {
        let epoch = self.epoch.get_or_init(Instant::now);
        u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn turn(self: Arc<Self>) -> Turn {
        self.active.fetch_add(1, Ordering::AcqRel);
        let guard = self.turn.clone().lock_owned().await;
        Turn {
            _guard: guard,
            writers: self,
        }
    }

    /// Whether a writer is queued or writing, or one finished within `quiet`.
    fn busy(&self, quiet: Duration) -> bool {
        self.active.load(Ordering::Acquire) > 0
            || self
                .now()
                .saturating_sub(self.last_done.load(Ordering::Acquire))
                < u64::try_from(quiet.as_millis()).unwrap_or(u64::MAX)
    }
}

/// One writer's turn.
struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    writers: Arc<Writers>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.writers
            .last_done
            .store(self.writers.now(), Ordering::Release);
        self.writers.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The writers of this process to the SQLite file of `db` (one set per file).
fn writers_of(db: &DatabaseConnection) -> Arc<Writers> {
    static FILES: std::sync::LazyLock<
        std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Arc<Writers>>>,
    > = std::sync::LazyLock::new(Default::default);
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    FILES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(file)
        .or_default()
        .clone()
}

/// For background writers (the notice dispatcher): on SQLite, waits until no writer of this
/// process is queued or writing and none finished within `quiet`, or `at_most` has passed, so
/// that requests' writes go first and background work fills the gaps between them. Returns at
/// once on PostgreSQL, where writers do not wait for each other.
pub async fn yield_to_writers(db: &DatabaseConnection, quiet: Duration, at_most: Duration) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let writers = writers_of(db);
    let started = Instant::now();
    while writers.busy(quiet) && started.elapsed() < at_most {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Joins to `query`, under `alias`, the row of `F` whose `key` equals column `outer_column`
/// of `outer` (the list's own table): a left join, so that the list's row is kept and stays
/// the outer loop.
///
/// On PostgreSQL as a lateral lookup fenced by `OFFSET 0` (`LEFT JOIN LATERAL (SELECT * FROM f
/// WHERE f.key = outer OFFSET 0) alias ON TRUE`), which it can only run as an index lookup per
/// row of the list. Given a plain join, PostgreSQL at its default `random_page_cost` judged a
/// few index lookups dearer than reading a small table whole into a hash: "what do I owe" for a
/// commune in a province (6 reports) read the 942 obligations and the 450 agencies at every
/// page, 0.25–0.34 ms where the lookups take 0.07–0.13 ms (docs/performance.md, "A root kept
/// with the principals, …"). SQLite looks a key up by its index anyway: a plain join.
///
/// Only for a list whose conditions match few rows: the lookups run for every row matched,
/// before the sort and the page's limit (the reports one agency owes, not a province's).
pub fn look_up<F: EntityTrait>(
    query: &mut SelectStatement,
    backend: DbBackend,
    alias: &'static str,
    key: F::Column,
    outer: impl IntoIden,
    outer_column: impl IntoIden,
) {
    let (outer, outer_column) = (outer.into_iden(), outer_column.into_iden());
    if backend == DbBackend::Postgres {
        let row = sea_orm::sea_query::Query::select()
            .column(sea_orm::sea_query::Asterisk)
            .from(F::default())
            .and_where(Expr::col((F::default(), key)).equals((outer, outer_column)))
            .offset(0)
            .to_owned();
        query.join_lateral(
            JoinType::LeftJoin,
            row,
            Alias::new(alias),
            sea_orm::sea_query::Condition::all().add(Expr::cust("TRUE")),
        );
    } else {
        query.join_as(
            JoinType::LeftJoin,
            F::default(),
            Alias::new(alias),
            Expr::col((Alias::new(alias), key)).equals((outer, outer_column)),
        );
    }
}

/// `select` read through a subquery that PostgreSQL plans on its own: the rows it matches are
/// found first (through the indexes its conditions have), then ordered and paged by what the
/// caller adds. `OFFSET 0` keeps PostgreSQL from merging the subquery into the outer query.
///
/// For a filter whose matches are few but spread thinly over the order the page follows: left
/// to itself, PostgreSQL walks the index of that order until it has a page, which costs in
/// proportion to the whole table; the subquery costs in proportion to the matches.
pub fn fenced<E: EntityTrait>(select: Select<E>) -> Select<E> {
    let inner = select.into_query().offset(0).to_owned();
    let mut outer = E::find();
    QueryFilter::query(&mut outer)
        .from_clear()
        .from_subquery(inner, E::default());
    outer
}

/// `select`, ordered by `key` then `id` (as a page is), read keys first: a subquery of the
/// list's own table finds the keys of the rows in order, under `select`'s conditions, and
/// the whole rows are then read by primary key, so the caller's `LIMIT` stops both. The result
/// is ordered by the subquery's `key` and `id`.
///
/// For a page whose walk along the list's index passes many rows that its conditions refuse:
/// when that index also holds the columns the conditions test (PostgreSQL's `INCLUDE`), the
/// walk reads the index alone and only the page's rows are read from the table. The
/// department's received reports nationally pass about 600 other provinces' reports before
/// their first page (see docs/performance.md). Only when the index holds every column the
/// conditions test: with one it lacks, PostgreSQL planned the subquery as a sort of the whole
/// table (140 ms instead of 16 for the same list with a status filter).
pub fn keys_first<E: EntityTrait>(
    select: Select<E>,
    (key, id): (E::Column, E::Column),
    order: Order,
) -> Select<E> {
    let keys = Alias::new("k");
    let mut inner = select.into_query();
    inner
        .clear_selects()
        .column((E::default(), key))
        .column((E::default(), id));
    let mut outer = E::find();
    QueryFilter::query(&mut outer)
        .from_clear()
        .from_subquery(inner, keys.clone())
        .join(
            JoinType::InnerJoin,
            E::default(),
            Expr::col((E::default(), id)).equals((keys.clone(), id)),
        )
        .order_by((keys.clone(), key), order.clone())
        .order_by((keys, id), order);
    outer
}

/// "`column` holds one of `keys`", as one statement for any number of keys: on PostgreSQL the
/// keys are bound as one array (`column = ANY($1)`); SQLite keeps `IN`, having no arrays.
///
/// For the relation loaders, whose statements carry the caller's visibility rule, and for
/// batches of many keys. PostgreSQL plans such a statement afresh for the keys of each run (a
/// generic plan for an array of unknown length never looks cheaper), and for a statement
/// under a visibility rule that measured faster than the generic plan it kept for
/// `IN ($1, …, $n)`: 0.23–0.40 ms instead of 1.08 ms to execute for the obligations of the
/// department's received reports, with binding (planning) at about 0.1 ms either way. A plain
/// lookup by a few keys is better with `IN`: its generic plan is as good as a fresh one and is
/// kept, so that it binds in 0.03 ms instead of 0.07 (see docs/performance.md).
pub fn key_in<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    keys: impl IntoIterator<Item = Uuid>,
) -> sea_orm::sea_query::Expr {
    match backend {
        DbBackend::Postgres => column.eq_any(keys),
        _ => column.is_in(keys),
    }
}

/// "`column` holds one of the ids `subquery` selects", written so that PostgreSQL computes the
/// subquery once, first, then searches `column`'s index for those ids:
/// `column = ANY(ARRAY (subquery))`. SQLite keeps `IN (subquery)`.
///
/// For a set of keys that PostgreSQL would otherwise join by scanning a whole index: the
/// reports issued in scope and addressed elsewhere, counted apart, were counted by a parallel
/// scan of every entry of the issuer index hashed against the scope's agencies (83 ms
/// nationally); as an array, the index is searched for the scope's 450 agencies (10 ms for the
/// whole count; see docs/performance.md).
pub fn in_computed_first<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    subquery: SelectStatement,
) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_exprs(
            "$1 = ANY(ARRAY $2)",
            [
                Expr::col(column.as_column_ref()),
                Expr::SubQuery(None, Box::new(subquery.into())),
            ],
        ),
        _ => column.in_subquery(subquery),
    }
}

/// A value written into the statement as a literal (`'ISSUED'`), not bound as a parameter:
/// for a statement's own constants (a fixed set of statuses, say), never for a caller's input.
///
/// PostgreSQL plans a prepared statement afresh for its first five runs, then keeps a generic
/// plan only if that costs no more than the fresh ones did. With a status bound as a
/// parameter, the generic plan estimates it as an average value where a fresh plan reads its
/// own frequency, so the generic plan looked costlier and every run was planned again: for
/// `reportsDue` with its obligation and issuer joined, 0.9 ms of planning for 0.2 ms of
/// execution nationally (docs/performance.md). With the constants in the text, both estimate
/// them alike and the generic plan is kept.
pub fn constant(value: impl Into<sea_orm::Value>) -> Expr {
    Expr::Constant(value.into())
}

/// `column` as a term whose index SQLite will not search (`+column`), so that its planner
/// reads the rows in the order of the list's own index and tests the term on each; the plain
/// column on PostgreSQL, which estimates for itself which way is cheaper.
pub fn unindexed<C: ColumnTrait>(backend: DbBackend, column: C) -> Expr {
    let column = Expr::col(column.as_column_ref());
    match backend {
        DbBackend::Sqlite => Expr::cust_with_exprs("+?", [column]),
        _ => column,
    }
}

/// The first `n` rows of `select`, in its order, with the bound written into the statement as
/// a number (`LIMIT 21`) instead of a bound parameter. PostgreSQL plans a prepared statement
/// for its first five runs with the values given, then keeps a generic plan if that costs no
/// more; with the bound a parameter, the generic plan assumes a tenth of all rows are wanted
/// and always looks costlier, so a list under a visibility rule was planned afresh at every
/// request (0.45–0.6 ms of binding each time). Page sizes are few (`first + 1`), so the
/// statements stay few. `select` must have no `LIMIT` or `OFFSET` of its own.
pub async fn first_rows<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    select: Select<E>,
    n: u64,
) -> Result<Vec<E::Model>, DbErr> {
    first_rows_joined(db, select, n, &Plain).await
}

/// What a list of `E` reads beside each of its rows in the same statement: the joins and their
/// columns it adds to the list's statement, and the item it makes of each result row.
pub trait Joined<E: EntityTrait> {
    /// A row of the list with what was read beside it.
    type Item;
    /// The list's own row as read: the whole model, or the columns [`Columns`] reads.
    type Base;
    /// Adds the joins, and their columns through [`select_also`].
    fn join(&self, query: &mut SelectStatement);
    /// The item of one result row.
    fn read(&self, row: &QueryResult) -> Result<Self::Item, DbErr>;
    /// The list's own row of an item.
    fn base(item: &Self::Item) -> &Self::Base;
}

/// Nothing beside: the rows alone.
pub struct Plain;

impl<E: EntityTrait> Joined<E> for Plain {
    type Item = E::Model;
    type Base = E::Model;

    fn join(&self, _: &mut SelectStatement) {}

    fn read(&self, row: &QueryResult) -> Result<E::Model, DbErr> {
        E::Model::from_query_result(row, "")
    }

    fn base(item: &E::Model) -> &E::Model {
        item
    }
}

/// Only the columns of the partial model `P` of the list's own table, read as `P`: for a page
/// whose query shows only those (read what is asked). The select must already list just `P`'s
/// columns ([`Columns::of`]); reading ignores any other.
pub struct Columns<P>(std::marker::PhantomData<fn() -> P>);

impl<P: PartialModelTrait> Columns<P> {
    /// The read, and `select` narrowed to `P`'s columns.
    pub fn of<E: EntityTrait>(select: Select<E>) -> (Self, Select<E>) {
        (
            Self(std::marker::PhantomData),
            P::select_cols(QuerySelect::select_only(select)),
        )
    }
}

impl<E: EntityTrait, P: PartialModelTrait> Joined<E> for Columns<P> {
    type Item = P;
    type Base = P;

    fn join(&self, _: &mut SelectStatement) {}

    fn read(&self, row: &QueryResult) -> Result<P, DbErr> {
        P::from_query_result(row, "")
    }

    fn base(item: &P) -> &P {
        item
    }
}

/// The first `n` rows of `select` as [`first_rows`] reads them, each with what `joined` reads
/// beside it: a list and what it shows of each item in one statement.
pub async fn first_rows_joined<E, C, J>(
    db: &C,
    select: Select<E>,
    n: u64,
    joined: &J,
) -> Result<Vec<J::Item>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
    J: Joined<E>,
{
    let mut query = select.into_query();
    joined.join(&mut query);
    first_rows_of(db, db.get_database_backend().build(&query), n, joined).await
}

/// The first `n` rows of a statement already written (with its joins), read by `joined`.
pub async fn first_rows_of<E, C, J>(
    db: &C,
    statement: Statement,
    n: u64,
    joined: &J,
) -> Result<Vec<J::Item>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
    J: Joined<E>,
{
    let rows = db.query_all_raw(limited(statement, n)).await?;
    rows.iter().map(|row| joined.read(row)).collect()
}

/// Adds to `query` every column of `F` from the table or alias `table` (joined by the caller),
/// each named `prefix` followed by its own name, as `F`'s own select reads it (enumerations as
/// text): `F::Model::from_query_result(row, prefix)` reads the row back.
pub fn select_also<F: EntityTrait>(
    query: &mut SelectStatement,
    table: impl IntoIden + Clone,
    prefix: &str,
) {
    for column in F::Column::iter() {
        query.expr_as(
            column.select_as(Expr::col((table.clone(), column))),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// `statement` with its first `n` rows only (see [`first_rows`]).
fn limited(mut statement: Statement, n: u64) -> Statement {
    statement.sql.push_str(" LIMIT ");
    statement.sql.push_str(&n.to_string());
    statement
}

/// The columns of a row edited with optimistic concurrency.
pub struct Versioned<E: EntityTrait> {
    /// Primary key.
    pub id: E::Column,
    /// Version, bumped by every change.
    pub version: E::Column,
    /// Time of the last change.
    pub updated_at: E::Column,
}

impl<E: EntityTrait> Versioned<E> {
    /// Writes `changes` to row `id` only if it is still at `version`, bumping the version and
    /// the change time. `false` when someone else changed the row first (the caller answers
    /// `CONFLICT`): two concurrent edits never silently overwrite each other.
    pub async fn update<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
        version: i32,
        mut changes: E::ActiveModel,
    ) -> Result<bool, DbErr>
    where
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        changes.set(self.version, (version + 1).into());
        changes.set(self.updated_at, chrono::Utc::now().into());
        let result = E::update_many()
            .set(changes)
            .filter(self.id.eq(id))
            .filter(self.version.eq(version))
            .exec(db)
            .await?;
        Ok(result.rows_affected > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pool of `connections` over a new SQLite file in the temp directory, and the file.
    async fn temp_sqlite(connections: u32) -> (DatabaseConnection, std::path::PathBuf) {
        let file = std::env::temp_dir().join(format!("ttdn-db-{}.db", Uuid::now_v7().simple()));
        let db = connect(
            &format!("sqlite://{}?mode=rwc", file.display()),
            connections,
        )
        .await
        .expect("connect");
        (db, file)
    }

    /// Closes `db` and removes its file with the WAL files beside it.
    async fn remove_sqlite(db: DatabaseConnection, file: &std::path::Path) {
        db.close().await.expect("close");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }

    #[test]
    fn postgres_on_loopback_goes_without_tls_under_prefer_only() {
        // `PgSslMode` has no `PartialEq`: the modes are compared by variant.
        let mode = |url: &str| {
            let options: PgConnectOptions = url.parse().expect("a PostgreSQL URL");
            std::mem::discriminant(&plain_on_loopback(options).get_ssl_mode())
        };
        for (url, expected) in [
            ("postgres://u@127.0.0.1:5432/d", PgSslMode::Disable),
            ("postgres://u@localhost/d", PgSslMode::Disable),
            ("postgres://u@[::1]:5432/d", PgSslMode::Disable),
            (
                "postgres://u@127.0.0.2/d?sslmode=prefer",
                PgSslMode::Disable,
            ),
            (
                "postgres://u@127.0.0.1/d?sslmode=require",
                PgSslMode::Require,
            ),
            (
                "postgres://u@localhost/d?sslmode=verify-full",
                PgSslMode::VerifyFull,
            ),
            ("postgres://u@db.example.vn/d", PgSslMode::Prefer),
            ("postgres://u@10.0.0.5/d?sslmode=prefer", PgSslMode::Prefer),
        ] {
            assert_eq!(mode(url), std::mem::discriminant(&expected), "{url}");
        }
    }

    /// `.cargo/config.toml` builds the bundled SQLite with a plan that does not depend on bound
    /// values (no statement recompiled at each run) and without global memory statistics.
    #[tokio::test]
    async fn sqlite_is_built_with_stable_plans_and_no_memory_statistics() {
        let (db, file) = temp_sqlite(1).await;
        let options: Vec<String> = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA compile_options",
            ))
            .await
            .expect("compile options")
            .iter()
            .map(|row| row.try_get_by_index::<String>(0).expect("an option"))
            .collect();
        remove_sqlite(db, &file).await;
        for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "{wanted} missing from {options:?}"
            );
        }
    }

    #[tokio::test]
    async fn background_writers_wait_for_the_requests_writes() {
        let (db, file) = temp_sqlite(2).await;
        let quiet = Duration::from_millis(20);
        let write = begin(&db).await.expect("begin");
        let waiting = {
            let db = db.clone();
            tokio::spawn(async move {
                yield_to_writers(&db, quiet, Duration::from_secs(30)).await;
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!waiting.is_finished(), "went ahead of a writer");
        let done = Instant::now();
        write.commit().await.expect("commit");
        let went = waiting.await.expect("the waiter");
        assert!(went >= done + quiet, "went before the quiet time");
        assert!(
            went < done + Duration::from_secs(5),
            "waited on after the writer"
        );
        // Bounded: a writer that never ends is waited for at most `at_most`.
        let _held = begin(&db).await.expect("begin");
        let started = Instant::now();
        yield_to_writers(&db, quiet, Duration::from_millis(100)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(_held);
        remove_sqlite(db, &file).await;
    }

    #[test]
    fn a_key_filter_is_one_statement_for_any_number_of_keys_on_postgres() {
        use entity::agency;
        use sea_orm::{QueryTrait, Value};
        let keys = |n: usize| (0..n).map(|_| Uuid::now_v7()).collect::<Vec<_>>();
        let built = |backend: DbBackend, n: usize| {
            agency::Entity::find()
                .filter(key_in(backend, agency::Column::Id, keys(n)))
                .build(backend)
        };
        let (one, fifty) = (
            built(DbBackend::Postgres, 1),
            built(DbBackend::Postgres, 50),
        );
        assert_eq!(one.sql, fifty.sql);
        assert!(
            one.sql.ends_with(r#"WHERE "agency"."id" = ANY($1)"#),
            "{}",
            one.sql
        );
        let values = fifty.values.expect("bound values").0;
        assert!(
            matches!(&values[..], [Value::Array(_, Some(keys))] if keys.len() == 50),
            "{values:?}"
        );
        // SQLite has no arrays: one parameter per key.
        let sqlite = built(DbBackend::Sqlite, 3);
        assert!(sqlite.sql.ends_with(r#"IN (?, ?, ?)"#), "{}", sqlite.sql);
    }

    #[test]
    fn a_page_bound_is_written_into_the_statement() {
        use entity::agency;
        use sea_orm::QueryOrder;
        let select = agency::Entity::find()
            .filter(agency::Column::Depth.eq(1))
            .order_by_asc(agency::Column::Name);
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let statement = limited(select.clone().build(backend), 21);
            assert!(
                statement.sql.ends_with(" ASC LIMIT 21"),
                "{}",
                statement.sql
            );
            // Only the filter's value is bound.
            assert_eq!(statement.values.expect("values").0.len(), 1);
        }
    }

    #[test]
    fn a_page_read_keys_first_walks_keys_only_and_reads_its_rows_by_primary_key() {
        use entity::report;
        use sea_orm::QueryOrder;
        let page = report::Entity::find()
            .filter(report::Column::DueDate.gt(chrono::NaiveDate::MIN))
            .order_by_asc(report::Column::DueDate)
            .order_by_asc(report::Column::Id);
        let keys = (report::Column::DueDate, report::Column::Id);
        let statement = limited(
            keys_first(page, keys, Order::Asc).build(DbBackend::Postgres),
            21,
        );
        let sql = &statement.sql;
        // The walk reads the key and id alone, under the list's conditions and in its order.
        assert!(
            sql.contains(
                r#" FROM (SELECT "report"."due_date", "report"."id" FROM "report" WHERE "report"."due_date" > $1 ORDER BY "report"."due_date" ASC, "report"."id" ASC) AS "k" INNER JOIN "report" ON "report"."id" = "k"."id" "#
            ),
            "{sql}"
        );
        // The whole rows are the table's, in the walk's order, and the page's bound stops both.
        assert!(sql.starts_with(r#"SELECT "report"."id", "#), "{sql}");
        assert!(
            sql.ends_with(r#" ORDER BY "k"."due_date" ASC, "k"."id" ASC LIMIT 21"#),
            "{sql}"
        );
    }

    #[test]
    fn a_subquery_computed_first_is_an_array_on_postgres() {
        use entity::{agency, reporting_obligation as obligation};
        use sea_orm::{QuerySelect, QueryTrait, sea_query::Query};
        let scope = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::Depth.eq(1))
            .to_owned();
        let built = |backend: DbBackend| {
            obligation::Entity::find()
                .select_only()
                .column(obligation::Column::Id)
                .filter(in_computed_first(
                    backend,
                    obligation::Column::IssuerAgencyId,
                    scope.clone(),
                ))
                .build(backend)
                .to_string()
        };
        assert_eq!(
            built(DbBackend::Postgres),
            r#"SELECT "reporting_obligation"."id" FROM "reporting_obligation" WHERE "reporting_obligation"."issuer_agency_id" = ANY(ARRAY (SELECT "id" FROM "agency" WHERE "agency"."depth" = 1))"#
        );
        assert_eq!(
            built(DbBackend::Sqlite),
            r#"SELECT "reporting_obligation"."id" FROM "reporting_obligation" WHERE "reporting_obligation"."issuer_agency_id" IN (SELECT "id" FROM "agency" WHERE "agency"."depth" = 1)"#
        );
    }

    #[tokio::test]
    async fn every_sqlite_connection_reads_through_the_memory_map() {
        let (db, file) = temp_sqlite(3).await;
        // Three transactions open at once hold three connections of the pool.
        let mut held = Vec::new();
        for _ in 0..3 {
            let tx = db.begin().await.expect("begin");
            let row = tx
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA mmap_size",
                ))
                .await
                .expect("pragma")
                .expect("a row");
            let bytes: i64 = row.try_get_by_index(0).expect("mmap_size");
            assert_eq!(bytes as u64, SQLITE_MMAP_BYTES);
            held.push(tx);
        }
        drop(held);
        remove_sqlite(db, &file).await;
    }

    #[test]
    fn an_unindexed_term_is_a_unary_plus_on_sqlite() {
        use entity::report;
        use sea_orm::{QuerySelect, QueryTrait, sea_query::ExprTrait};
        let built = |backend: DbBackend| {
            report::Entity::find()
                .select_only()
                .column(report::Column::Id)
                .filter(unindexed(backend, report::Column::ObligationId).eq(Uuid::nil()))
                .build(backend)
                .to_string()
        };
        assert_eq!(
            built(DbBackend::Sqlite),
            r#"SELECT "report"."id" FROM "report" WHERE (+"report"."obligation_id") = '00000000-0000-0000-0000-000000000000'"#
        );
        assert_eq!(
            built(DbBackend::Postgres),
            r#"SELECT "report"."id" FROM "report" WHERE "report"."obligation_id" = '00000000-0000-0000-0000-000000000000'"#
        );
    }
}
