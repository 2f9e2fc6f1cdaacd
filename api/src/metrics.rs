//! Operational metrics: `GET /metrics` in the Prometheus text format, and the count of SQL
//! statements each GraphQL request executes.
//!
//! The statement count works through a task-local counter: the HTTP handler runs a request
//! inside [`count_statements`], the database's metric callback ([`record_statement`]) adds one
//! per statement to the counter of the task it runs in, and the DataLoaders spawn their batch
//! loads with [`spawn_in_request`] so that those statements count for the request that caused
//! them. The count goes to the `ttdn_sql_statements_per_request` histogram and, in dev mode,
//! to the `x-sql-statements` response header (the query-count tests read it).
//!
//! Metrics are process-wide: one server runs per process.

use std::{
    collections::HashSet,
    future::Future,
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

tokio::task_local! {
    static STATEMENTS: Arc<AtomicU32>;
}

/// Runs `request` counting the SQL statements it executes, including those of DataLoader batches
/// it triggers. Returns its output and the count.
pub async fn count_statements<F: Future>(request: F) -> (F::Output, u32) {
    let counter = Arc::new(AtomicU32::new(0));
    let output = STATEMENTS.scope(counter.clone(), request).await;
    (output, counter.load(Ordering::Relaxed))
}

/// Spawns `task` on the runtime, counting its statements for the request that spawns it (the
/// DataLoaders' spawner).
pub fn spawn_in_request<F>(task: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match STATEMENTS.try_with(Arc::clone) {
        Ok(counter) => tokio::spawn(STATEMENTS.scope(counter, task)),
        Err(_) => tokio::spawn(task),
    }
}

/// The database's metric callback: one statement executed.
pub fn record_statement(info: &sea_orm::metric::Info<'_>) {
    let _ = STATEMENTS.try_with(|counter| counter.fetch_add(1, Ordering::Relaxed));
    let metrics = &*METRICS;
    metrics.statements.inc();
    metrics
        .statement_seconds
        .observe(info.elapsed.as_secs_f64());
    if info.failed {
        metrics.failed_statements.inc();
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Distinct operation names kept as label values; later names count as `other`, so that clients
/// sending ever new names cannot grow the metrics without bound.
const MAX_OPERATIONS: usize = 200;

/// Every metric of the process.
struct Metrics {
    registry: Registry,
    requests: Family<OperationLabels, Counter>,
    request_seconds: HistogramFamily<OperationLabels>,
    statements_per_request: HistogramFamily<OperationLabels>,
    errors: Family<CodeLabels, Counter>,
    statements: Counter,
    failed_statements: Counter,
    statement_seconds: Histogram,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    operations: Mutex<HashSet<String>>,
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn statement_histogram() -> Histogram {
    Histogram::new([1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0, 144.0])
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("ttdn");
    let requests = Family::<OperationLabels, Counter>::default();
    let request_seconds =
        HistogramFamily::<OperationLabels>::new_with_constructor(latency_histogram);
    let statements_per_request =
        HistogramFamily::<OperationLabels>::new_with_constructor(statement_histogram);
    let errors = Family::<CodeLabels, Counter>::default();
    let statements = Counter::default();
    let failed_statements = Counter::default();
    let statement_seconds = Histogram::new(exponential_buckets(0.0001, 2.0, 16));
    let pool_connections = Family::<PoolLabels, Gauge>::default();
    let pool_max = Gauge::default();
    registry.register(
        "graphql_requests",
        "GraphQL requests, by operation name (anonymous when unnamed)",
        requests.clone(),
    );
    registry.register(
        "graphql_request_duration_seconds",
        "Time to execute a GraphQL request, by operation name",
        request_seconds.clone(),
    );
    registry.register(
        "graphql_sql_statements_per_request",
        "SQL statements one GraphQL request executed, by operation name",
        statements_per_request.clone(),
    );
    registry.register(
        "graphql_errors",
        "Errors in GraphQL responses, by extensions.code",
        errors.clone(),
    );
    registry.register(
        "sql_statements",
        "SQL statements executed",
        statements.clone(),
    );
    registry.register(
        "sql_statements_failed",
        "SQL statements that returned an error",
        failed_statements.clone(),
    );
    registry.register(
        "sql_statement_duration_seconds",
        "Time to execute one SQL statement",
        statement_seconds.clone(),
    );
    registry.register(
        "db_pool_connections",
        "Connections of the database pool, by state (idle or in_use)",
        pool_connections.clone(),
    );
    registry.register(
        "db_pool_max_connections",
        "Largest size of the database pool (TTDN_DATABASE_MAX_CONNECTIONS)",
        pool_max.clone(),
    );
    Metrics {
        registry,
        requests,
        request_seconds,
        statements_per_request,
        errors,
        statements,
        failed_statements,
        statement_seconds,
        pool_connections,
        pool_max,
        operations: Mutex::new(HashSet::new()),
    }
});

/// The label value for an operation name: the name when it is a plain GraphQL name and one of
/// the first [`MAX_OPERATIONS`] seen, `anonymous` when unnamed, `other` otherwise.
fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".into();
    };
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return "other".into();
    }
    let Ok(mut known) = METRICS.operations.lock() else {
        return "other".into();
    };
    if known.contains(name) || known.len() < MAX_OPERATIONS {
        known.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// What one GraphQL request did, for the metrics.
pub struct RequestRecord<'a> {
    /// The operation's name, if it has one.
    pub operation: Option<&'a str>,
    /// Time to execute it.
    pub elapsed: Duration,
    /// SQL statements it executed.
    pub statements: u32,
    /// The `extensions.code` of each error of its response.
    pub error_codes: Vec<&'a str>,
}

/// Records one GraphQL request.
pub fn record_request(record: &RequestRecord<'_>) {
    let metrics = &*METRICS;
    let labels = OperationLabels {
        operation: operation_label(record.operation),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .request_seconds
        .get_or_create(&labels)
        .observe(record.elapsed.as_secs_f64());
    metrics
        .statements_per_request
        .get_or_create(&labels)
        .observe(f64::from(record.statements));
    for code in &record.error_codes {
        metrics
            .errors
            .get_or_create(&CodeLabels {
                code: (*code).to_owned(),
            })
            .inc();
    }
}

/// Bearer token `/metrics` requires, when one is configured (`TTDN_METRICS_TOKEN`).
#[derive(Clone, Debug)]
pub struct MetricsToken(pub Option<String>);

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn endpoint(
    req: HttpRequest,
    db: web::Data<DatabaseConnection>,
    token: web::Data<MetricsToken>,
) -> HttpResponse {
    if let Some(expected) = &token.0 {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(expected.as_str()) {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .finish();
        }
    }
    let metrics = &*METRICS;
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    };
    let idle = i64::try_from(idle).unwrap_or(i64::MAX);
    let in_use = i64::from(size) - idle;
    metrics
        .pool_connections
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    metrics
        .pool_connections
        .get_or_create(&PoolLabels { state: "in_use" })
        .set(in_use.max(0));
    metrics.pool_max.set(i64::from(max));
    let mut body = String::new();
    if let Err(err) = encode(&mut body, &metrics.registry) {
        tracing::error!(error = %err, "cannot encode the metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_stay_bounded_and_plain() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("PressFeed")), "PressFeed");
        assert_eq!(operation_label(Some("drop table;")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
        for i in 0..MAX_OPERATIONS {
            operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("OneTooMany")), "other");
        assert_eq!(operation_label(Some("PressFeed")), "PressFeed");
    }

    #[tokio::test]
    async fn statements_of_spawned_tasks_count_for_the_request() {
        let ((), count) = count_statements(async {
            let _ = STATEMENTS.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
            let handle = spawn_in_request(async {
                let _ = STATEMENTS.try_with(|c| c.fetch_add(2, Ordering::Relaxed));
            });
            let _ = handle.await;
        })
        .await;
        assert_eq!(count, 3);
    }
}
